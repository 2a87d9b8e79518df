#!/usr/bin/env bash
# Sourced by realpath.sh, faults.sh and scaleout-suite.sh: builds the service and bench jars when missing
# (REBUILD=1: always) and resolves the Kafka broker's classpath from Maven Central like
# deploy/run-local.sh (deploy/kafka/pom.xml), cached in bench/target/kafka.classpath.
# Needs $root (the repository root) and $tool (a name for messages). Sets bench_jar and
# kafka_classpath.
jar_of() { ls "$root/$1/target/$1-"*.jar 2>/dev/null | grep -v -e original -e sources -e tests | sed -n 1p || true; }
missing=0
for m in router logic comet job bench; do [[ -n "$(jar_of "$m")" ]] || missing=1; done
if ((missing)) || [[ "${REBUILD:-0}" == 1 ]]; then
  echo "$tool: building the jars (mvn package)…"
  mvn -B -q -DskipTests package -pl router,logic,comet,job,bench -am
fi
mkdir -p "$root/bench/target"
cp_file="$root/bench/target/kafka.classpath"
if [[ ! -s "$cp_file" ]]; then
  echo "$tool: resolving the Kafka broker (deploy/kafka/pom.xml)…"
  mvn -B -q -f "$root/deploy/kafka/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2
fi
bench_jar="$(jar_of bench)"
kafka_classpath="$(cat "$cp_file")"
