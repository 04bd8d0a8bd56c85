//! `GET /api/v1/logs` (stored pushed logs, newest first, seed 001's shape) and
//! `GET /api/v1/errors/summary` (error counts per service, level and type, top messages over
//! `period`). Query parameters are validated: a bad one is a 400 naming it.

use super::AppState;
use super::error::ApiError;
use crate::collect::push::LogLevel;
use crate::store::{LogFilter, StoredLog, from_millis};
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// The default and largest `limit`.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 10_000;
/// Top messages in the error summary.
const TOP_MESSAGES: usize = 10;

/// The read routes of this file.
pub fn read_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/logs", get(logs))
        .route("/api/v1/errors/summary", get(errors_summary))
}

type Params = Query<BTreeMap<String, String>>;

/// A 400 naming the first parameter not in `known`.
pub(super) fn reject_unknown(
    params: &BTreeMap<String, String>,
    known: &[&str],
) -> Result<(), ApiError> {
    match params.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(ApiError::bad_field(
            key.clone(),
            format!("unknown query parameter (known: {})", known.join(", ")),
        )),
        None => Ok(()),
    }
}

/// Parses an RFC 3339 time or Unix seconds into Unix milliseconds.
pub fn parse_time(field: &str, text: &str) -> Result<i64, ApiError> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        if (0.0..1e11).contains(&seconds) {
            return Ok((seconds * 1000.0).round() as i64);
        }
        return Err(ApiError::bad_field(field, "unix seconds must be 0..1e11"));
    }
    humantime::parse_rfc3339_weak(text)
        .map(crate::store::to_millis)
        .map_err(|e| {
            ApiError::bad_field(
                field,
                format!("{text:?} is not RFC 3339 or unix seconds: {e}"),
            )
        })
}

fn log_filter(params: &BTreeMap<String, String>) -> Result<LogFilter, ApiError> {
    reject_unknown(
        params,
        &["level", "service", "start_time", "end_time", "limit"],
    )?;
    let mut filter = LogFilter {
        limit: DEFAULT_LIMIT,
        ..LogFilter::default()
    };
    if let Some(levels) = params
        .get("level")
        .filter(|l| !l.eq_ignore_ascii_case("all"))
    {
        for name in levels.split(',') {
            let level = LogLevel::parse(name).ok_or_else(|| {
                ApiError::bad_field(
                    "level",
                    format!(
                        "unknown level {name:?} (trace, debug, info, warn, error, fatal or all)"
                    ),
                )
            })?;
            filter.levels.push(level.as_str().to_owned());
        }
    }
    filter.service = params.get("service").filter(|s| !s.is_empty()).cloned();
    filter.start_ms = params
        .get("start_time")
        .map(|t| parse_time("start_time", t))
        .transpose()?;
    filter.end_ms = params
        .get("end_time")
        .map(|t| parse_time("end_time", t))
        .transpose()?;
    if let (Some(start), Some(end)) = (filter.start_ms, filter.end_ms)
        && start > end
    {
        return Err(ApiError::bad_field(
            "end_time",
            "must not be before start_time",
        ));
    }
    if let Some(limit) = params.get("limit") {
        filter.limit = limit
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::bad_field("limit", format!("must be an integer 1..={MAX_LIMIT}"))
            })?;
    }
    Ok(filter)
}

/// RFC 3339 with milliseconds, UTC.
pub fn rfc3339(millis: i64) -> String {
    humantime::format_rfc3339_millis(from_millis(millis)).to_string()
}

fn log_json(log: StoredLog) -> Value {
    json!({
        "timestamp": rfc3339(log.timestamp_ms),
        "level": log.level,
        "service": log.service,
        "message": log.message,
        "metadata": log.metadata,
    })
}

/// Runs store work on a blocking thread; failures become 500s.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(format!("store task failed: {e}")))?
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// `GET /api/v1/logs?level=&service=&start_time=&end_time=&limit=`.
async fn logs(
    State(state): State<AppState>,
    Query(params): Params,
) -> Result<Json<Value>, ApiError> {
    let filter = log_filter(&params)?;
    let query = json!({
        "level": params.get("level").map_or("all", String::as_str),
        "service": filter.service,
        "start_time": filter.start_ms.map(rfc3339),
        "end_time": filter.end_ms.map(rfc3339),
        "limit": filter.limit,
    });
    let handle = state.logs.clone();
    let (found, total) = blocking(move || handle.read(|store| store.query_logs(&filter))).await?;
    let logs: Vec<Value> = found.into_iter().map(log_json).collect();
    Ok(Json(
        json!({ "logs": logs, "total": total, "query": query }),
    ))
}

/// Parses `period` (`1h`, `24h`, `7d`...: 1m to 400d).
pub fn parse_period(text: &str) -> Result<Duration, ApiError> {
    crate::model::duration::parse_duration(text)
        .ok()
        .filter(|d| (60..=400 * 86_400).contains(&d.as_secs()))
        .ok_or_else(|| {
            ApiError::bad_field(
                "period",
                format!("{text:?} is not a duration from 1m to 400d, like 1h, 24h or 7d"),
            )
        })
}

/// `GET /api/v1/errors/summary?period=24h`.
async fn errors_summary(
    State(state): State<AppState>,
    Query(params): Params,
) -> Result<Json<Value>, ApiError> {
    reject_unknown(&params, &["period"])?;
    let period_text = params
        .get("period")
        .map_or("24h", String::as_str)
        .to_owned();
    let period = parse_period(&period_text)?;
    let since = SystemTime::now()
        .checked_sub(period)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let since_ms = crate::store::to_millis(since);
    let handle = state.logs.clone();
    let summary =
        blocking(move || handle.read(|store| store.error_summary(since_ms, TOP_MESSAGES))).await?;
    let error_rate =
        crate::collect::push::health::error_rate(summary.total_errors, summary.total_entries);
    let top: Vec<Value> = summary
        .top_messages
        .iter()
        .map(|m| json!({"service": m.service, "message": m.message, "count": m.count, "last_seen": rfc3339(m.last_seen_ms)}))
        .collect();
    Ok(Json(json!({
        "summary": {
            "total_errors": summary.total_errors,
            "total_entries": summary.total_entries,
            "errors_by_type": summary.by_type,
            "errors_by_service": summary.by_service,
            "errors_by_level": summary.by_level,
            "error_rate": error_rate,
            "top_messages": top,
            "period": period_text,
            "since": rfc3339(since_ms),
        }
    })))
}

#[cfg(test)]
#[path = "logs_tests.rs"]
mod tests;
