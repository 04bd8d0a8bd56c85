# shellcheck shell=bash
# Shared by the bench scripts (sourced): a scratch directory and the processes a script
# started, both cleaned up on exit. Append each background PID to `pids`.
work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
