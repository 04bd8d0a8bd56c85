#!/usr/bin/env bash
# Runs each cargo-fuzz target in fuzz/ briefly (the push parsers: text exposition, JSON metrics,
# requests, logs): one build of all targets, then WATCHPOST_FUZZ_SECONDS (default 20) per
# target, starting from the committed seed corpus in fuzz/corpus/<target>. New inputs go to a
# temporary directory, so the committed corpus stays small; a crash leaves its input in
# fuzz/artifacts/<target>/ and fails the script.
#   usage: scripts/fuzz.sh [target...]
#   env:   WATCHPOST_FUZZ_SECONDS=N        seconds per target
#          WATCHPOST_FUZZ_TARGET_DIR=DIR   cargo target dir (default fuzz/target)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

seconds=${WATCHPOST_FUZZ_SECONDS:-20}
target_dir=${WATCHPOST_FUZZ_TARGET_DIR:-$repo_root/fuzz/target}
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(text_exposition json_metrics json_requests json_logs)
fi

# cargo-fuzz wants a nightly compiler; without one installed, let stable act as nightly.
toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi
# Panics are what these targets look for: safe Rust needs no AddressSanitizer, and a debug
# build (--dev) compiles in half the time of an optimised one, which matters more for a
# 20-second run than execution speed.
fuzz_flags=(--dev --sanitizer none --target-dir "$target_dir")

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cargo "${toolchain[@]}" fuzz build "${fuzz_flags[@]}"
for target in "${targets[@]}"; do
  mkdir -p "$scratch/$target"
  echo "fuzz: $target for ${seconds}s" >&2
  cargo "${toolchain[@]}" fuzz run "${fuzz_flags[@]}" "$target" \
    "$scratch/$target" "fuzz/corpus/$target" -- -max_total_time="$seconds" -print_final_stats=1
done
echo "fuzz: ok: ${targets[*]}" >&2
