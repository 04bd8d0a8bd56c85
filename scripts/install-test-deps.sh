#!/usr/bin/env bash
# Installs everything watchpost's tests and benchmark need, idempotently:
#   - Debian's prometheus (2.42, ships promtool 2.x), prometheus-node-exporter,
#     prometheus-alertmanager, python3-aiosmtpd, python3-prometheus-client, curl, jq, openssl
#     (the email TLS tests' and probe tests' test CAs), prometheus-pushgateway (bench/notify_latency.sh, bench/compare_push.sh) (apt, as root);
#   - cargo-fuzz (cargo install --locked, only when missing) for scripts/fuzz.sh;
#   - Prometheus 3.x, promtool 3.x, alertmanager and docker compose v2 unpacked into ./.tools
#     by ../shared/tools/current-prometheus.sh (git-ignored).
# Debian services are never left running: a policy-rc.d that denies service starts is in place
# during the install, and anything Debian started anyway on :9090/:9091/:9093/:9100 is stopped.
#   usage: scripts/install-test-deps.sh        (from anywhere; run as root)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

apt_packages=(prometheus prometheus-node-exporter prometheus-alertmanager python3-aiosmtpd python3-prometheus-client curl jq openssl prometheus-pushgateway)
debian_services=(prometheus prometheus-node-exporter prometheus-alertmanager prometheus-pushgateway)
policy_file=/usr/sbin/policy-rc.d

log() { echo "install-test-deps: $*" >&2; }

all_installed() {
  local pkg status
  for pkg in "${apt_packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ $status == installed ]] || return 1
  done
}

# Debian's postinst calls invoke-rc.d, which asks policy-rc.d; exit 101 means "do not start".
install_deny_policy() {
  if [[ -e $policy_file ]]; then
    return 1
  fi
  printf '#!/bin/sh\n# written by watchpost scripts/install-test-deps.sh for the duration of apt-get\nexit 101\n' >"$policy_file"
  chmod 755 "$policy_file"
}

stop_debian_services() {
  local service
  # Only the packaged services (by their init system), never other Prometheus processes.
  for service in "${debian_services[@]}"; do
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
      if systemctl is-active --quiet "$service"; then
        log "stopping Debian's $service service (it holds a fixed port)"
        systemctl stop "$service" || true
        systemctl disable "$service" >/dev/null 2>&1 || true
      fi
    elif [[ -x /etc/init.d/$service ]] && service "$service" status >/dev/null 2>&1; then
      log "stopping Debian's $service service (it holds a fixed port)"
      service "$service" stop >/dev/null 2>&1 || true
    fi
  done
}

install_apt_packages() {
  if all_installed; then
    log "apt packages already installed: ${apt_packages[*]}"
    return
  fi
  if [[ $(id -u) -ne 0 ]]; then
    log "must run as root to apt-get install ${apt_packages[*]}"
    exit 1
  fi
  if install_deny_policy; then
    trap 'rm -f "$policy_file"' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Other processes on the machine may hold the dpkg lock for a while: wait instead of failing.
  local lock_wait=(-o DPkg::Lock::Timeout=600)
  apt-get "${lock_wait[@]}" update -qq
  apt-get "${lock_wait[@]}" install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
}

install_current_prometheus() {
  local script="$repo_root/../shared/tools/current-prometheus.sh"
  if [[ ! -f $script ]]; then
    log "missing $script (the shared folder must sit beside the repository)"
    exit 1
  fi
  # The shared script's own up-to-date check looks for bin/alertmanager, but Debian's package
  # installs bin/prometheus-alertmanager, so it would download everything again on every run.
  local bin="$repo_root/.tools/root/usr/bin"
  if [[ -x $bin/prometheus && -x $bin/promtool && -x $bin/docker-compose ]] &&
    [[ -x $bin/alertmanager || -x $bin/prometheus-alertmanager ]]; then
    return
  fi
  bash "$script" "$repo_root/.tools" >/dev/null
}

check_tools() {
  local tool
  for tool in /usr/bin/prometheus /usr/bin/promtool /usr/bin/prometheus-node-exporter \
    "$repo_root/.tools/root/usr/bin/prometheus" "$repo_root/.tools/root/usr/bin/promtool"; do
    if [[ ! -x $tool ]]; then
      log "expected tool missing after install: $tool"
      exit 1
    fi
  done
}

install_cargo_fuzz() {
  if cargo fuzz --version >/dev/null 2>&1; then
    return
  fi
  log "installing cargo-fuzz"
  cargo install --locked --quiet cargo-fuzz
}

install_apt_packages
stop_debian_services
install_cargo_fuzz
install_current_prometheus
check_tools
log "ok: prometheus $(/usr/bin/prometheus --version 2>&1 | awk 'NR==1 {print $3}'), prometheus 3.x $("$repo_root/.tools/root/usr/bin/prometheus" --version 2>&1 | awk 'NR==1 {print $3}')"
