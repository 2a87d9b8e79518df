#!/usr/bin/env bash
# Prints the capacity plan's tables (docs/capacity.md) from the measured inputs in
# bench/src/main/resources/capacity.conf. Arguments are JVM options, e.g.
#   bench/scripts/capacity.sh -Dcapacity.workload.comets=60 -Dcapacity.measured.heap-per-tcp-connection.value=1600
# capacity.conf is read from the source tree, so an edit shows at once; the classes come from
# the bench jar, built if missing (REBUILD=1 rebuilds it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar=$(ls "$root"/bench/target/bench-*.jar 2>/dev/null | grep -v original | sed -n 1p || true)
if [[ -z "$jar" || "${REBUILD:-0}" == 1 ]]; then
  (cd "$root" && mvn -B -q -o -DskipTests package -pl bench -am)
  jar=$(ls "$root"/bench/target/bench-*.jar | grep -v original | sed -n 1p)
fi
exec java "$@" -cp "$root/bench/src/main/resources:$jar" io.goim.bench.capacity.CapacityPlan
