//! `GET /api/v1/rules` (groups and rules with health, last error, last evaluation, duration)
//! and `GET /api/v1/alerts` (active alerts with counts, seed 001's shape).

use super::AppState;
use crate::rules::RuleEngine;
use crate::rules::group::GroupState;
use crate::rules::state::AlertInstance;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use std::sync::PoisonError;
use std::time::{Duration, SystemTime};

/// RFC 3339 of a millisecond timestamp.
fn rfc3339(ms: i64) -> String {
    let time = SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_millis(time).to_string()
}

pub(super) fn optional_time(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |ms| Value::String(rfc3339(ms)))
}

/// One alert instance as the API shows it.
fn alert_json(group: &str, alert: &AlertInstance) -> Value {
    json!({
        "alert_id": alert.fingerprint.to_string(),
        "name": alert.labels.get("alertname").unwrap_or_default(),
        "group": group,
        "state": alert.state.as_str(),
        "severity": alert.labels.get("severity").unwrap_or("none"),
        "labels": alert.labels,
        "annotations": alert.annotations,
        "message": alert.annotations.get("summary").unwrap_or_default(),
        "current_value": finite(alert.value),
        "active_since": rfc3339(alert.active_since_ms),
        "triggered_at": optional_time(alert.fired_at_ms),
        "resolved_at": optional_time(alert.resolved_at_ms),
    })
}

/// JSON has no NaN or Inf: those become null.
pub(super) fn finite(value: f64) -> Value {
    if value.is_finite() {
        json!(value)
    } else {
        Value::Null
    }
}

fn group_json(group: &GroupState, default_interval: Duration) -> Value {
    let rules: Vec<Value> = group
        .rules
        .iter()
        .map(|state| {
            let alerts: Vec<Value> = state
                .alerts
                .active()
                .map(|a| alert_json(group.name(), a))
                .collect();
            json!({
                "type": "alerting",
                "name": state.rule.name,
                "query": state.rule.expr_text,
                "duration": state.rule.hold.as_secs_f64(),
                "keep_firing_for": state.rule.keep_firing_for.as_secs_f64(),
                "channels": state.rule.channels,
                "health": if state.last_error.is_some() { "err" } else if state.last_evaluation_ms.is_some() { "ok" } else { "unknown" },
                "last_error": state.last_error,
                "last_evaluation": optional_time(state.last_evaluation_ms),
                "evaluation_time": state.last_duration_seconds,
                "alerts": alerts,
            })
        })
        .collect();
    json!({
        "name": group.name(),
        "file": group.group.file.display().to_string(),
        "interval": group.group.interval.unwrap_or(default_interval).as_secs_f64(),
        "last_evaluation": optional_time(group.last_evaluation_ms),
        "evaluation_time": group.last_duration_seconds,
        "evaluation_failures": group.evaluation_failures,
        "rules": rules,
    })
}

fn with_engine<T>(state: &AppState, read: impl FnOnce(&RuleEngine) -> T) -> T {
    let engine = state.rules.lock().unwrap_or_else(PoisonError::into_inner);
    read(&engine)
}

/// `GET /api/v1/rules`.
pub async fn rules(State(state): State<AppState>) -> Json<Value> {
    let interval = state.rules_interval;
    let groups: Vec<Value> = with_engine(&state, |engine| {
        engine
            .groups()
            .iter()
            .map(|g| group_json(g, interval))
            .collect()
    });
    Json(json!({"status": "success", "data": {"groups": groups}}))
}

/// `GET /api/v1/alerts`.
pub async fn alerts(State(state): State<AppState>) -> Json<Value> {
    let (alerts, counts) = with_engine(&state, |engine| {
        let alerts: Vec<Value> = engine
            .active_alerts()
            .into_iter()
            .map(|(group, alert)| alert_json(group, alert))
            .collect();
        (alerts, engine.counts())
    });
    Json(json!({
        "alerts": alerts,
        "active_count": counts.active_count,
        "critical_count": counts.critical_count,
        "warning_count": counts.warning_count,
    }))
}
