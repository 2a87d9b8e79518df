#!/usr/bin/env bash
# Fuzzes one target for N minutes (default 10) with Jazzer, at the lowest CPU priority.
#
#   bench/scripts/fuzz.sh tcp|ws|http|record [minutes]
#
# Without JAZZER_FUZZ a build only replays the seed corpora; this sets it. A finding stops
# the run: Jazzer writes the input as crash-<sha1> into the test's seed directory
# (src/test/resources/<package>/<Test>Inputs/<method>/), where the next `mvn verify`
# replays it. Inputs that reached new code go to <module>/.cifuzz-corpus/ (not committed).
# libFuzzer's summary ("Done N runs in S second(s)") ends the log printed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."

target=${1:?usage: fuzz.sh tcp|ws|http|record [minutes]}
minutes=${2:-10}
case "$target" in
  tcp)    module=comet test=TcpPacketFuzzTest ;;
  ws)     module=comet test=WebSocketCodecFuzzTest ;;
  http)   module=logic test=HttpApiFuzzTest ;;
  record) module=job   test=RecordDecodeFuzzTest ;;
  *) echo "unknown target $target (expected: tcp, ws, http or record)" >&2; exit 2 ;;
esac

# jazzer.internal.arg.* are passed to libFuzzer after the @FuzzTest's own maxDuration
# (arg 0 is a program name), so this -max_total_time wins.
JAZZER_FUZZ=1 nice -n 19 mvn -B -o -pl "$module" -am test \
  -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
  -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=$((minutes * 60)) \
  -Djazzer.internal.arg.2=-print_final_stats=1
