#!/usr/bin/env bash
# One comet: connections held, heap per idle connection, room deliveries per comet CPU-second.
#
#   bench/scripts/one-comet.sh [CONNECTIONS] [RUN_DIR]     (defaults: 19000, bench/target/run-one)
#
# 1. router + logic + one comet (bench/scripts/cluster.sh, comet TCP 18081, push gRPC 18181);
# 2. warm-up: 1,000 connections for 10 s, closed again (loads and JIT-compiles the
#    connection path, so the baseline is not flattered by classes loaded later);
# 3. baseline live heap after a full GC (bench/scripts/heap.sh);
# 4. CONNECTIONS authenticated connections from one load process; live heap again;
#    (live heap - baseline) / connections = heap per idle connection;
# 5. RoomPushDriver runs (room 1, every connection is a member), one per PUSH_RUNS entry
#    "batch:rate" (rate 0 = as fast as 1 call in flight allows), 20 s each after 5 s warm-up
#    (default "10:5 20:3 40:1 10:0").
# WS=1 holds WebSocket connections instead (ws://127.0.0.1:18381/sub; set PUSH_RUNS="" to
# measure the heap only). PORT_OFFSET is added to every port (see cluster.sh).
# Everything started is stopped at the end, also on failure or Ctrl-C.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar=$(ls "$root"/bench/target/bench-*.jar | grep -v original | sed -n 1p)
conns=${1:-19000}
run=${2:-$root/bench/target/run-one}
push_runs=${PUSH_RUNS-"10:5 20:3 40:1 10:0"}
rm -rf "$run"; mkdir -p "$run"
# shellcheck source=teardown.sh
source "$here/teardown.sh"
"$here/cluster.sh" start 1 "$run"
comet=$(cat "$run/comet-1.pid")
o=${PORT_OFFSET:-0}
target=127.0.0.1:$((18081 + o))
if [[ "${WS:-0}" == 1 ]]; then
  target=127.0.0.1:$((18381 + o))
  export LOAD_OPTS="${LOAD_OPTS:-} -Dbench.load.websocket-path=/sub" LOAD_HEAP=${LOAD_HEAP:-600m}
fi

echo "== warm-up: 1000 connections for 10 s"
"$here/load.sh" 1 1000 "$target" 10s "$run/warmup" | tail -n 1
sleep 2
echo "== baseline (0 connections): $("$here/heap.sh" "$comet" | tee "$run/heap-0")"

echo "== $conns connections"
"$here/load.sh" 1 "$conns" "$target" 900s "$run/load" > "$run/load.out" &
load_pid=$!
for ((i = 0; i < 180; i++)); do
  sleep 2
  authed=$(cat "$run"/load/stats/*.stats 2>/dev/null | awk -F= '$1 == "authed" {s += $2} END {print s + 0}' || true)
  failed=$(cat "$run"/load/stats/*.stats 2>/dev/null | awk -F= '$1 == "gaveUp" {s += $2} END {print s + 0}' || true)
  ((authed + failed >= conns)) && break
done
echo "connections: authed=$authed gaveUp=$failed ($(tail -n 1 "$run/load.out")) after $((i * 2 + 2)) s"
sleep 5
heap1=$("$here/heap.sh" "$comet" | tee "$run/heap-n")
echo "== with $conns connections: $heap1"
awk -v n="$authed" '{split($1, a, "="); split($2, b, "="); v[FILENAME] = a[2]; r[FILENAME] = b[2]} END {
  d = v[ARGV[2]] - v[ARGV[1]]; dr = r[ARGV[2]] - r[ARGV[1]];
  printf "RESULT heap per idle connection: %.0f bytes (live heap %+d bytes over %d connections); RSS %+d KiB (%.0f bytes per connection)\n",
    d / n, d, n, dr, dr * 1024 / n }' "$run/heap-0" "$run/heap-n"

for spec in $push_runs; do
  batch=${spec%%:*} rate=${spec##*:}
  inflight=1; ((rate == 0)) || inflight=4
  echo "== room push: $batch packet(s) per call, rate ${rate}/s"
  java -Xmx256m -Dbench.push.comet=127.0.0.1:$((18181 + o)) -Dbench.push.comet-pid="$comet" -Dbench.push.batch="$batch" \
    -Dbench.push.rate="$rate" -Dbench.push.in-flight=$inflight -Dbench.push.stats-dir="$run/load/stats" \
    -cp "$jar" io.goim.bench.RoomPushDriver 2>&1 | grep -v '^$'
done
echo "== load summary"
tail -n 1 "$run/load.out"
