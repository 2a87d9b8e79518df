#!/usr/bin/env bash
# Runs K load-client processes (io.goim.bench.LoadClient) and sums their counters.
#
#   bench/scripts/load.sh K CONNECTIONS_PER_PROCESS TARGETS DURATION RUN_DIR
#
# TARGETS is a comma-separated list of comet TCP addresses; process j (0-based) connects
# to target j mod |TARGETS|, authenticates users 1 + j*CONNECTIONS_PER_PROCESS ..., and
# binds its sockets to its own four source addresses 127.0.0.(10+4j) .. (13+4j).
# Each process writes RUN_DIR/stats/load-j.stats (read by RoomPushDriver) and
# RUN_DIR/load-j.out. A summed line is printed every 5 s and a FINAL line at the end.
# Every process started here is stopped on exit. Environment: LOAD_HEAP (default 384m),
# LOAD_OPTS (extra -D options for every process, e.g. -Dbench.load.websocket-path=/sub).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar=$(ls "$root"/bench/target/bench-*.jar | grep -v original | sed -n 1p)
k=$1 per=$2 targets=$3 duration=$4 run=$5
((per <= 19500)) || { echo "at most 19500 connections per process" >&2; exit 2; }
IFS=, read -r -a ts <<< "$targets"
mkdir -p "$run/stats"
pids=()
cleanup() {
  trap - EXIT
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for ((j = 0; j < k; j++)); do
  b=$((10 + 4 * j))
  # shellcheck disable=SC2086
  java -Xmx"${LOAD_HEAP:-384m}" -XX:+UseSerialGC ${LOAD_OPTS:-} \
    -Dbench.load.targets.0="${ts[j % ${#ts[@]}]}" -Dbench.load.connections="$per" \
    -Dbench.load.first-user-id=$((1 + j * per)) -Dbench.load.duration="$duration" \
    -Dbench.load.report-every=30s -Dbench.load.stats-file="$run/stats/load-$j.stats" \
    -Dbench.load.sources.0=127.0.0.$b -Dbench.load.sources.1=127.0.0.$((b + 1)) \
    -Dbench.load.sources.2=127.0.0.$((b + 2)) -Dbench.load.sources.3=127.0.0.$((b + 3)) \
    -cp "$jar" io.goim.bench.LoadClient > "$run/load-$j.out" 2>&1 < /dev/null &
  pids+=($!)
done
sum() { cat "$run"/stats/*.stats 2>/dev/null | awk -F= '{s[$1] += $2} END {
  printf "open=%d connected=%d connectFailed=%d authed=%d authFailed=%d retries=%d gaveUp=%d dropped=%d pushes=%d protocolErrors=%d\n",
    s["open"], s["connected"], s["connectFailed"], s["authed"], s["authFailed"], s["retries"], s["gaveUp"], s["dropped"],
    s["pushes"], s["protocolErrors"] }'; }
start=$SECONDS
while :; do
  alive=0
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  ((alive)) || break
  echo "t=$((SECONDS - start))s $(sum)"
  sleep 5
done
wait 2>/dev/null || true
grep -h '^FINAL' "$run"/load-*.out | awk '{for (i = 2; i <= NF; i++) {split($i, kv, "="); s[kv[1]] += kv[2]}} END {
  printf "FINAL processes=%d authed=%d authFailed=%d connectFailed=%d retries=%d gaveUp=%d dropped=%d pushes=%d\n",
    NR, s["authed"], s["authFailed"], s["connectFailed"], s["retries"], s["gaveUp"], s["dropped"], s["pushes"] }'
