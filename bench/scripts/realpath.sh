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
tool=realpath
# shellcheck source=jars.sh
source "$here/jars.sh"
# shellcheck disable=SC2086
exec java -Xmx512m ${REALPATH_OPTS:-} -Dbench.realpath.root="$root" \
  -Dbench.realpath.bench-jar="$bench_jar" -Dbench.realpath.kafka-classpath="$kafka_classpath" \
  -cp "$bench_jar" io.goim.bench.realpath.RealPath "$@"
