//! Per-service views of request tracking and service health:
//! `GET /api/v1/metrics/application` (request rate, latency percentiles from the
//! `http_request_duration_seconds` histogram, error rate, status, per service),
//! `GET /api/v1/metrics/health` (seed 000's shape: status, error_rate, error_count,
//! total_count per service, plus alerts) and `GET /api/v1/metrics/{service}` (one service,
//! 404 naming it when unknown).

use super::AppState;
use super::error::ApiError;
use super::rules::finite;
use super::series::{histogram_quantile, latest, rate_where};
use super::system_metrics::uptime_seconds;
use crate::collect::push::store::{LOG_ENTRIES_TOTAL, REQUEST_DURATION, REQUESTS_TOTAL};
use crate::collect::push::{HealthStatus, ServiceHealth};
use crate::model::Labels;
use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::PoisonError;
use std::time::SystemTime;

/// `GET /api/v1/metrics/application`.
pub async fn application(State(state): State<AppState>) -> Json<Value> {
    let now = SystemTime::now();
    let health = service_health(&state, now);
    let services: serde_json::Map<String, Value> = service_names(&state, &health)
        .into_iter()
        .map(|service| {
            let entry = service_entry(&state, &service, &health, now);
            (service, entry)
        })
        .collect();
    let total: f64 = latest(&state.registry, REQUESTS_TOTAL)
        .iter()
        .map(|(_, v)| v)
        .sum();
    let rate = rate_where(&state.registry, REQUESTS_TOTAL, now, |_| true);
    Json(json!({
        "application": {
            "uptime_seconds": uptime_seconds(state.api.started_at(), now),
            "requests": {"total": finite(total), "rate_per_second": rate.map_or(Value::Null, finite)},
            "services": services,
        },
        "timestamp": humantime::format_rfc3339_seconds(now).to_string(),
    }))
}

/// `GET /api/v1/metrics/{service}`: 404 naming the service when nothing is known about it.
pub async fn one_service(
    State(state): State<AppState>,
    Path(service): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let now = SystemTime::now();
    let health = service_health(&state, now);
    if !service_names(&state, &health).contains(&service) {
        return Err(ApiError {
            field: Some("service".to_owned()),
            ..ApiError::not_found(format!(
                "unknown service {service:?}: no tracked requests, logs or health for it"
            ))
        });
    }
    let mut entry = service_entry(&state, &service, &health, now);
    entry["service"] = json!(service);
    entry["timestamp"] = json!(humantime::format_rfc3339_seconds(now).to_string());
    Ok(Json(entry))
}

/// `GET /api/v1/metrics/health` (seed 000).
pub async fn health(State(state): State<AppState>) -> Json<Value> {
    let now = SystemTime::now();
    let report = service_health(&state, now);
    let overall = report
        .iter()
        .map(|h| h.status)
        .max_by_key(|s| HealthStatus::ALL.iter().position(|x| x == s))
        .unwrap_or(HealthStatus::Healthy);
    let services: serde_json::Map<String, Value> = report
        .iter()
        .map(|h| (h.service.clone(), health_json(h)))
        .collect();
    let mut alerts: Vec<Value> = report
        .iter()
        .filter(|h| h.status != HealthStatus::Healthy)
        .map(|h| {
            let threshold = threshold_of(&state, h.status);
            json!({
                "source": "service_health",
                "service": h.service,
                "severity": h.status.as_str(),
                "error_rate": finite(h.error_rate),
                "message": format!("Error rate above {}% threshold", threshold * 100.0),
            })
        })
        .collect();
    let engine = state.rules.lock().unwrap_or_else(PoisonError::into_inner);
    alerts.extend(engine.active_alerts().into_iter().map(|(group, alert)| {
        json!({
            "source": "rule",
            "service": alert.labels.get("service"),
            "severity": alert.labels.get("severity").unwrap_or("none"),
            "alertname": alert.labels.get("alertname"),
            "group": group,
            "state": alert.state.as_str(),
            "message": alert.annotations.get("summary").unwrap_or_default(),
        })
    }));
    Json(json!({
        "status": overall.as_str(),
        "services": services,
        "alerts": alerts,
        "timestamp": humantime::format_rfc3339_seconds(now).to_string(),
    }))
}

fn threshold_of(state: &AppState, status: HealthStatus) -> f64 {
    state.push.read(|store| {
        let config = &store.config().health;
        match status {
            HealthStatus::Critical => config.critical_ratio,
            _ => config.warning_ratio,
        }
    })
}

fn service_health(state: &AppState, now: SystemTime) -> Vec<ServiceHealth> {
    state.push.read(|store| store.service_health(now))
}

fn health_json(health: &ServiceHealth) -> Value {
    json!({
        "status": health.status.as_str(),
        "error_rate": finite(health.error_rate),
        "error_count": health.error_count,
        "total_count": health.total_count,
    })
}

/// Every service with tracked requests, logs or a health entry.
fn service_names(state: &AppState, health: &[ServiceHealth]) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = health.iter().map(|h| h.service.clone()).collect();
    for metric in [REQUESTS_TOTAL, LOG_ENTRIES_TOTAL] {
        for (labels, _) in latest(&state.registry, metric) {
            if let Some(service) = labels.get("service") {
                names.insert(service.to_owned());
            }
        }
    }
    names
}

fn is_error_status(labels: &Labels, client_errors_count: bool) -> bool {
    let code: u16 = labels
        .get("status")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    code >= 500 || (client_errors_count && code >= 400)
}

fn service_entry(
    state: &AppState,
    service: &str,
    health: &[ServiceHealth],
    now: SystemTime,
) -> Value {
    let registry = &state.registry;
    let of_service = |l: &Labels| l.get("service") == Some(service);
    let client_errors = state
        .push
        .read(|store| store.config().health.client_errors_count);
    let requests = latest(registry, REQUESTS_TOTAL);
    let (mut total, mut errors) = (0.0, 0.0);
    for (labels, value) in requests.iter().filter(|(l, _)| of_service(l)) {
        total += value;
        if is_error_status(labels, client_errors) {
            errors += value;
        }
    }
    let rate = rate_where(registry, REQUESTS_TOTAL, now, of_service);
    let health = health.iter().find(|h| h.service == service);
    json!({
        "status": health.map_or(HealthStatus::Healthy, |h| h.status).as_str(),
        "requests": {
            "total": finite(total),
            "errors": finite(errors),
            "rate_per_second": rate.map_or(Value::Null, finite),
        },
        "error_rate": finite(health.map_or_else(|| if total > 0.0 { errors / total } else { 0.0 }, |h| h.error_rate)),
        "error_count": health.map_or(0, |h| h.error_count),
        "total_count": health.map_or(0, |h| h.total_count),
        "latency_ms": latency_ms(state, service),
    })
}

/// p50/p95/p99 and the mean of a service's request durations, in milliseconds.
fn latency_ms(state: &AppState, service: &str) -> Value {
    let of_service = |l: &Labels| l.get("service") == Some(service);
    let mut buckets: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
    let bucket_name = format!("{REQUEST_DURATION}_bucket");
    for (labels, count) in latest(&state.registry, &bucket_name) {
        if !of_service(&labels) {
            continue;
        }
        let Some(bound) = labels.get("le").and_then(|le| le.parse::<f64>().ok()) else {
            continue;
        };
        buckets.entry(bound.to_bits()).or_insert((bound, 0.0)).1 += count;
    }
    let buckets: Vec<(f64, f64)> = buckets.into_values().collect();
    let sum = |suffix: &str| -> f64 {
        latest(&state.registry, &format!("{REQUEST_DURATION}{suffix}"))
            .iter()
            .filter(|(l, _)| of_service(l))
            .map(|(_, v)| v)
            .sum()
    };
    let (seconds, count) = (sum("_sum"), sum("_count"));
    let ms = |q: f64| histogram_quantile(q, &buckets).map_or(Value::Null, |s| finite(s * 1000.0));
    json!({
        "p50": ms(0.5),
        "p95": ms(0.95),
        "p99": ms(0.99),
        "average": if count > 0.0 { finite(seconds / count * 1000.0) } else { Value::Null },
    })
}
