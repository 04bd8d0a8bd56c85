//! `GET /api/v1/health/detailed`: one entry per component — the store (a real `SELECT 1` and
//! its latency), the collectors (last run, last success, duration), the rule engine (groups,
//! last evaluation, failures), the notifier outbox (pending, dead) and the probes — and an
//! overall status: `unhealthy` (503) when the store fails, `degraded` when any collector,
//! rule, dead notification or probe is failing, otherwise `healthy`.

use super::AppState;
use super::rules::{finite, optional_time};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::PoisonError;
use std::time::SystemTime;

/// A component's or the whole process's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Working.
    Healthy,
    /// Working, but something is failing.
    Degraded,
    /// Not working.
    Unhealthy,
}

impl Status {
    /// The lowercase word used in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Degraded => "degraded",
            Self::Unhealthy => "unhealthy",
        }
    }

    fn degraded_if(failing: bool) -> Self {
        if failing {
            Self::Degraded
        } else {
            Self::Healthy
        }
    }
}

/// The handler: 200 when healthy or degraded, 503 when unhealthy.
pub async fn health_detailed(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let parts = [
        ("store", store_component(&state)),
        ("collectors", collectors_component(&state)),
        ("rule_engine", rules_component(&state)),
        ("notifier_outbox", outbox_component(&state)),
        ("probes", probes_component(&state)),
    ];
    let overall = parts.iter().map(|(_, (s, _))| *s).max();
    let overall = overall.unwrap_or(Status::Healthy);
    let components: serde_json::Map<String, Value> = parts
        .into_iter()
        .map(|(name, (status, mut body))| {
            body["status"] = json!(status.as_str());
            (name.to_owned(), body)
        })
        .collect();
    let code = if overall == Status::Unhealthy {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let body = json!({
        "status": overall.as_str(),
        "timestamp": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        "version": crate::VERSION,
        "components": components,
    });
    (code, Json(body))
}

fn store_component(state: &AppState) -> (Status, Value) {
    let store = state
        .api
        .store()
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match store.ping() {
        Ok(latency) => (
            Status::Healthy,
            json!({"latency_ms": latency.as_secs_f64() * 1000.0, "path": store.path().display().to_string()}),
        ),
        Err(error) => (
            Status::Unhealthy,
            json!({"latency_ms": null, "path": store.path().display().to_string(), "error": error.to_string()}),
        ),
    }
}

/// `(collector, value)` of a `{collector}`-labelled self-metric gauge.
fn gauge_by_collector(state: &AppState, name: &str) -> BTreeMap<String, f64> {
    let families = state.self_metrics.registry().gather();
    let Some(family) = families.iter().find(|f| f.name() == name) else {
        return BTreeMap::new();
    };
    family
        .get_metric()
        .iter()
        .filter_map(|metric| {
            let label = metric
                .get_label()
                .iter()
                .find(|l| l.name() == "collector")?;
            Some((label.value().to_owned(), metric.get_gauge().get_value()))
        })
        .collect()
}

fn collectors_component(state: &AppState) -> (Status, Value) {
    let success = gauge_by_collector(state, "watchpost_scrape_collector_success");
    let durations = gauge_by_collector(state, "watchpost_scrape_collector_duration_seconds");
    let list: Vec<Value> = success
        .iter()
        .map(|(name, ok)| {
            let last_success = state
                .registry
                .snapshot(name)
                .map(|s| humantime::format_rfc3339_millis(s.collected_at).to_string());
            json!({
                "name": name,
                "success": *ok == 1.0,
                "last_success": last_success,
                "duration_seconds": durations.get(name).copied().unwrap_or(0.0),
            })
        })
        .collect();
    let failing = success.values().filter(|ok| **ok != 1.0).count();
    (
        Status::degraded_if(failing > 0),
        json!({"total": success.len(), "failing": failing, "collectors": list}),
    )
}

fn rules_component(state: &AppState) -> (Status, Value) {
    let engine = state.rules.lock().unwrap_or_else(PoisonError::into_inner);
    let mut failing_rules = 0;
    let groups: Vec<Value> = engine
        .groups()
        .iter()
        .map(|group| {
            let failing = group
                .rules
                .iter()
                .filter(|r| r.last_error.is_some())
                .count();
            failing_rules += failing;
            json!({
                "name": group.name(),
                "rules": group.rules.len(),
                "last_evaluation": optional_time(group.last_evaluation_ms),
                "last_duration_seconds": finite(group.last_duration_seconds),
                "evaluation_failures": group.evaluation_failures,
                "failing_rules": failing,
            })
        })
        .collect();
    let last = engine
        .groups()
        .iter()
        .filter_map(|g| g.last_evaluation_ms)
        .max();
    (
        Status::degraded_if(failing_rules > 0),
        json!({
            "groups": groups.len(),
            "last_evaluation": optional_time(last),
            "failing_rules": failing_rules,
            "evaluation_failures": engine.groups().iter().map(|g| g.evaluation_failures).sum::<u64>(),
            "group_details": groups,
        }),
    )
}

fn outbox_component(state: &AppState) -> (Status, Value) {
    let store = state
        .api
        .store()
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match store.outbox_counts() {
        Ok(counts) => (
            Status::degraded_if(counts.dead > 0),
            json!({"pending": counts.pending, "dead": counts.dead}),
        ),
        Err(error) => (
            Status::Unhealthy,
            json!({"pending": null, "dead": null, "error": error.to_string()}),
        ),
    }
}

fn probes_component(state: &AppState) -> (Status, Value) {
    match state.api.probe_statuses() {
        None => (
            Status::Healthy,
            json!({"configured": false, "total": 0, "down": 0, "probes": []}),
        ),
        Some(probes) => {
            let down = probes.iter().filter(|p| !p.up).count();
            (
                Status::degraded_if(down > 0),
                json!({"configured": true, "total": probes.len(), "down": down, "probes": probes}),
            )
        }
    }
}
