#!/usr/bin/env bash
# Benchmark (not a test): Prometheus's own rule evaluationTime for the criterion rule_eval
# bench's shapes. Serves 100,000 series (1,000 metrics x 100 series, bench/prom_series_server.py)
# on 127.0.0.1, starts Debian's prometheus on a free 127.0.0.1 port scraping it every 5 s with
# 1,000 alerting rules in one group (interval 15s): avg_over_time(m[5m]) > 90,
# max_over_time(m{job="node"}[5m]) >= 99, rate(m[5m]) > 3.3, quantile_over_time(0.95, m[5m]) > 97,
# as benches/rule_eval.rs. Skips the first WARMUP evaluations, then reads the group's
# evaluationTime and the sum of its rules' evaluationTime from /api/v1/rules for SAMPLES
# distinct evaluations and prints median and max. The 5-minute windows are NOT fully populated
# (a few minutes of run time at most). Stops everything it started; gives up after 8 minutes.
#   usage: bench/prometheus_rule_eval.sh [--warmup N] [--samples N]   (defaults 3, 6)
# Needs: python3, curl, jq, /usr/bin/prometheus (scripts/install-test-deps.sh).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
warmup=3
samples=6
while [[ $# -gt 0 ]]; do
  case $1 in
    --warmup) warmup=$2; shift ;;
    --samples) samples=$2; shift ;;
    *) echo "usage: $0 [--warmup N] [--samples N]" >&2; exit 64 ;;
  esac
  shift
done
prometheus=${WATCHPOST_PROMETHEUS:-/usr/bin/prometheus}
[[ -x $prometheus ]] || { echo "missing $prometheus: run scripts/install-test-deps.sh" >&2; exit 1; }
deadline=$((SECONDS + 480))

# shellcheck source=lib.sh
source "$repo_root/bench/lib.sh"

wait_for() { # wait_for DESCRIPTION COMMAND...: poll COMMAND until it succeeds or the deadline
  local what=$1; shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "timed out waiting for $what" >&2; exit 1; }
    sleep 0.5
  done
}

python3 "$repo_root/bench/prom_series_server.py" "$work/series.port" &
pids+=($!)
wait_for "the series server's port" test -s "$work/series.port"
series_port=$(cat "$work/series.port")

prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

{
  echo "groups:"
  echo "  - name: bench"
  echo "    interval: 15s"
  echo "    rules:"
  for ((m = 0; m < 1000; m++)); do
    case $((m % 4)) in
      0) expr="avg_over_time(bench_metric_${m}[5m]) > 90" ;;
      1) expr="max_over_time(bench_metric_$m{job=\"node\"}[5m]) >= 99" ;;
      2) expr="rate(bench_metric_${m}[5m]) > 3.3" ;;
      3) expr="quantile_over_time(0.95, bench_metric_${m}[5m]) > 97" ;;
    esac
    echo "      - alert: Bench$m"
    echo "        expr: '$expr'"
  done
} >"$work/rules.yml"

cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 5s
  scrape_timeout: 4s
  evaluation_interval: 15s
rule_files: ["$work/rules.yml"]
scrape_configs:
  - job_name: bench
    honor_labels: true
    static_configs: [{targets: ["127.0.0.1:$series_port"]}]
YAML

"$prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)
api=http://127.0.0.1:$prom_port/api/v1/rules
wait_for "prometheus /api/v1/rules" curl -fsS "$api"
echo "prometheus $("$prometheus" --version 2>&1 | awk 'NR==1 {print $3}') on 127.0.0.1:$prom_port, series on 127.0.0.1:$series_port" >&2

# One line per distinct evaluation: lastEvaluation, group evaluationTime, sum of rule
# evaluationTimes, active alerts.
read_group() {
  curl -fsS "$api" | jq -r '.data.groups[] | select(.name == "bench") |
    [.lastEvaluation, .evaluationTime, ([.rules[].evaluationTime] | add),
     ([.rules[].alerts | length] | add)] | @tsv'
}
seen=""
count=0
: >"$work/evals.tsv"
while ((count < warmup + samples)); do
  ((SECONDS < deadline)) || { echo "timed out after $count evaluations" >&2; exit 1; }
  line=$(read_group || true)
  last=${line%%$'\t'*}
  if [[ -n $line && $last != "0001-01-01T00:00:00Z" && $last != "$seen" ]]; then
    seen=$last
    count=$((count + 1))
    echo "evaluation $count: $line" >&2
    ((count > warmup)) && echo "$line" >>"$work/evals.tsv"
  fi
  sleep 1
done

scraped=$(curl -fsS "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode 'query=scrape_samples_scraped' |
  jq -r '.data.result[0].value[1]')
python3 - "$work/evals.tsv" "$scraped" "$warmup" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]) if line.strip()]
group = [float(r[1]) * 1000 for r in rows]
rules = [float(r[2]) * 1000 for r in rows]
alerts = [int(r[3]) for r in rows]
print(f"samples per scrape: {sys.argv[2]}; evaluations skipped: {sys.argv[3]}; measured: {len(rows)}")
print(f"active alerts (pending+firing) per evaluation: {min(alerts)}..{max(alerts)}")
print("| measure | median | max |")
print("|---|---:|---:|")
print(f"| group evaluationTime | {statistics.median(group):.1f} ms | {max(group):.1f} ms |")
print(f"| sum of rules' evaluationTime | {statistics.median(rules):.1f} ms | {max(rules):.1f} ms |")
PY
