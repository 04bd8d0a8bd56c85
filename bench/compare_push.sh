#!/usr/bin/env bash
# Benchmark (not a test): push ingestion on 127.0.0.1, bounded in count. Builds watchpost in
# release and starts it with push limits high enough for the load (and no rules), then:
#   1. pushes 100,000 distinct series as JSON (100 batches of 1,000) and records the RSS delta
#      per series once they are published;
#   2. scrapes /metrics (100,000 pushed series) 20 times: p50 and max latency;
#   3. sustained JSON push: 1,000 batches of 1,000 samples over those series from 2 threads;
#   4. Pushgateway format, side by side with Debian's prometheus-pushgateway: 5 rounds of 100
#      PUTs of 100 series each (10,000 series per round) to each server in turn.
# The load generator (bench/push_load.py, Python) runs on the same 2 cores as the server.
#   usage: bench/compare_push.sh        (WATCHPOST_BIN=path skips the release build)
# Needs: cargo, python3, curl, /usr/bin/prometheus-pushgateway (scripts/install-test-deps.sh).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
pushgateway=${WATCHPOST_PUSHGATEWAY:-/usr/bin/prometheus-pushgateway}
[[ -x $pushgateway ]] || { echo "missing $pushgateway: run scripts/install-test-deps.sh" >&2; exit 1; }
load=(python3 "$repo_root/bench/push_load.py")

# WATCHPOST_BIN runs an already built binary instead (say which build in BENCHMARKS.md).
if [[ -n ${WATCHPOST_BIN:-} ]]; then
  watchpost=$WATCHPOST_BIN
else
  echo "building watchpost (release)..." >&2
  cargo build --release --quiet --bin watchpost
  watchpost=${CARGO_TARGET_DIR:-$repo_root/target}/release/watchpost
fi

# shellcheck source=lib.sh
source "$repo_root/bench/lib.sh"

# Polls URL until it answers 200, or fails when PID dies or 30 s pass.
wait_for() {
  local pid=$1 url=$2 deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || return 1
    curl -fsS --noproxy '*' -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

# Polls URL/metrics until it holds at least N sample lines of bench_metric_*.
wait_for_series() {
  local url=$1 wanted=$2 deadline=$((SECONDS + 60)) have=0
  while ((SECONDS < deadline)); do
    have=$(curl -fsS --noproxy '*' "$url/metrics" | grep -c '^bench_metric_' || true)
    ((have >= wanted)) && return 0
    sleep 0.5
  done
  echo "only $have of $wanted pushed series appeared" >&2
  return 1
}

port=$("${load[@]}" free-port)
mkdir -p "$work/watchpost"
cat >"$work/watchpost/watchpost.yml" <<YAML
server: {listen_address: "127.0.0.1:$port"}
storage: {path: $work/watchpost/watchpost.db}
logging: {level: warn}
rules: {files: []}
push:
  limits: {max_series: 1000000, max_series_per_metric: 1000000, max_body_bytes: 52428800}
YAML
"$watchpost" run --config.file "$work/watchpost/watchpost.yml" >"$work/watchpost.log" 2>&1 &
watchpost_pid=$!
pids+=("$watchpost_pid")
wait_for "$watchpost_pid" "http://127.0.0.1:$port/-/ready" || { cat "$work/watchpost.log" >&2; exit 1; }
wp=http://127.0.0.1:$port

gw_port=$("${load[@]}" free-port)
"$pushgateway" --web.listen-address="127.0.0.1:$gw_port" >"$work/pushgateway.log" 2>&1 &
gw_pid=$!
pids+=("$gw_pid")
wait_for "$gw_pid" "http://127.0.0.1:$gw_port/-/ready" || { cat "$work/pushgateway.log" >&2; exit 1; }
gw=http://127.0.0.1:$gw_port

sleep 2 # let the first collections settle before the baseline RSS
rss_before=$("${load[@]}" rss --pid "$watchpost_pid")
echo "1. pushing 100,000 series (JSON)..." >&2
"${load[@]}" json --url "$wp" --batches 100 --batch-size 1000 --series 100000 --threads 2 >"$work/first.json"
wait_for_series "$wp" 100000
rss_after=$("${load[@]}" rss --pid "$watchpost_pid")
echo "2. scraping 100,000 pushed series..." >&2
"${load[@]}" scrape --url "$wp/metrics" --count 20 >"$work/scrape.json"
echo "3. sustained JSON push..." >&2
"${load[@]}" json --url "$wp" --batches 1000 --batch-size 1000 --series 100000 --threads 2 >"$work/sustained.json"
echo "4. Pushgateway format, watchpost then pushgateway..." >&2
"${load[@]}" gateway --url "$wp" --groups 100 --per-group 100 --rounds 5 >"$work/gw-watchpost.json"
"${load[@]}" gateway --url "$gw" --groups 100 --per-group 100 --rounds 5 >"$work/gw-pushgateway.json"
rss_end=$("${load[@]}" rss --pid "$watchpost_pid")

python3 - "$work" "$rss_before" "$rss_after" "$rss_end" <<'PY'
import json, sys
work, before, after, end = sys.argv[1], *map(int, sys.argv[2:])
load = lambda name: json.load(open(f"{work}/{name}.json"))
first, scrape, sustained = load("first"), load("scrape"), load("sustained")
wpg, pg = load("gw-watchpost"), load("gw-pushgateway")
for name, result in [("first", first), ("sustained", sustained), ("gw-watchpost", wpg), ("gw-pushgateway", pg)]:
    if result.get("error_count"):
        print(f"{name}: {result['error_count']} errors, e.g. {result['errors']}", file=sys.stderr)
per_series = (after - before) * 1024 / 100_000
rows = [
    ("JSON push, 100,000 new series (100 batches of 1,000)", f"{first['samples_per_second']:,.0f} samples/s", ""),
    ("JSON push, sustained (1,000 batches of 1,000, 2 threads)", f"{sustained['samples_per_second']:,.0f} samples/s", "≥ 100,000 samples/s"),
    ("Pushgateway format, watchpost (5 × 100 PUTs × 100 series)", f"{wpg['series_per_second']:,.0f} series/s", ""),
    ("Pushgateway format, prometheus-pushgateway (same load)", f"{pg['series_per_second']:,.0f} series/s", ""),
    ("Pushgateway format, watchpost / pushgateway", f"{wpg['series_per_second'] / pg['series_per_second']:.1f}×", "≥ 5×"),
    (f"`/metrics` with 100,000 pushed series ({scrape['samples']:,} samples, {scrape['bytes'] / 1e6:.1f} MB), p50", f"{scrape['p50_ms']:.1f} ms", "≤ 100 ms"),
    ("`/metrics` with 100,000 pushed series, max of 20", f"{scrape['max_ms']:.1f} ms", ""),
    ("RSS before → after 100,000 series (→ after everything)", f"{before / 1024:.1f} → {after / 1024:.1f} MiB (→ {end / 1024:.1f})", ""),
    ("memory per pushed series (RSS delta / 100,000)", f"{per_series:.0f} B", "≤ 300 B"),
]
print("| measurement | result | target |")
print("|---|---:|---|")
for row in rows:
    print("| " + " | ".join(row) + " |")
PY
