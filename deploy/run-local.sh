#!/usr/bin/env bash
# Starts a whole goim-java cluster on this machine, on goim's default ports:
#   Kafka (one KRaft node) 9092, router 7270, logic 7170/7172, comet 8080/8090/8092, job.
# Needs only JDK 17 and Maven: missing jars are built, Kafka comes from Maven Central.
# "cluster running" is printed only once every service's /ready answers 200 (job's only
# after it owns its partitions) and a probe push has reached a probe client.
# Ctrl-C or SIGTERM stops everything, the broker included.
#
# Environment:
#   GOIM_RUN_DIR   where data and logs go (default: deploy/run, git-ignored)
#   GOIM_REBUILD=1 rebuild the service jars even when they exist
#   GOIM_PROBE_UID the user id of the start-up probe client (default 900000001)
#   GOIM_UPSTREAM  echo (default) or kafka: what comet does with client messages (op 4);
#                  kafka writes them to topic GoimUpstream (docs/upstream.md)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
run="${GOIM_RUN_DIR:-$here/run}"
topic="KafkaPushsTopic"
upstream_topic="GoimUpstream"
upstream="${GOIM_UPSTREAM:-echo}"
[[ $upstream == echo || $upstream == kafka ]] || { echo "GOIM_UPSTREAM=$upstream (expected: echo or kafka)" >&2; exit 1; }
services=(router logic comet job)
mkdir -p "$run/logs"
run="$(cd "$run" && pwd)"

say() { printf '[run-local] %s\n' "$*"; }
die() { say "error: $*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when GET http://127.0.0.1:$1$2 answers 200 (plain bash: no curl needed).
http_ok() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    IFS= read -r -t 5 status <&3 || exit 1
    [[ $status == HTTP/1.?" 200"* ]]
  ) 2>/dev/null
}

wait_port() { # name port pid log
  local i
  for ((i = 0; i < 600; i++)); do
    port_open "$2" && return 0
    kill -0 "$3" 2>/dev/null || die "$1 exited during start-up; see $4"
    sleep 0.1
  done
  die "$1 did not open port $2 within 60 s; see $4"
}

names=()
pids=()
stopping=0
stop_all() {
  ((stopping)) && return
  stopping=1
  local i pid n
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -0 "$pid" 2>/dev/null || continue
    say "stopping ${names[i]} (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((n = 0; n < 150; n++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "${names[i]} did not stop in 15 s, killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  say "all stopped"
}
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

for p in 9092 9093 7270 7170 7172 8080 8090 8092; do
  port_open "$p" && die "port $p is already in use; is another cluster running?"
done

# 1. Service jars.
jar_of() { ls "$root/$1/target/$1-"*.jar 2>/dev/null | grep -v -e original -e sources | sed -n 1p || true; }
missing=0
for s in "${services[@]}"; do [[ -n "$(jar_of "$s")" ]] || missing=1; done
if ((missing)) || [[ "${GOIM_REBUILD:-0}" == 1 ]]; then
  say "building the service jars (mvn package)…"
  (cd "$root" && mvn -B -q -DskipTests -pl router,logic,job,comet -am package) > "$run/logs/build.log" 2>&1 \
    || die "build failed; see $run/logs/build.log"
fi

# 2. Kafka from Maven Central.
cp_file="$run/kafka.classpath"
if [[ ! -s "$cp_file" ]]; then
  say "resolving the Kafka broker from Maven Central…"
  mvn -B -q -f "$here/kafka/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file" \
    > "$run/logs/kafka-resolve.log" 2>&1 || die "could not resolve Kafka; see $run/logs/kafka-resolve.log"
fi
kafka_cp="$(cat "$cp_file")"
kafka_java=(java -Xmx512m -Dlog4j2.configurationFile="$here/kafka/log4j2.properties" -cp "$kafka_cp")

props="$run/kafka/server.properties"
mkdir -p "$run/kafka/data"
{ cat "$here/kafka/server.properties"; echo "log.dirs=$run/kafka/data"; } > "$props"
if [[ ! -f "$run/kafka/data/meta.properties" ]]; then
  cluster_id="$("${kafka_java[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  "${kafka_java[@]}" kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$props" \
    > "$run/logs/kafka-format.log" 2>&1 || die "could not format Kafka storage; see $run/logs/kafka-format.log"
fi

start() { # name log command...
  local name=$1 log=$2
  shift 2
  "$@" > "$log" 2>&1 < /dev/null &
  names+=("$name")
  pids+=($!)
}

say "starting kafka"
start kafka "$run/logs/kafka.log" "${kafka_java[@]}" kafka.Kafka "$props"
wait_port kafka 9092 "${pids[-1]}" "$run/logs/kafka.log"
for t in "$topic" "$upstream_topic"; do
  "${kafka_java[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --create --if-not-exists \
    --topic "$t" --partitions 4 --replication-factor 1 > "$run/logs/kafka-topic.log" 2>&1 \
    || die "could not create topic $t; see $run/logs/kafka-topic.log"
done
say "kafka up on 127.0.0.1:9092, topics $topic and $upstream_topic"

declare -A ports=([router]=7270 [logic]=7172 [comet]=8080 [job]=)
declare -A heaps=([router]=256m [logic]=256m [comet]=512m [job]=256m)
for s in "${services[@]}"; do
  log="$run/logs/$s.log"
  opts=("-Xmx${heaps[$s]}")
  [[ $s == comet ]] && opts+=("-Dcomet.upstream.mode=$upstream")
  start "$s" "$log" java "${opts[@]}" -jar "$(jar_of "$s")"
  if [[ -n "${ports[$s]}" ]]; then
    wait_port "$s" "${ports[$s]}" "${pids[-1]}" "$log"
  else
    sleep 1
    kill -0 "${pids[-1]}" 2>/dev/null || die "$s exited during start-up; see $log"
  fi
  if [[ $s == comet ]]; then
    wait_port "comet WebSocket" 8090 "${pids[-1]}" "$log"
    wait_port "comet push gRPC" 8092 "${pids[-1]}" "$log"
  fi
  say "$s up (pid ${pids[-1]}), log: $log"
done

# 3. Ready: every service's /ready (admin ports), then a probe push end to end.
declare -A admin=([router]=7271 [logic]=7171 [comet]=6972 [job]=7371)
for s in "${services[@]}"; do
  for ((i = 0; ; i++)); do
    http_ok "${admin[$s]}" /ready && break
    ((i % 50 == 49)) && say "waiting for $s to be ready (http://127.0.0.1:${admin[$s]}/ready)"
    ((i < 1200)) || die "$s not ready within 120 s; see $run/logs/$s.log"
    for ((j = 0; j < ${#pids[@]}; j++)); do
      kill -0 "${pids[j]}" 2>/dev/null || die "${names[j]} exited during start-up; see $run/logs/${names[j]}.log"
    done
    sleep 0.1
  done
done
say "every service ready; probing a push end to end"
probe_uid="${GOIM_PROBE_UID:-900000001}"
for ((i = 1; ; i++)); do
  java "$here/tools/SmokeTest.java" "$probe_uid" > "$run/logs/probe.log" 2>&1 && break
  ((i < 3)) || die "the probe push did not reach its client; see $run/logs/probe.log"
  sleep 1
done

cat <<INFO
[run-local] cluster running. Ctrl-C stops everything.
  kafka   127.0.0.1:9092   topic $topic     log: $run/logs/kafka.log
          client messages (op 4): $upstream (GOIM_UPSTREAM=kafka: to topic $upstream_topic)
  router  gRPC 7270                        log: $run/logs/router.log
  logic   gRPC 7170, HTTP 7172             log: $run/logs/logic.log
  comet   TCP 8080, WebSocket 8090 (/sub), push gRPC 8092
                                           log: $run/logs/comet.log
  job                                      log: $run/logs/job.log
  admin   /metrics /health /ready: comet 6972, logic 7171, router 7271, job 7371
  try:    curl -d '{"hello":1}' 'http://127.0.0.1:7172/1/push?uid=42'
INFO

# Stay in the foreground; if any process dies, stop the rest.
while true; do
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[i]}" 2>/dev/null; then
      say "${names[i]} exited unexpectedly; stopping the cluster"
      exit 1
    fi
  done
  sleep 1 &
  wait $! || true
done
