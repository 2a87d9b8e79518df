#!/usr/bin/env bash
# Scale-out: many connections on one machine across several comet processes.
#
#   bench/scripts/scale-out.sh [COMETS] [CONNECTIONS_PER_COMET] [RUN_DIR]
#                              (defaults: 6, 16700, bench/target/run-scale)
#
# Starts router + logic + COMETS comets (server ids 1..COMETS, TCP 18081.., push gRPC
# 18181..) and one load process per comet (each below the 20,000 open-file limit), waits
# until every connection is authenticated (or 300 s), holds them for 30 s while checking that
# none is dropped, prints per-comet live heap and RSS, then stops everything.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
k=${1:-6}
per=${2:-16700}
run=${3:-$root/bench/target/run-scale}
total=$((k * per))
rm -rf "$run"; mkdir -p "$run"
# shellcheck source=teardown.sh
source "$here/teardown.sh"
COMET_HEAP=${COMET_HEAP:-768m} "$here/cluster.sh" start "$k" "$run"
targets=$(seq -s, -f "127.0.0.1:%g" 18081 $((18080 + k)))
echo "== $k load processes x $per connections = $total, to $targets"
free -m | sed -n 2p
t0=$SECONDS
"$here/load.sh" "$k" "$per" "$targets" 600s "$run/load" > "$run/load.out" &
load_pid=$!
for ((i = 0; i < 150; i++)); do
  sleep 2
  s=$(cat "$run"/load/stats/*.stats 2>/dev/null | awk -F= '{v[$1] += $2} END {print v["authed"] + 0, v["gaveUp"] + 0, v["authFailed"] + v["connectFailed"] + 0}' || true)
  read -r authed gaveup failed <<< "$s"
  ((i % 10 == 0)) && echo "t=$((SECONDS - t0))s authed=$authed gaveUp=$gaveup failedAttempts=$failed"
  ((authed + gaveup >= total)) && break
done
echo "RESULT connections authenticated: $authed of $total (given up $gaveup, failed attempts $failed) after $((SECONDS - t0)) s"
sleep 30
echo "after holding 30 s: $(tail -n 1 "$run/load.out")"
for ((c = 1; c <= k; c++)); do
  echo "comet $c: $("$here/heap.sh" "$(cat "$run/comet-$c.pid")")"
done
free -m | sed -n 2p
uptime
