# Sourced by one-comet.sh and scale-out.sh: on exit (also on failure or Ctrl-C) stop the
# load wrapper whose pid is in $load_pid, if any, then the cluster in $run.
load_pid=
teardown() {
  trap - EXIT INT TERM
  if [[ -n "$load_pid" ]]; then
    kill -TERM "$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
  fi
  "$here/cluster.sh" stop "$run" || true
}
trap teardown EXIT
trap 'exit 130' INT TERM
