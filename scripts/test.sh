#!/usr/bin/env bash
# Runs every watchpost test: installs the test tools (Debian's Prometheus 2.42 and promtool,
# Prometheus 3.x into ./.tools, ...), then cargo fmt --check, clippy -D warnings,
# cargo test --all-targets (unit tests and the integration tests in tests/it against real
# Prometheus servers on 127.0.0.1) and the compose stack validation. Every step runs even when
# an earlier one failed; the last line is the summary, and the exit status is non-zero if any
# step failed.
#   usage: scripts/test.sh [extra cargo test args, e.g. a test name filter]
#   env:   WATCHPOST_SKIP_INSTALL=1   do not run scripts/install-test-deps.sh
#          WATCHPOST_SKIP_EXTERNAL=1  let tests that need Prometheus/promtool skip themselves
#          WATCHPOST_SKIP_STACK=1     do not run scripts/validate-stack.sh
#          WATCHPOST_SKIP_FUZZ=1      do not run scripts/fuzz.sh (the brief fuzz step)
#          WATCHPOST_UPDATE_GOLDEN=1  rewrite tests/golden/* from the live output
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

started=$SECONDS
step_results=()
failed_steps=0
# Runs "$@" as step $1, recording its time and outcome without stopping the script.
run_step() {
  local name=$1 step_started=$SECONDS status=0
  shift
  echo "==> $name: $*" >&2
  "$@" || status=$?
  if [[ $status -eq 0 ]]; then
    step_results+=("$name ok $((SECONDS - step_started))s")
  else
    step_results+=("$name FAILED($status) $((SECONDS - step_started))s")
    failed_steps=$((failed_steps + 1))
  fi
}

if [[ ${WATCHPOST_SKIP_INSTALL:-0} != 1 ]]; then
  # Without the tools every external test fails; stop here instead.
  bash scripts/install-test-deps.sh
  step_results+=("install ok $((SECONDS - started))s")
fi

# On CI (a fresh clone, built once) skip debug info and incremental state: smaller artifacts,
# faster links, same tests. Local runs keep the developer's profile and warm caches.
if [[ ${CI:-} == true ]]; then
  export CARGO_PROFILE_DEV_DEBUG=${CARGO_PROFILE_DEV_DEBUG:-0}
  export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
fi

export WATCHPOST_PROMETHEUS_2=${WATCHPOST_PROMETHEUS_2:-/usr/bin/prometheus}
export WATCHPOST_PROMTOOL_2=${WATCHPOST_PROMTOOL_2:-/usr/bin/promtool}
export WATCHPOST_PROMETHEUS_3=${WATCHPOST_PROMETHEUS_3:-$repo_root/.tools/root/usr/bin/prometheus}
export WATCHPOST_PROMTOOL=${WATCHPOST_PROMTOOL:-$repo_root/.tools/root/usr/bin/promtool}
export WATCHPOST_NODE_EXPORTER=${WATCHPOST_NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
export WATCHPOST_ALERTMANAGER_025=${WATCHPOST_ALERTMANAGER_025:-/usr/bin/prometheus-alertmanager}
export WATCHPOST_ALERTMANAGER_033=${WATCHPOST_ALERTMANAGER_033:-$repo_root/.tools/root/usr/bin/prometheus-alertmanager}

run_step fmt cargo fmt --all -- --check
run_step clippy cargo clippy --all-targets --quiet -- -D warnings

test_log=$(mktemp)
trap 'rm -f "$test_log"' EXIT
cargo_test() {
  # tee keeps the full log on the console; PIPESTATUS gives cargo's own status.
  cargo test --all-targets "$@" 2>&1 | tee "$test_log"
  return "${PIPESTATUS[0]}"
}
run_step test cargo_test "$@"

if [[ ${WATCHPOST_SKIP_STACK:-0} != 1 ]]; then
  run_step stack bash scripts/validate-stack.sh
fi

if [[ ${WATCHPOST_SKIP_FUZZ:-0} != 1 ]]; then
  run_step fuzz bash scripts/fuzz.sh
fi

# Sum the per-binary "test result:" lines into one count.
read -r passed failed ignored < <(awk '
  /^test result:/ {
    for (i = 1; i < NF; i++) {
      if ($(i + 1) ~ /^passed;?$/) passed += $i
      if ($(i + 1) ~ /^failed;?$/) failed += $i
      if ($(i + 1) ~ /^ignored;?$/) ignored += $i
    }
  }
  END { printf "%d %d %d\n", passed, failed, ignored }' "$test_log")

verdict=ok
[[ $failed_steps -eq 0 ]] || verdict="FAILED ($failed_steps step(s))"
echo "watchpost tests: $verdict: $passed tests passed, $failed failed, $ignored ignored;" \
  "steps: ${step_results[*]}; total $((SECONDS - started))s"
[[ $failed_steps -eq 0 ]]
