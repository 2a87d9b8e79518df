#!/usr/bin/env bash
# Starts router + logic + K comets for the benchmarks, each as its own JVM from the
# service jars, on ports away from goim's defaults, all on 127.0.0.1. No Kafka: the
# benchmarks push straight into comet's push gRPC, and logic needs the broker only for
# HTTP pushes (its producer connects lazily).
#
#   bench/scripts/cluster.sh start K RUN_DIR   starts them, waits for their ports, writes
#                                              RUN_DIR/pids and RUN_DIR/comet-<i>.pid
#   bench/scripts/cluster.sh stop RUN_DIR      stops exactly the processes in RUN_DIR/pids
#
# Ports: router gRPC 17270 / admin 17271, logic gRPC 17170 / admin 17171 / HTTP 17172,
# comet i (1..K): TCP 18080+i, push gRPC 18180+i, admin 18280+i, WebSocket 18380+i
# (ws://127.0.0.1:18380+i/sub), server id i.
# PORT_OFFSET (default 0) is added to every port, so two clusters can run side by side.
# Environment: COMET_HEAP (default 1g), COMET_OPTS (extra JVM options for comets).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar_of() { ls "$root/$1/target/$1-"*.jar | grep -v -e original -e sources | sed -n 1p; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # port pid log
  for ((n = 0; n < 600; n++)); do
    port_open "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "process $2 died; see $3" >&2; return 1; }
    sleep 0.1
  done
  echo "port $1 not open after 60 s; see $3" >&2
  return 1
}

cmd=$1
case "$cmd" in
start)
  k=$2 run=$3 o=${PORT_OFFSET:-0}
  mkdir -p "$run"
  : > "$run/pids"
  for p in $((17270 + o)) $((17271 + o)) $((17170 + o)) $((17171 + o)) $((17172 + o)); do port_open $p && { echo "port $p in use" >&2; exit 1; }; done
  java -Xmx512m -Drouter.grpc.host=127.0.0.1 -Drouter.grpc.port=$((17270 + o)) -Drouter.admin.host=127.0.0.1 \
    -Drouter.admin.port=$((17271 + o)) -jar "$(jar_of router)" \
    > "$run/router.log" 2>&1 < /dev/null &
  echo $! >> "$run/pids"
  wait_port $((17270 + o)) $! "$run/router.log"
  java -Xmx512m -Dlogic.grpc.host=127.0.0.1 -Dlogic.grpc.port=$((17170 + o)) -Dlogic.http.host=127.0.0.1 \
    -Dlogic.http.port=$((17172 + o)) -Dlogic.admin.host=127.0.0.1 -Dlogic.admin.port=$((17171 + o)) -Dlogic.routers.1=127.0.0.1:$((17270 + o)) -Dlogic.kafka.bootstrap-servers=127.0.0.1:$((17092 + o)) \
    -jar "$(jar_of logic)" > "$run/logic.log" 2>&1 < /dev/null &
  echo $! >> "$run/pids"
  wait_port $((17170 + o)) $! "$run/logic.log"
  for ((i = 1; i <= k; i++)); do
    # shellcheck disable=SC2086
    java -Xmx"${COMET_HEAP:-1g}" ${COMET_OPTS:-} -Dcomet.server-id=$i -Dcomet.tcp.host=127.0.0.1 \
      -Dcomet.tcp.port=$((18080 + o + i)) -Dcomet.grpc.host=127.0.0.1 -Dcomet.grpc.port=$((18180 + o + i)) \
      -Dcomet.admin.host=127.0.0.1 -Dcomet.admin.port=$((18280 + o + i)) -Dcomet.websocket.host=127.0.0.1 \
      -Dcomet.websocket.port=$((18380 + o + i)) -Dcomet.logic=127.0.0.1:$((17170 + o)) -jar "$(jar_of comet)" > "$run/comet-$i.log" 2>&1 < /dev/null &
    echo $! >> "$run/pids"
    echo $! > "$run/comet-$i.pid"
  done
  for ((i = 1; i <= k; i++)); do
    wait_port $((18180 + o + i)) "$(cat "$run/comet-$i.pid")" "$run/comet-$i.log"
  done
  echo "cluster up: router, logic, $k comet(s); pids in $run/pids"
  ;;
stop)
  run=$2
  [[ -f "$run/pids" ]] || exit 0
  pids=$(tac "$run/pids")
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $pids; do
    for ((n = 0; n < 150; n++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$run/pids"
  echo "cluster stopped"
  ;;
*) echo "usage: $0 start K RUN_DIR | stop RUN_DIR" >&2; exit 2 ;;
esac
