#!/usr/bin/env bash
# Runs every watchpost test: installs the test tools (Debian's Prometheus 2.42 and promtool,
# Prometheus 3.x into ./.tools, ...), then cargo fmt --check, clippy -D warnings and
# cargo test --all-targets (unit tests and the integration tests in tests/it against real
# Prometheus servers on 127.0.0.1). Prints one summary line at the end.
#   usage: scripts/test.sh [extra cargo test args, e.g. a test name filter]
#   env:   WATCHPOST_SKIP_INSTALL=1   do not run scripts/install-test-deps.sh
#          WATCHPOST_SKIP_EXTERNAL=1  let tests that need Prometheus/promtool skip themselves
#          WATCHPOST_UPDATE_GOLDEN=1  rewrite tests/golden/* from the live output
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

started=$SECONDS
step_times=()
run_step() {
  local name=$1
  shift
  local step_started=$SECONDS
  echo "==> $name: $*" >&2
  "$@"
  step_times+=("$name $((SECONDS - step_started))s")
}

if [[ ${WATCHPOST_SKIP_INSTALL:-0} != 1 ]]; then
  run_step install bash scripts/install-test-deps.sh
fi

export WATCHPOST_PROMETHEUS_2=${WATCHPOST_PROMETHEUS_2:-/usr/bin/prometheus}
export WATCHPOST_PROMTOOL_2=${WATCHPOST_PROMTOOL_2:-/usr/bin/promtool}
export WATCHPOST_PROMETHEUS_3=${WATCHPOST_PROMETHEUS_3:-$repo_root/.tools/root/usr/bin/prometheus}
export WATCHPOST_PROMTOOL=${WATCHPOST_PROMTOOL:-$repo_root/.tools/root/usr/bin/promtool}
export WATCHPOST_NODE_EXPORTER=${WATCHPOST_NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
export WATCHPOST_REVISION=${WATCHPOST_REVISION:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}

run_step fmt cargo fmt --all -- --check
run_step clippy cargo clippy --all-targets --quiet -- -D warnings

test_log=$(mktemp)
trap 'rm -f "$test_log"' EXIT
test_started=$SECONDS
set +e
cargo test --all-targets "$@" 2>&1 | tee "$test_log"
test_status=${PIPESTATUS[0]}
set -e
step_times+=("test $((SECONDS - test_started))s")

# Sum the per-binary "test result:" lines into one line.
read -r passed failed ignored < <(awk '
  /^test result:/ {
    for (i = 1; i <= NF; i++) {
      if ($(i + 1) ~ /^passed;?$/) passed += $i
      if ($(i + 1) ~ /^failed;?$/) failed += $i
      if ($(i + 1) ~ /^ignored;?$/) ignored += $i
    }
  }
  END { printf "%d %d %d\n", passed, failed, ignored }' "$test_log")

verdict=ok
[[ $test_status -eq 0 ]] || verdict=FAILED
echo "watchpost tests: $verdict: $passed passed, $failed failed, $ignored ignored;" \
  "fmt+clippy clean; total $((SECONDS - started))s (${step_times[*]})"
exit "$test_status"
