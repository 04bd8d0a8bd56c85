#!/usr/bin/env bash
# Benchmark (not a test): watchpost vs Debian's prometheus-node-exporter, side by side on
# 127.0.0.1. Builds watchpost in release, starts both on distinct free ports, waits until both
# serve /metrics, then scrapes each one in turn with a fixed number of sequential requests
# (identity, then gzip as Prometheus asks) and prints a markdown table: /metrics latency
# p50/p99, CPU seconds per 1,000 scrapes, samples per scrape, RSS idle and after load.
#   usage: bench/compare_node_exporter.sh [--write] [--count N]     (default N=1000)
#   --write  also replace the "Exporter: watchpost vs node_exporter" section of BENCHMARKS.md
# Needs: cargo, python3, /usr/bin/prometheus-node-exporter (scripts/install-test-deps.sh).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
write=0
count=1000
while [[ $# -gt 0 ]]; do
  case $1 in
    --write) write=1 ;;
    --count) count=$2; shift ;;
    *) echo "usage: $0 [--write] [--count N]" >&2; exit 64 ;;
  esac
  shift
done

node_exporter=${WATCHPOST_NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
[[ -x $node_exporter ]] || { echo "missing $node_exporter: run scripts/install-test-deps.sh" >&2; exit 1; }
helper=(python3 "$repo_root/bench/scrape_load.py")

echo "building watchpost (release)..." >&2
cargo build --release --quiet --bin watchpost
target_dir=${CARGO_TARGET_DIR:-$repo_root/target}
watchpost=$target_dir/release/watchpost

# shellcheck source=lib.sh
source "$repo_root/bench/lib.sh"

# Starts "$@" (a command line whose listen port is %PORT%) on a free port; retries on a taken
# port. Sets started_pid and started_port.
start_on_free_port() {
  local name=$1 port pid
  shift
  for _ in 1 2 3 4 5; do
    port=$("${helper[@]}" free-port)
    "${@//%PORT%/$port}" >"$work/$name.log" 2>&1 &
    pid=$!
    if wait_for_metrics "$pid" "http://127.0.0.1:$port/metrics"; then
      pids+=("$pid"); started_pid=$pid; started_port=$port
      return 0
    fi
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  done
  echo "$name did not start; its log:" >&2; cat "$work/$name.log" >&2
  exit 1
}

# Polls until URL answers 200 with samples (watchpost: after its first collection) or PID dies.
wait_for_metrics() {
  local pid=$1 url=$2 deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || return 1
    if curl -fsS --noproxy '*' -o "$work/probe" "$url" 2>/dev/null && grep -q '^node_' "$work/probe"; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

mkdir -p "$work/watchpost"
start_on_free_port watchpost env -C "$work/watchpost" "$watchpost" run \
  --web.listen-address 127.0.0.1:%PORT% --log.level warn
watchpost_pid=$started_pid watchpost_port=$started_port
start_on_free_port node_exporter "$node_exporter" --web.listen-address=127.0.0.1:%PORT%
node_pid=$started_pid node_port=$started_port

results=()
for encoding in identity gzip; do
  flag=()
  [[ $encoding == gzip ]] && flag=(--gzip)
  for target in "watchpost $watchpost_pid $watchpost_port" "node_exporter $node_pid $node_port"; do
    read -r name pid port <<<"$target"
    echo "scraping $name $count times ($encoding)..." >&2
    "${helper[@]}" measure --name "$name" --pid "$pid" --count "$count" "${flag[@]}" \
      --url "http://127.0.0.1:$port/metrics" >"$work/$name-$encoding.json"
    results+=("$work/$name-$encoding.json")
  done
done

node_version=$("$node_exporter" --version 2>&1 | awk 'NR==1 {print $3}')
watchpost_version=$("$watchpost" version 2>/dev/null | head -n1 || echo "watchpost")
table=$("${helper[@]}" table "${results[@]}")
section=$(cat <<EOF
## Exporter: watchpost vs node_exporter

Command: \`bench/compare_node_exporter.sh --write\` (count $count) — $(date -u '+%Y-%m-%d %H:%M UTC')
on $(nproc) CPUs ($(uname -r)); ${watchpost_version} (release build) vs Debian's
prometheus-node-exporter ${node_version} with its default collectors. Both run at the same time
on 127.0.0.1; each is scraped $count times in sequence over one keep-alive connection with
Prometheus's scrape headers, first without and then with \`Accept-Encoding: gzip\`. CPU is the
exporter's utime+stime from /proc/PID/stat over the run (watchpost's background collection
included); RSS is VmRSS after startup and after both runs. Samples count every sample line
(node_exporter's include its own go_*/process_*/promhttp_* series).

$table

Targets (issue 2): watchpost's p50 latency and CPU per scrape at most 1/5 of node_exporter's;
idle RSS under 15 MiB. The machine is shared, so latencies are noisy; compare the ratios.
EOF
)
echo "$section"

if [[ $write -eq 1 ]]; then
  python3 - "$repo_root/BENCHMARKS.md" "$section" <<'EOF'
import re, sys
path, section = sys.argv[1], sys.argv[2].rstrip() + "\n"
try:
    text = open(path).read()
except FileNotFoundError:
    text = "# Benchmarks\n\nFigures from the scripts under `bench/`, with the command that made them.\n"
heading = "## Exporter: watchpost vs node_exporter"
pattern = re.compile(re.escape(heading) + r".*?(?=^## |\Z)", re.S | re.M)
text = pattern.sub(lambda _: section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
open(path, "w").write(text.rstrip() + "\n")
EOF
  echo "wrote BENCHMARKS.md" >&2
fi
