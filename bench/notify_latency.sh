#!/usr/bin/env bash
# Benchmark (not a test): detection-to-delivery latency, from the push that crosses a threshold
# to a local webhook receiving the alert, p50/p99 (bench/notify_latency.py is the pusher and
# the receiver), all on 127.0.0.1:
#   1. watchpost (release): POST /api/v1/metrics, a `for: 0s` rule, group_wait 0s;
#      N alerts one at a time (each push waits for its webhook);
#   2. Debian's Prometheus + prometheus-pushgateway + Alertmanager at their fastest settings
#      (scrape 1s, eval 1s, group_wait 0s): N alerts pushed every 0.37s;
#   3. the same at their defaults (scrape 1m, eval 1m, group_wait 30s): N_DEFAULT alerts
#      pushed every 3.1s.
#   usage: bench/notify_latency.sh [--write] [--count N] [--count-default N]  (100 / 20)
#   env:   WATCHPOST_BIN=path  measure this watchpost binary (no release build)
#   --write  also replace the "Notifications: detection to delivery" section of BENCHMARKS.md
# Needs: cargo, python3, prometheus, prometheus-pushgateway, prometheus-alertmanager
# (scripts/install-test-deps.sh).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
write=0
count=100
count_default=20
while [[ $# -gt 0 ]]; do
  case $1 in
    --write) write=1 ;;
    --count) count=$2; shift ;;
    --count-default) count_default=$2; shift ;;
    *) echo "usage: $0 [--write] [--count N] [--count-default N]" >&2; exit 64 ;;
  esac
  shift
done
prometheus=${WATCHPOST_PROMETHEUS_2:-/usr/bin/prometheus}
pushgateway=/usr/bin/prometheus-pushgateway
alertmanager=${WATCHPOST_ALERTMANAGER_025:-/usr/bin/prometheus-alertmanager}
for tool in "$prometheus" "$pushgateway" "$alertmanager"; do
  [[ -x $tool ]] || { echo "missing $tool: run scripts/install-test-deps.sh" >&2; exit 1; }
done

# WATCHPOST_BIN=path skips the release build and measures that binary instead.
build="release"
if [[ -n ${WATCHPOST_BIN:-} ]]; then
  watchpost=$WATCHPOST_BIN
  build="binary $(basename "$(dirname "$WATCHPOST_BIN")")"
else
  echo "building watchpost (release)..." >&2
  cargo build --release --quiet --bin watchpost
  target_dir=${CARGO_TARGET_DIR:-$repo_root/target}
  watchpost=$target_dir/release/watchpost
fi

# shellcheck source=lib.sh
source "$repo_root/bench/lib.sh"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Polls URL until it answers 200 (30 s at most).
wait_http() {
  local url=$1 i
  for i in $(seq 300); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for $url" >&2
  return 1
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
measure() { python3 "$repo_root/bench/notify_latency.py" "$@"; }

# 1. watchpost
receiver_port=$(free_port)
port=$(free_port)
mkdir -p "$work/wp/rules"
cat >"$work/wp/rules/latency.yml" <<YAML
groups:
  - name: latency
    interval: 1h
    rules:
      - alert: NotifyLatency
        expr: notify_latency_value > 100
        for: 0s
YAML
cat >"$work/wp/watchpost.yml" <<YAML
server: {listen_address: "127.0.0.1:$port"}
collectors: {interval: 15s}
rules: {files: [$work/wp/rules/*.yml]}
storage: {path: $work/wp/data/watchpost.db}
logging: {level: warn}
push: {}
notify:
  receivers:
    - name: hook
      webhook: {url: "http://127.0.0.1:$receiver_port/hook"}
  route: {receiver: hook, group_by: [alertname, seq], group_wait: 0s, group_interval: 1s}
YAML
"$watchpost" run --config.file "$work/wp/watchpost.yml" 2>"$work/wp/log" &
pids+=($!)
wait_http "http://127.0.0.1:$port/-/ready"
load_wp=$(load)
echo "watchpost: $count alerts..." >&2
result_wp=$(measure --mode watchpost --push-url "http://127.0.0.1:$port/api/v1/metrics" \
  --receiver-port "$receiver_port" --count "$count" --timeout 10)
echo "$result_wp" >&2

# 2./3. Prometheus + Pushgateway + Alertmanager
run_prometheus_stack() {
  local name=$1 scrape=$2 eval=$3 group_wait=$4 n=$5 spacing=$6 timeout=$7
  local dir=$work/$name pg_port am_port prom_port hook_port
  mkdir -p "$dir"
  pg_port=$(free_port); am_port=$(free_port); prom_port=$(free_port); hook_port=$(free_port)
  cat >"$dir/am.yml" <<YAML
route:
  receiver: hook
  group_by: [alertname, seq]
  group_wait: $group_wait
receivers:
  - name: hook
    webhook_configs: [{url: "http://127.0.0.1:$hook_port/hook"}]
YAML
  cat >"$dir/rules.yml" <<YAML
groups:
  - name: latency
    rules:
      - alert: NotifyLatency
        expr: notify_latency_value > 100
        for: 0s
YAML
  {
    echo "global:"
    [[ $scrape == default ]] || echo "  scrape_interval: $scrape"
    [[ $eval == default ]] || echo "  evaluation_interval: $eval"
    cat <<YAML
rule_files: [$dir/rules.yml]
alerting:
  alertmanagers: [{static_configs: [{targets: ["127.0.0.1:$am_port"]}]}]
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs: [{targets: ["127.0.0.1:$pg_port"]}]
YAML
  } >"$dir/prometheus.yml"
  "$pushgateway" --web.listen-address="127.0.0.1:$pg_port" 2>"$dir/pg.log" &
  pids+=($!)
  "$alertmanager" --config.file="$dir/am.yml" --storage.path="$dir/am" \
    --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= 2>"$dir/am.log" &
  pids+=($!)
  "$prometheus" --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" \
    --web.listen-address="127.0.0.1:$prom_port" 2>"$dir/prom.log" &
  pids+=($!)
  wait_http "http://127.0.0.1:$pg_port/-/ready"
  wait_http "http://127.0.0.1:$am_port/-/ready"
  wait_http "http://127.0.0.1:$prom_port/-/ready"
  stack_load=$(load)
  echo "prometheus stack ($name): $n alerts..." >&2
  stack_result=$(measure --mode pushgateway --push-url "http://127.0.0.1:$pg_port" \
    --receiver-port "$hook_port" --count "$n" --spacing "$spacing" --timeout "$timeout")
  echo "$stack_result" >&2
}
run_prometheus_stack fast 1s 1s 0s "$count" 0.37 30
result_fast=$stack_result load_fast=$stack_load
run_prometheus_stack defaults default default 30s "$count_default" 3.1 240
result_default=$stack_result load_default=$stack_load

row() {
  python3 - "$@" <<'PY'
import json, sys
name, settings, result, load = sys.argv[1:5]
r = json.loads(result)
fmt = lambda key: f"{r[key]:.1f} ms" if r.get(key, 0) < 10000 else f"{r[key] / 1000:.1f} s"
print(f"| {name} | {settings} | {r['received']}/{r['pushed']} | {fmt('p50_ms')} | {fmt('p99_ms')} | {fmt('max_ms')} | {load} |")
PY
}
revision=$(git rev-parse --short=12 HEAD)
table=$(
  echo "| pipeline | settings | alerts received | p50 | p99 | max | load (1/5/15 min) |"
  echo "|---|---|---:|---:|---:|---:|---|"
  row "watchpost ($build, $revision)" "for 0s, group_wait 0s; evaluated on push" "$result_wp" "$load_wp"
  row "Prometheus $("$prometheus" --version 2>&1 | awk 'NR==1{print $3}') + Pushgateway $("$pushgateway" --version 2>&1 | awk 'NR==1{print $3}') + Alertmanager $("$alertmanager" --version 2>&1 | awk 'NR==1{print $3}')" "scrape 1s, eval 1s, group_wait 0s" "$result_fast" "$load_fast"
  row "the same" "defaults: scrape 1m, eval 1m, group_wait 30s" "$result_default" "$load_default"
)
echo "$table"

if [[ $write -eq 1 ]]; then
  section=$(cat <<MD
## Notifications: detection to delivery (issue 4)

Command: \`bench/notify_latency.sh --write\` (count $count, defaults count $count_default) — $(date -u '+%Y-%m-%d %H:%M UTC')
on $(nproc) CPUs ($(uname -r)), a machine shared with other builds (load in the table). From just
before the push that crosses the threshold to a local webhook (bench/notify_latency.py, same
process, monotonic clock) receiving that alert; every alert is a distinct series and group.
watchpost: \`POST /api/v1/metrics\`, one alert at a time (each push waits for its webhook).
Prometheus stack: \`PUT\` to the Pushgateway, Prometheus scrapes it and evaluates the rule,
Alertmanager posts the webhook; alerts pushed every 0.37 s (fast) or 3.1 s (defaults) so their
phases against the scrape/eval ticks spread out. Target (issue 4): watchpost p99 at most 50 ms.

$table
MD
)
  python3 - "$repo_root/BENCHMARKS.md" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
pattern = re.compile(r"## Notifications: detection to delivery.*?(?=\n## |\Z)", re.S)
text = pattern.sub(lambda m: section.rstrip() + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section.rstrip() + "\n"
open(path, "w").write(text)
PY
fi
