#!/usr/bin/env bash
# The benchmark of the path users run, in one command:
#
#   bench/scripts/realpath.sh [SCENARIO...]        (default: a b c d e mem-tcp mem-ws)
#
# Builds the service and bench jars if missing (REBUILD=1: always), fetches the Kafka broker
# from Maven Central like deploy/run-local.sh (deploy/kafka/pom.xml), then runs
# io.goim.bench.realpath.RealPath: Kafka (KRaft, 127.0.0.1:19092), router (17270), logic
# (17170, HTTP 17172), comet (TCP 18080, WebSocket 18090, push 18092) and job, each its own
# JVM, admin ports 16972/17171/17271/17371; clients in room 1; pushes over HTTP; the same
# clients against a minimal Netty server (18280/18290). Scenarios and durations:
# bench.realpath in bench/src/main/resources/reference.conf; override with -D options in
# REALPATH_OPTS, e.g. REALPATH_OPTS="-Dbench.realpath.window=30s".
# Output: bench/target/realpath/ (logs, client stats). Everything started is stopped at
# the end, on failure and on Ctrl-C.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
jar_of() { ls "$root/$1/target/$1-"*.jar 2>/dev/null | grep -v -e original -e sources -e tests | head -n 1 || true; }
missing=0
for m in router logic comet job bench; do [[ -n "$(jar_of "$m")" ]] || missing=1; done
if ((missing)) || [[ "${REBUILD:-0}" == 1 ]]; then
  echo "realpath: building the jars (mvn package)…"
  mvn -B -q -DskipTests package -pl router,logic,comet,job,bench -am
fi
mkdir -p "$root/bench/target"
cp_file="$root/bench/target/kafka.classpath"
if [[ ! -s "$cp_file" ]]; then
  echo "realpath: resolving the Kafka broker (deploy/kafka/pom.xml)…"
  mvn -B -q -f "$root/deploy/kafka/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2
fi
# shellcheck disable=SC2086
exec java -Xmx512m ${REALPATH_OPTS:-} -Dbench.realpath.root="$root" \
  -Dbench.realpath.bench-jar="$(jar_of bench)" -Dbench.realpath.kafka-classpath="$(cat "$cp_file")" \
  -cp "$(jar_of bench)" io.goim.bench.realpath.RealPath "$@"
