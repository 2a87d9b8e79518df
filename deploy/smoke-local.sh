#!/usr/bin/env bash
# Starts the local cluster with run-local.sh, checks it with tools/SmokeTest.java, and
# stops it again, verifying that no process is left behind. Used by CI.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="${GOIM_RUN_DIR:-$(mktemp -d)}"
export GOIM_RUN_DIR="$run"

"$here/run-local.sh" > "$run/run-local.out" 2>&1 &
cluster=$!
for _ in $(seq 1 900); do
  grep -q "cluster running" "$run/run-local.out" 2>/dev/null && break
  kill -0 "$cluster" 2>/dev/null || { cat "$run/run-local.out"; echo "run-local.sh failed"; exit 1; }
  sleep 0.2
done
grep -q "cluster running" "$run/run-local.out" || { cat "$run/run-local.out"; echo "cluster did not start"; kill -TERM "$cluster"; exit 1; }

status=0
java "$here/tools/SmokeTest.java" || status=$?

kill -TERM "$cluster"
wait "$cluster" || true
if pgrep -f -- "$run" > /dev/null; then
  echo "processes left behind after SIGTERM:"; pgrep -af -- "$run"; status=1
fi
cat "$run/run-local.out"
exit $status
