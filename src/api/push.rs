//! Push endpoints: `POST /api/v1/metrics` (JSON), `POST /api/v1/requests` (request tracking),
//! `POST /api/v1/logs`, and the Pushgateway-compatible `PUT|POST|DELETE /metrics/job/...`.
//!
//! Parsing happens before the store lock is taken; the store applies a push whole or not at
//! all; every rejection is a JSON error naming the field or the limit.

use super::AppState;
use super::error::ApiError;
use crate::collect::push::{
    Applied, GroupingKey, PushError, PushMethod, parse_json_logs, parse_json_push,
    parse_json_requests, parse_text,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{Method, StatusCode, Uri};
use serde_json::{Value, json};

impl From<PushError> for ApiError {
    fn from(error: PushError) -> Self {
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let field = match &error {
            PushError::Field { field, .. } => Some(field.clone()),
            PushError::Limit { limit, .. } => Some(limit.as_str().to_owned()),
            _ => None,
        };
        let code = match &error {
            PushError::Limit { .. } => "limit_exceeded",
            _ => "bad_request",
        };
        ApiError {
            status,
            code,
            field,
            message: error.to_string(),
        }
    }
}

/// The body, or a 413/400 JSON error when it could not be read (too large, broken stream).
fn body(state: &AppState, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    let bytes = body.map_err(|rejection| {
        let limit = state
            .push
            .read(|store| store.config().limits.max_body_bytes);
        let _ = state.push.check_body_size(limit.saturating_add(1));
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "limit_exceeded",
            field: Some("max_body_bytes".to_owned()),
            message: format!("request body rejected: {rejection} (limit {limit} bytes)"),
        }
    })?;
    state.push.check_body_size(bytes.len())?;
    Ok(bytes)
}

/// Applies `change` on a blocking thread and answers with what it accepted.
async fn apply(
    state: &AppState,
    change: impl FnOnce(
        &mut crate::collect::push::PushStore,
        std::time::SystemTime,
    ) -> Result<Applied, PushError>
    + Send
    + 'static,
) -> Result<Json<Value>, ApiError> {
    let push = state.push.clone();
    let applied = tokio::task::spawn_blocking(move || push.apply(change))
        .await
        .map_err(|error| ApiError::internal(format!("push task failed: {error}")))??;
    Ok(Json(json!({
        "status": "success",
        "series_added": applied.series_added,
        "metrics": applied.changed_metric_names,
    })))
}

/// `POST /api/v1/metrics`: counters add, gauges set, histograms observe.
pub async fn post_metrics(
    State(state): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let bytes = body(&state, raw)?;
    let metrics = parse_json_push(&bytes).inspect_err(|e| state.push.count_rejection(e))?;
    apply(&state, move |store, now| store.apply_metrics(&metrics, now)).await
}

/// `POST /api/v1/requests`: `http_requests_total` and `http_request_duration_seconds`.
pub async fn post_requests(
    State(state): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let bytes = body(&state, raw)?;
    let requests = parse_json_requests(&bytes).inspect_err(|e| state.push.count_rejection(e))?;
    let requests = std::sync::Arc::new(requests);
    let applied = requests.clone();
    let result = apply(&state, move |store, now| {
        store.apply_requests(&applied, now)
    })
    .await?;
    state.logs.record_requests(&requests);
    Ok(result)
}

/// `POST /api/v1/logs`: `log_entries_total{service,level}` and service error rates; accepted
/// entries are then stored (and forwarded to Loki) by `app::LogsHandle`.
pub async fn post_logs(
    State(state): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let bytes = body(&state, raw)?;
    let logs = parse_json_logs(&bytes).inspect_err(|e| state.push.count_rejection(e))?;
    let logs = std::sync::Arc::new(logs);
    let applied = logs.clone();
    let result = apply(&state, move |store, now| store.apply_logs(&applied, now)).await?;
    state.logs.record_logs(&logs, std::time::SystemTime::now());
    Ok(result)
}

/// `PUT|POST|DELETE /metrics/job/<job>{/<label>/<value>}`, as the Pushgateway.
pub async fn gateway(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let path = uri.path().strip_prefix("/metrics/").unwrap_or_default();
    let key = GroupingKey::from_path(path).inspect_err(|e| state.push.count_rejection(e))?;
    if method == Method::DELETE {
        let result = apply(&state, move |store, _| Ok(store.delete_group(&key))).await?;
        return Ok((StatusCode::ACCEPTED, result));
    }
    let push_method = if method == Method::PUT {
        PushMethod::Put
    } else {
        PushMethod::Post
    };
    let bytes = body(&state, raw)?;
    let families = parse_text(&bytes).inspect_err(|e| state.push.count_rejection(e))?;
    let result = apply(&state, move |store, now| {
        store.push_group(&key, push_method, families, now)
    })
    .await?;
    // The Pushgateway answers 200 to PUT/POST (client libraries accept any 2xx).
    Ok((StatusCode::OK, result))
}
