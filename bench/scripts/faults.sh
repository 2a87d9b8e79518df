#!/usr/bin/env bash
# The fault suite, in one command:
#
#   bench/scripts/faults.sh
#
# Builds the service and bench jars if missing (REBUILD=1: always), fetches the Kafka broker
# from Maven Central like deploy/run-local.sh (deploy/kafka/pom.xml), then runs
# io.goim.bench.faults.FaultSuite: Kafka, router, logic, two comets and job, each its own JVM
# on ports 26000 and up (bench.faults.port-base: Kafka 26092, logic HTTP 26172, comets
# 26400/26410 TCP and 26500/26510 WebSocket, …), TCP and WebSocket clients in room 1 on both
# comets, steady room, user and broadcast pushes over HTTP; kills with kill -9 and restarts
# job, a comet, router, logic and Kafka in turn, and checks after each that every accepted
# push reached every client that was connected throughout. Settings: bench.faults in
# bench/src/main/resources/reference.conf; override with -D options in FAULTS_OPTS, e.g.
# FAULTS_OPTS="-Dbench.faults.kills.0=job -Dbench.faults.down=10s".
# Output: bench/target/faults/ (logs). Exit status 0 only if nothing accepted was lost.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
tool=faults
# shellcheck source=jars.sh
source "$here/jars.sh"
# shellcheck disable=SC2086
exec java -Xmx512m ${FAULTS_OPTS:-} -Dbench.faults.root="$root" \
  -Dbench.faults.kafka-classpath="$kafka_classpath" \
  -cp "$bench_jar" io.goim.bench.faults.FaultSuite "$@"
