//! `GET /api/v1/metrics/system`: CPU, memory, disk, load, network and uptime (seed 001's
//! shape), read from the host collectors' latest snapshots; CPU usage and network rates come
//! from the sample history over the last five minutes. A value the host collectors did not
//! publish (collector disabled, not yet run) is `null`.

use super::AppState;
use super::rules::finite;
use super::series::{latest, rate_where, sum_where};
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::SystemTime;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Filesystem types that are not disks (as node_exporter's dashboards exclude them).
const PSEUDO_FILESYSTEMS: &[&str] = &[
    "tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs", "cgroup", "cgroup2", "ramfs",
];

/// The handler.
pub async fn system(State(state): State<AppState>) -> Json<Value> {
    let now = SystemTime::now();
    Json(json!({
        "system": {
            "cpu": cpu(&state, now),
            "memory": memory(&state),
            "disk": disk(&state),
            "load": load(&state),
            "network": network(&state, now),
            "uptime_seconds": host_uptime(&state),
        },
        "watchpost_uptime_seconds": uptime_seconds(state.api.started_at(), now),
        "timestamp": humantime::format_rfc3339_seconds(now).to_string(),
    }))
}

/// Whole seconds from `since` to `now` (0 when the clock went backwards).
pub fn uptime_seconds(since: SystemTime, now: SystemTime) -> u64 {
    now.duration_since(since).map_or(0, |d| d.as_secs())
}

fn optional(value: Option<f64>) -> Value {
    value.map_or(Value::Null, finite)
}

fn cpu(state: &AppState, now: SystemTime) -> Value {
    let registry = &state.registry;
    let cores: BTreeSet<String> = latest(registry, "node_cpu_seconds_total")
        .into_iter()
        .filter_map(|(labels, _)| labels.get("cpu").map(str::to_owned))
        .collect();
    let all = rate_where(registry, "node_cpu_seconds_total", now, |_| true);
    let idle = rate_where(registry, "node_cpu_seconds_total", now, |l| {
        matches!(l.get("mode"), Some("idle" | "iowait"))
    });
    let usage = match (all, idle) {
        (Some(all), Some(idle)) if all > 0.0 => Some(100.0 * (1.0 - idle / all)),
        _ => None,
    };
    json!({
        "usage_percent": optional(usage),
        "cores": cores.len(),
        "load_average": load_values(state),
    })
}

fn single(state: &AppState, name: &str) -> Option<f64> {
    latest(&state.registry, name).first().map(|(_, v)| *v)
}

fn load_values(state: &AppState) -> Vec<Value> {
    ["node_load1", "node_load5", "node_load15"]
        .iter()
        .map(|name| optional(single(state, name)))
        .collect()
}

fn load(state: &AppState) -> Value {
    let values = load_values(state);
    json!({"load1": values[0], "load5": values[1], "load15": values[2]})
}

fn usage(total: Option<f64>, free: Option<f64>) -> Value {
    let (Some(total), Some(free)) = (total, free) else {
        return json!({"total_gb": null, "used_gb": null, "free_gb": null, "usage_percent": null});
    };
    let used = (total - free).max(0.0);
    let percent = if total > 0.0 {
        Some(100.0 * used / total)
    } else {
        None
    };
    json!({
        "total_gb": finite(total / GIB),
        "used_gb": finite(used / GIB),
        "free_gb": finite(free / GIB),
        "usage_percent": optional(percent),
    })
}

fn memory(state: &AppState) -> Value {
    usage(
        single(state, "node_memory_MemTotal_bytes"),
        single(state, "node_memory_MemAvailable_bytes"),
    )
}

fn is_disk(labels: &crate::model::Labels) -> bool {
    !PSEUDO_FILESYSTEMS.contains(&labels.get("fstype").unwrap_or_default())
}

fn disk(state: &AppState) -> Value {
    let sizes = latest(&state.registry, "node_filesystem_size_bytes");
    let avail = latest(&state.registry, "node_filesystem_avail_bytes");
    let filesystems: Vec<Value> = sizes
        .iter()
        .filter(|(labels, _)| is_disk(labels))
        .map(|(labels, size)| {
            let free = avail.iter().find(|(l, _)| l == labels).map(|(_, v)| *v);
            let mut entry = usage(Some(*size), free);
            entry["mountpoint"] = json!(labels.get("mountpoint"));
            entry["device"] = json!(labels.get("device"));
            entry["fstype"] = json!(labels.get("fstype"));
            entry
        })
        .collect();
    let total: f64 = sizes
        .iter()
        .filter(|(l, _)| is_disk(l))
        .map(|(_, v)| v)
        .sum();
    let free: f64 = avail
        .iter()
        .filter(|(l, _)| is_disk(l))
        .map(|(_, v)| v)
        .sum();
    let mut body = if filesystems.is_empty() {
        usage(None, None)
    } else {
        usage(Some(total), Some(free))
    };
    body["filesystems"] = json!(filesystems);
    body
}

fn network(state: &AppState, now: SystemTime) -> Value {
    let registry = &state.registry;
    let not_lo = |l: &crate::model::Labels| l.get("device") != Some("lo");
    json!({
        "bytes_sent": sum_where(registry, "node_network_transmit_bytes_total", not_lo),
        "bytes_received": sum_where(registry, "node_network_receive_bytes_total", not_lo),
        "packets_sent": sum_where(registry, "node_network_transmit_packets_total", not_lo),
        "packets_received": sum_where(registry, "node_network_receive_packets_total", not_lo),
        "bytes_sent_per_second": optional(rate_where(registry, "node_network_transmit_bytes_total", now, not_lo)),
        "bytes_received_per_second": optional(rate_where(registry, "node_network_receive_bytes_total", now, not_lo)),
    })
}

fn host_uptime(state: &AppState) -> Value {
    match (
        single(state, "node_time_seconds"),
        single(state, "node_boot_time_seconds"),
    ) {
        (Some(time), Some(boot)) => finite((time - boot).max(0.0)),
        _ => Value::Null,
    }
}
