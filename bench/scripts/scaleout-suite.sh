#!/usr/bin/env bash
# The scale-out suite, in one command:
#
#   bench/scripts/scaleout-suite.sh
#
# Builds the service and bench jars if missing (REBUILD=1: always), fetches the Kafka broker
# from Maven Central like deploy/run-local.sh (deploy/kafka/pom.xml), then runs
# io.goim.bench.scaleout.ScaleOutSuite once per session store (router, then redis; Redis
# needs redis-server on the PATH): Kafka with 8 partitions, 2 routers (or one redis-server),
# 2 logics, 3 comets and 2 jobs, each its own JVM on free loopback ports; TCP and WebSocket
# clients on every comet as known users in known rooms; user, multi-user, room and
# broadcast pushes streamed over both logics while a third job joins and the first is
# stopped. Checks that every accepted push reached exactly the connections it is for, once,
# and /1/count at each checkpoint. Settings: bench.scaleout in
# bench/src/main/resources/reference.conf; override with -D options in SCALEOUT_OPTS, e.g.
# SCALEOUT_OPTS="-Dbench.scaleout.stores.0=redis -Dbench.scaleout.phase=30s".
# Output: bench/target/scaleout/<store>/ (logs). Exit status 0 only if every check passed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
tool=scaleout
# shellcheck source=jars.sh
source "$here/jars.sh"
# shellcheck disable=SC2086
exec nice -n 19 java -Xmx512m ${SCALEOUT_OPTS:-} -Dbench.scaleout.root="$root" \
  -Dbench.scaleout.kafka-classpath="$kafka_classpath" \
  -cp "$bench_jar" io.goim.bench.scaleout.ScaleOutSuite "$@"
