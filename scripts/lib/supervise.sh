# Sourced by scripts/run.sh and scripts/run-cluster.sh: the processes they start are added to
# `pids`, and all of them stop together on Ctrl-C, TERM or the script's exit.
pids=()
stop_all() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo "stopping (pids ${pids[*]})"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
# Background jobs of a script ignore SIGINT, so Ctrl-C must be forwarded by hand.
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

# wait_until_ready URL TIMEOUT LOG_HINT [CHECK...]: poll URL (and the optional CHECK command)
# until both succeed; stop early if a supervised process died, or after TIMEOUT seconds.
wait_until_ready() {
  local url=$1 timeout=$2 log_hint=$3
  shift 3
  local deadline=$(( $(date +%s) + timeout ))
  until curl -fsS -o /dev/null "$url" 2>/dev/null && { [ $# -eq 0 ] || "$@"; }; do
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "a process exited during startup; see ${log_hint}" >&2; exit 1; }
    done
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "not healthy after ${timeout}s:" >&2
      curl -sS "$url" >&2 || true
      exit 1
    fi
    sleep 2
  done
}
