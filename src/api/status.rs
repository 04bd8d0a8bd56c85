//! `GET /api/v1/status` (version, uptime, the last config reload, counts) and the admin-only
//! `GET /api/v1/debug/info` (build, the running config with secrets redacted, runtime stats).

use super::AppState;
use super::system_metrics::uptime_seconds;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use std::sync::PoisonError;
use std::time::SystemTime;

/// Config keys whose values are replaced by `<secret>` in `debug/info`, whatever their type.
const SECRET_KEY_WORDS: &[&str] = &["password", "secret", "token", "api_key", "authorization"];

/// `GET /api/v1/status`.
pub async fn status(State(state): State<AppState>) -> Json<Value> {
    let now = SystemTime::now();
    let reload = state.api.reload_status();
    let snapshots = state.registry.snapshots();
    let engine = state.rules.lock().unwrap_or_else(PoisonError::into_inner);
    let counts = engine.counts();
    let rules: usize = engine.groups().iter().map(|g| g.rules.len()).sum();
    let groups = engine.groups().len();
    drop(engine);
    let pushed_series = state.push.read(|store| store.series_count());
    Json(json!({
        "status": "running",
        "version": crate::VERSION,
        "revision": crate::REVISION,
        "started_at": humantime::format_rfc3339_seconds(state.api.started_at()).to_string(),
        "uptime_seconds": uptime_seconds(state.api.started_at(), now),
        "ready": *state.ready.borrow(),
        "config_reload": {
            "successful": reload.successful,
            "last_reload_at": reload.at.map(|at| humantime::format_rfc3339_seconds(at).to_string()),
            "errors": reload.errors,
        },
        "counts": {
            "sources": snapshots.len(),
            "series": snapshots.iter().map(|s| s.sample_count()).sum::<usize>(),
            "pushed_series": pushed_series,
            "rule_groups": groups,
            "rules": rules,
            "active_alerts": counts.active_count,
            "firing_critical": counts.critical_count,
            "firing_warning": counts.warning_count,
            "websocket_connections": state.api.websocket_metrics().connections.get(),
        },
        "timestamp": humantime::format_rfc3339_seconds(now).to_string(),
    }))
}

/// `GET /api/v1/debug/info` (admin only).
pub async fn debug_info(State(state): State<AppState>) -> Json<Value> {
    let mut config = serde_json::to_value(&*state.api.config()).unwrap_or(Value::Null);
    redact(&mut config);
    let history = state.registry.history().map(|h| h.stats());
    Json(json!({
        "debug": {
            "build": {
                "version": crate::VERSION,
                "revision": crate::REVISION,
                "target_os": std::env::consts::OS,
                "target_arch": std::env::consts::ARCH,
                "debug_assertions": cfg!(debug_assertions),
            },
            "config": config,
            "runtime": runtime_stats(),
            "history": history.map(|h| json!({
                "series": h.series, "samples": h.samples, "sample_bytes": h.sample_bytes,
            })),
            "store_path": state.api.config().storage.path.display().to_string(),
        },
        "timestamp": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
    }))
}

/// Replaces the value of every key naming a secret with `<secret>` (the config's `Secret`
/// type already serializes that way; this also covers secrets held in plain strings).
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                let key = key.to_ascii_lowercase();
                if SECRET_KEY_WORDS.iter().any(|word| key.contains(word)) && !inner.is_null() {
                    *inner = json!("<secret>");
                } else {
                    redact(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// Process id, threads, open file descriptors and resident memory (Linux `/proc/self`).
fn runtime_stats() -> Value {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    let open_files = std::fs::read_dir("/proc/self/fd").map(|d| d.count()).ok();
    let workers = tokio::runtime::Handle::try_current()
        .map(|h| h.metrics().num_workers())
        .ok();
    json!({
        "pid": std::process::id(),
        "threads": field("Threads:"),
        "resident_memory_bytes": field("VmRSS:").map(|kib| kib * 1024),
        "open_files": open_files,
        "tokio_workers": workers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secret_keys_at_any_depth() {
        let mut value = json!({
            "notify": {"receivers": [{"name": "ops", "smtp_password": "hunter2", "api_key": "k"}]},
            "server": {"listen_address": "0.0.0.0:1"},
            "token": null,
        });
        redact(&mut value);
        let receiver = &value["notify"]["receivers"][0];
        assert_eq!(receiver["smtp_password"], "<secret>");
        assert_eq!(receiver["api_key"], "<secret>");
        assert_eq!(receiver["name"], "ops");
        assert_eq!(value["server"]["listen_address"], "0.0.0.0:1");
        assert!(value["token"].is_null());
    }
}
