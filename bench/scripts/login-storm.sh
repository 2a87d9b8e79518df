#!/usr/bin/env bash
# Login storm: N goim clients connect to one comet at once and log in (op 7 → comet →
# logic Connect → router Put → op 8); reports failures and login latency.
#
#   bench/scripts/login-storm.sh [CONNECTIONS] [RUN_DIR]   (defaults: 10000, bench/target/run-storm)
#
# 1. router + logic + one comet (bench/scripts/cluster.sh; comet TCP 18081, admin 18281);
# 2. warm-up: 1,000 logins at 64 in flight, held 10 s, closed (JIT-compiles the login path
#    of all three services, as in a cluster that has been running);
# 3. the storm: CONNECTIONS connections from one load process with every one in flight at
#    once (in-flight = CONNECTIONS) and no retries, so every failed login is counted;
#    latency is from the start of a connection's TCP connect to its op 8;
# 4. the comet's Connect calls to logic (count, mean and max) and auth counters from its
#    /metrics.
# PORT_OFFSET is added to every port (see cluster.sh). WS=1 runs the storm over WebSocket (ws://127.0.0.1:18381/sub) instead of TCP.
# Everything started is stopped at the end, also on failure or Ctrl-C.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar=$(ls "$root"/bench/target/bench-*.jar | grep -v original | sed -n 1p)
conns=${1:-10000}
run=${2:-$root/bench/target/run-storm}
((conns <= 19500)) || { echo "at most 19500 connections (one load process)" >&2; exit 2; }
rm -rf "$run"; mkdir -p "$run"
# shellcheck source=teardown.sh
source "$here/teardown.sh"
"$here/cluster.sh" start 1 "$run"
o=${PORT_OFFSET:-0}
target=127.0.0.1:$((18081 + o)) ws=()
if [[ "${WS:-0}" == 1 ]]; then target=127.0.0.1:$((18381 + o)) ws=(-Dbench.load.websocket-path=/sub); fi

load() { # name connections in-flight retries duration
  java -Xmx"${LOAD_HEAP:-512m}" -XX:+UseSerialGC "${ws[@]}" -Dbench.load.targets.0=$target \
    -Dbench.load.connections="$2" -Dbench.load.in-flight="$3" -Dbench.load.retries="$4" \
    -Dbench.load.duration="$5" -Dbench.load.report-every=5s -Dbench.load.auth-timeout=60s \
    -Dbench.load.sources.0=127.0.0.50 -Dbench.load.sources.1=127.0.0.51 -Dbench.load.sources.2=127.0.0.52 \
    -Dbench.load.sources.3=127.0.0.53 -cp "$jar" io.goim.bench.LoadClient > "$run/$1.out" 2>&1 < /dev/null
}
cpu() { # CPU seconds (user + system) of router, logic and comet, in that order
  for pid in $(cat "$run/pids"); do
    awk -v t="$(getconf CLK_TCK)" '{printf "%.2f ", ($14 + $15) / t}' "/proc/$pid/stat"
  done
}
metrics() {
  curl -s http://127.0.0.1:$((18281 + o))/metrics | grep -E \
    '^goim_comet_auth|^grpc_client_processing_duration_seconds_(count|sum|max)\{.*method="Connect"' || true
}

echo "== warm-up: 1000 logins, 64 in flight"
load warmup 1000 64 3 10s
grep '^FINAL' "$run/warmup.out"
metrics > "$run/metrics-before"
sleep 2

echo "== storm: $conns logins at once, no retries"
cpu0=$(cpu)
load storm "$conns" "$conns" 0 "${HOLD:-60s}"
cpu1=$(cpu)
grep '^FINAL' "$run/storm.out" | tee "$run/result"
echo "$cpu0 $cpu1" | awk '{printf "RESULT CPU seconds during the storm (and its hold): router %.2f, logic %.2f, comet %.2f\n", $4 - $1, $5 - $2, $6 - $3}' 
metrics > "$run/metrics-after"
echo "== comet metrics after the storm (cumulative, warm-up included)"
cat "$run/metrics-after"
awk '/method="Connect"/ && /_count/ {c += $NF} /method="Connect"/ && /_sum/ {s += $NF}
  /method="Connect"/ && /_max/ && $NF > m {m = $NF} END {if (c) printf "RESULT Connect calls (all outcomes, warm-up included)=%d mean=%.3fs max=%.3fs\n", c, s / c, m}' "$run/metrics-after"
sed -n 's/.* authed=\([0-9]*\) authFailed=\([0-9]*\).*loginP50Ms=\([0-9]*\) loginP99Ms=\([0-9]*\) loginMaxMs=\([0-9]*\).*/RESULT logins ok=\1 failed=\2 p50=\3ms p99=\4ms max=\5ms/p' \
  "$run/result"
