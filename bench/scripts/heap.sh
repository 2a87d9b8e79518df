#!/usr/bin/env bash
# Prints the live heap of a JVM after a full GC, and its resident memory:
#   live_bytes=N rss_kb=N
# GC.class_histogram forces a full collection and counts only reachable objects, so two
# readings subtract cleanly (e.g. with and without N idle connections).
set -euo pipefail
pid=$1
live=$(jcmd "$pid" GC.class_histogram | awk '/^Total/ {print $3}')
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
echo "live_bytes=$live rss_kb=$rss"
