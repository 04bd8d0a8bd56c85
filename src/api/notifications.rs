//! The notification endpoints: `GET /api/v1/notifications` (history: what was sent to whom,
//! when, why, attempts, last error), `GET/POST/DELETE /api/v1/silences` and
//! `POST /api/v1/alerts/{id}/acknowledge`. Messages hold labels and values only, never a
//! receiver's secrets.

use super::AppState;
use super::error::{ApiError, json_object};
use crate::model::Fingerprint;
use crate::notify::ack::Acknowledgement;
use crate::notify::alert::{Alert, rfc3339, rfc3339_or_zero};
use crate::notify::silence::{Silence, SilenceSpec};
use crate::store::{HistoryFilter, OutboxEntry, OutboxState};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::SystemTime;

/// The query of `GET /api/v1/notifications`.
#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    receiver: Option<String>,
    alertname: Option<String>,
    since: Option<String>,
    limit: Option<String>,
}

/// A time given as RFC 3339 or as a duration ago (`1h`).
fn parse_time(field: &str, text: &str, now: SystemTime) -> Result<SystemTime, ApiError> {
    if let Ok(time) = humantime::parse_rfc3339_weak(text) {
        return Ok(time);
    }
    match crate::model::duration::parse_duration(text) {
        Ok(ago) => Ok(now.checked_sub(ago).unwrap_or(SystemTime::UNIX_EPOCH)),
        Err(_) => Err(ApiError::bad_field(
            field,
            format!("{text:?} is neither an RFC 3339 time nor a duration like 1h"),
        )),
    }
}

/// `GET /api/v1/notifications?receiver=&alertname=&since=&limit=`.
pub async fn history(
    State(state): State<AppState>,
    Query(query): Query<HistoryQuery>,
) -> Result<Json<Value>, ApiError> {
    let since = match &query.since {
        Some(text) => Some(parse_time("since", text, SystemTime::now())?),
        None => None,
    };
    let limit = match &query.limit {
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| ApiError::bad_field("limit", "must be an integer from 1 to 1000"))?,
        None => 100,
    };
    let filter = HistoryFilter {
        receiver: query.receiver.filter(|r| !r.is_empty()),
        alertname: query.alertname.filter(|a| !a.is_empty()),
        since,
        limit,
    };
    let rows = state
        .notify
        .history(&filter)
        .map_err(|e| ApiError::internal(format!("reading notification history: {e}")))?;
    let data: Vec<Value> = rows.iter().map(history_json).collect();
    Ok(Json(json!({"status": "success", "data": data})))
}

fn alert_json(alert: &Alert) -> Value {
    json!({
        "alert_id": alert.fingerprint.to_string(),
        "alertname": alert.name(),
        "status": alert.status.as_str(),
        "labels": alert.labels,
        "annotations": alert.annotations,
        "value": finite(alert.value),
        "resolved_value": alert.resolved_value.and_then(finite),
        "starts_at": rfc3339(alert.starts_at),
        "ends_at": rfc3339_or_zero(alert.ends_at),
    })
}

fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

fn history_json(entry: &OutboxEntry) -> Value {
    let message = &entry.message;
    let delivered_at = (entry.state == OutboxState::Delivered).then(|| rfc3339(entry.updated_at));
    json!({
        "id": entry.id,
        "receiver": message.receiver,
        "integration": entry.integration,
        "group_key": message.group_key,
        "title": message.title(),
        "status": message.status().as_str(),
        "reason": message.reason.as_str(),
        "created_at": rfc3339(message.created_at),
        "state": entry.state.as_str(),
        "delivered_at": delivered_at,
        "attempts": entry.attempts,
        "next_attempt_at": (entry.state == OutboxState::Pending).then(|| rfc3339(entry.next_attempt_at)),
        "last_error": entry.last_error,
        "alerts": message.alerts.iter().map(alert_json).collect::<Vec<_>>(),
    })
}

fn silence_json(silence: &Silence, now: SystemTime) -> Value {
    let spec = &silence.spec;
    let status = if silence.is_active(now) {
        "active"
    } else if now < spec.starts_at {
        "pending"
    } else {
        "expired"
    };
    json!({
        "id": silence.id,
        "matchers": spec.matchers,
        "starts_at": rfc3339(spec.starts_at),
        "ends_at": rfc3339(spec.ends_at),
        "created_by": spec.created_by,
        "comment": spec.comment,
        "status": status,
    })
}

/// `GET /api/v1/silences`.
pub async fn silences(State(state): State<AppState>) -> Json<Value> {
    let now = SystemTime::now();
    let data: Vec<Value> = state
        .notify
        .silences()
        .iter()
        .map(|s| silence_json(s, now))
        .collect();
    Json(json!({"status": "success", "data": data}))
}

fn text_field(body: &Value, field: &str, required: bool) -> Result<String, ApiError> {
    match body.get(field) {
        Some(Value::String(text)) if !(required && text.trim().is_empty()) => Ok(text.clone()),
        None | Some(Value::Null) if !required => Ok(String::new()),
        _ => Err(ApiError::bad_field(field, "must be a non-empty string")),
    }
}

/// `POST /api/v1/silences` with `matchers`, `starts_at` (default now), `ends_at`,
/// `created_by`, `comment`.
pub async fn add_silence(
    State(state): State<AppState>,
    raw: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = json_object(raw)?;
    let now = SystemTime::now();
    let matchers: Vec<String> = match body.get("matchers") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(text) => Ok(text.clone()),
                _ => Err(ApiError::bad_field(
                    format!("matchers[{i}]"),
                    "must be a string",
                )),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(ApiError::bad_field("matchers", "must be a non-empty list")),
    };
    let starts_at = match body.get("starts_at").and_then(Value::as_str) {
        Some(text) => parse_time("starts_at", text, now)?,
        None => now,
    };
    let ends_at = match body.get("ends_at").and_then(Value::as_str) {
        Some(text) => humantime::parse_rfc3339_weak(text)
            .map_err(|_| ApiError::bad_field("ends_at", "must be an RFC 3339 time"))?,
        None => return Err(ApiError::bad_field("ends_at", "is required (RFC 3339)")),
    };
    let spec = SilenceSpec {
        matchers,
        starts_at,
        ends_at,
        created_by: text_field(&body, "created_by", true)?,
        comment: text_field(&body, "comment", false)?,
    };
    match state.notify.add_silence(spec) {
        Ok(silence) => Ok(Json(
            json!({"status": "success", "data": silence_json(&silence, now)}),
        )),
        Err(crate::app::AddSilenceError::Invalid(error)) => Err(ApiError::bad_field(
            silence_field(&error),
            error.to_string(),
        )),
        Err(crate::app::AddSilenceError::Store(error)) => {
            Err(ApiError::internal(format!("saving the silence: {error}")))
        }
    }
}

fn silence_field(error: &crate::notify::silence::SilenceError) -> String {
    use crate::notify::silence::SilenceError;
    match error {
        SilenceError::NoMatchers => "matchers".to_owned(),
        SilenceError::Matcher { index, .. } => format!("matchers[{index}]"),
        SilenceError::EndsBeforeStart => "ends_at".to_owned(),
    }
}

/// The query of `DELETE /api/v1/silences?id=`.
#[derive(Debug, Deserialize)]
pub struct SilenceId {
    id: Option<String>,
}

/// `DELETE /api/v1/silences?id=ID` (or `/api/v1/silences/{id}`): expires a silence.
pub async fn delete_silence(
    State(state): State<AppState>,
    path: Option<Path<String>>,
    Query(query): Query<SilenceId>,
) -> Result<Json<Value>, ApiError> {
    let Some(id) = path.map(|Path(id)| id).or(query.id) else {
        return Err(ApiError::bad_field("id", "is required"));
    };
    match state.notify.delete_silence(&id) {
        Ok(true) => Ok(Json(json!({"status": "success"}))),
        Ok(false) => Err(ApiError::not_found(format!("no silence with id {id:?}"))),
        Err(error) => Err(ApiError::internal(format!("deleting the silence: {error}"))),
    }
}

/// `POST /api/v1/alerts/{id}/acknowledge` with `acknowledged_by` and `notes`.
pub async fn acknowledge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    raw: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let fingerprint = u64::from_str_radix(&id, 16)
        .ok()
        .filter(|_| id.len() == 16)
        .map(Fingerprint)
        .ok_or_else(|| ApiError::bad_field("id", "must be an alert_id from /api/v1/alerts"))?;
    let known = {
        let engine = state
            .rules
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        engine
            .active_alerts()
            .iter()
            .any(|(_, alert)| alert.fingerprint == fingerprint)
    };
    if !known {
        return Err(ApiError::not_found(format!(
            "no active alert with alert_id {id:?} (see /api/v1/alerts)"
        )));
    }
    let body = json_object(raw)?;
    let ack = Acknowledgement {
        fingerprint,
        acknowledged_by: text_field(&body, "acknowledged_by", true)?,
        notes: text_field(&body, "notes", false)?,
        at: SystemTime::now(),
    };
    state
        .notify
        .acknowledge(ack.clone())
        .map_err(|e| ApiError::internal(format!("saving the acknowledgement: {e}")))?;
    Ok(Json(json!({
        "status": "success",
        "data": {
            "alert_id": id,
            "acknowledged_by": ack.acknowledged_by,
            "notes": ack.notes,
            "acknowledged_at": rfc3339(ack.at),
        }
    })))
}
