//! `GET /api/v1/metrics/performance?period=1h|24h|7d|30d&resolution=minute|hour|day&service=`:
//! latency percentiles (p50, p95, p99), mean, min and max in milliseconds, throughput and error
//! rates from the stored metric history, as a series of points plus a summary over the whole
//! period (seed 001's `performance` shape). Without `service` every service is merged. Points
//! are completed minutes; the minute in progress is not yet in the store.

use super::AppState;
use super::error::ApiError;
use super::logs::{blocking, parse_period, reject_unknown, rfc3339};
use crate::model::latency::PeriodStats;
use crate::store::{HostUsage, Resolution, ServiceRow};
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::SystemTime;

/// The read routes of this file.
pub fn read_routes() -> Router<AppState> {
    Router::new().route("/api/v1/metrics/performance", get(performance))
}

/// The resolution used when none is asked for: minutes up to 6h, hours up to 7d, else days.
fn default_resolution(period_seconds: u64) -> Resolution {
    match period_seconds {
        0..=21_600 => Resolution::Minute,
        21_601..=604_800 => Resolution::Hour,
        _ => Resolution::Day,
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    crate::collect::push::health::error_rate(part, whole)
}

/// One block of figures (a point or the summary); `seconds` is the time it covers.
pub fn figures(stats: &PeriodStats, host: &HostUsage, seconds: f64) -> Value {
    let per_second = |count: u64| {
        if seconds > 0.0 {
            count as f64 / seconds
        } else {
            0.0
        }
    };
    json!({
        "response_times": {
            "p50": stats.quantile_ms(0.5),
            "p95": stats.quantile_ms(0.95),
            "p99": stats.quantile_ms(0.99),
            "mean": stats.mean_ms(),
            "min": stats.latency_min_ms,
            "max": stats.latency_max_ms,
            "unit": "ms",
        },
        "throughput": {
            "requests": stats.requests,
            "requests_per_second": per_second(stats.requests),
            "messages": stats.log_entries,
            "messages_per_second": per_second(stats.log_entries),
        },
        "error_rates": {
            "client_errors": ratio(stats.client_errors, stats.requests),
            "server_errors": ratio(stats.server_errors, stats.requests),
            "timeout_errors": ratio(stats.timeout_errors, stats.requests),
            "log_errors": ratio(stats.log_errors, stats.log_entries),
        },
        "host": {
            "cpu_usage_percent": host.cpu_percent(),
            "memory_usage_percent": host.memory_percent(),
        },
    })
}

/// The points (merged per start) and the summary of `rows` and `host_rows`, covering
/// `from..to` (Unix seconds).
pub fn report(
    resolution: Resolution,
    rows: &[ServiceRow],
    host_rows: &[(i64, HostUsage)],
    from: i64,
    to: i64,
) -> (Vec<Value>, Value) {
    let mut starts: BTreeMap<i64, (PeriodStats, HostUsage)> = BTreeMap::new();
    for row in rows {
        starts.entry(row.start).or_default().0.merge(&row.stats);
    }
    for (start, usage) in host_rows {
        starts.entry(*start).or_default().1.merge(usage);
    }
    let (mut total, mut host) = (PeriodStats::default(), HostUsage::default());
    let width = resolution.seconds() as f64;
    let points = starts
        .iter()
        .map(|(start, (stats, usage))| {
            total.merge(stats);
            host.merge(usage);
            let mut point = figures(stats, usage, width);
            point["timestamp"] = json!(rfc3339(start * 1000));
            point
        })
        .collect();
    let first = starts.keys().next().copied().unwrap_or(to).max(from);
    (points, figures(&total, &host, (to - first).max(1) as f64))
}

async fn performance(
    State(state): State<AppState>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    reject_unknown(&params, &["period", "resolution", "service"])?;
    let period_text = params.get("period").map_or("1h", String::as_str).to_owned();
    let period = parse_period(&period_text)?;
    let resolution = match params.get("resolution") {
        None => default_resolution(period.as_secs()),
        Some(text) => Resolution::parse(text).ok_or_else(|| {
            ApiError::bad_field("resolution", format!("{text:?} is not minute, hour or day"))
        })?,
    };
    let service = params.get("service").filter(|s| !s.is_empty()).cloned();
    let to = crate::store::to_millis(SystemTime::now()).div_euclid(1000);
    let from = to - i64::try_from(period.as_secs()).unwrap_or(i64::MAX / 2);
    let handle = state.logs.clone();
    let wanted = service.clone();
    let (rows, host_rows) = blocking(move || {
        handle.read(|store| {
            let start = resolution.align(from);
            let rows = store.service_history(resolution, start, to, wanted.as_deref())?;
            Ok((rows, store.host_history(resolution, start, to)?))
        })
    })
    .await?;
    let (points, summary) = report(resolution, &rows, &host_rows, from, to);
    Ok(Json(json!({
        "performance": summary,
        "points": points,
        "period": period_text,
        "resolution": resolution.as_str(),
        "service": service,
        "start": rfc3339(from * 1000),
        "end": rfc3339(to * 1000),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(start: i64, service: &str, requests: u64, ms: f64) -> ServiceRow {
        let mut stats = PeriodStats::default();
        for i in 0..requests {
            stats.record_request(if i == 0 { 404 } else { 200 }, ms);
        }
        ServiceRow {
            start,
            service: service.to_owned(),
            stats,
        }
    }

    #[test]
    fn points_merge_services_and_the_summary_merges_points() {
        let rows = [
            row(0, "a", 10, 100.0),
            row(0, "b", 10, 300.0),
            row(60, "a", 20, 200.0),
        ];
        let host = [(
            0,
            HostUsage {
                cpu_percent_sum: 40.0,
                cpu_samples: 1,
                ..HostUsage::default()
            },
        )];
        let (points, summary) = report(Resolution::Minute, &rows, &host, 0, 120);
        assert_eq!(points.len(), 2);
        assert_eq!(points[0]["throughput"]["requests"], 20);
        assert_eq!(points[0]["timestamp"], "1970-01-01T00:00:00.000Z");
        assert_eq!(points[0]["response_times"]["mean"], 200.0);
        assert_eq!(points[0]["error_rates"]["client_errors"], 0.1);
        assert_eq!(points[1]["host"]["cpu_usage_percent"], Value::Null);
        assert_eq!(summary["throughput"]["requests"], 40);
        assert_eq!(summary["throughput"]["requests_per_second"], 40.0 / 120.0);
        assert_eq!(summary["response_times"]["min"], 100.0);
        assert_eq!(summary["response_times"]["max"], 300.0);
        assert_eq!(summary["host"]["cpu_usage_percent"], 40.0);
        let (_, empty) = report(Resolution::Hour, &[], &[], 0, 3600);
        assert_eq!(empty["response_times"]["p99"], Value::Null);
    }

    #[test]
    fn default_resolutions_follow_the_period() {
        assert_eq!(default_resolution(3600), Resolution::Minute);
        assert_eq!(default_resolution(86_400), Resolution::Hour);
        assert_eq!(default_resolution(30 * 86_400), Resolution::Day);
    }
}
