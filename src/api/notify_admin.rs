//! Alert administration: `POST /api/v1/alerts/configure` (add a threshold rule at runtime, seed
//! 001), `GET /api/v1/alerts/configure` (the runtime rules), `DELETE
//! /api/v1/alerts/configure/{name}`, and `POST /api/v1/alerts/test` (a test notification through
//! the real outbox). Writes answer loopback clients only, like the other write routes.

use super::AppState;
use super::error::{ApiError, json_object};
use crate::app::{ConfigureError, TestError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// The runtime-rule and test-notification routes (scopes from `auth::routes`: GET reads, the
/// rest write).
pub fn write_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/alerts/configure",
            post(configure).get(list_configured),
        )
        .route("/api/v1/alerts/configure/{name}", delete(remove_configured))
        .route("/api/v1/alerts/test", post(send_test))
}

fn configure_error(error: ConfigureError) -> ApiError {
    match error {
        ConfigureError::Invalid(e) => ApiError::bad_field(e.field, e.message),
        ConfigureError::Conflict(_) => ApiError {
            status: StatusCode::CONFLICT,
            code: "conflict",
            field: Some("name".to_owned()),
            message: error.to_string(),
        },
        other => ApiError::internal(format!("configuring the rule: {other}")),
    }
}

/// `POST /api/v1/alerts/configure`: validates, stores and starts evaluating the rule.
pub async fn configure(
    State(state): State<AppState>,
    raw: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = json_object(raw)?;
    let spec = state
        .runtime_rules
        .configure(&body)
        .await
        .map_err(configure_error)?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"status": "success", "data": {"group": crate::app::RUNTIME_GROUP, "rule": spec}}),
        ),
    ))
}

/// `GET /api/v1/alerts/configure`: every runtime rule as stored.
pub async fn list_configured(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let specs = state
        .runtime_rules
        .list()
        .map_err(|e| ApiError::internal(format!("reading runtime rules: {e}")))?;
    Ok(Json(json!({"status": "success", "data": specs})))
}

/// `DELETE /api/v1/alerts/configure/{name}`: stops and forgets a runtime rule.
pub async fn remove_configured(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match state.runtime_rules.remove(&name).await {
        Ok(true) => Ok(Json(json!({"status": "success"}))),
        Ok(false) => Err(ApiError::not_found(format!(
            "no runtime rule named {name:?}"
        ))),
        Err(error) => Err(configure_error(error)),
    }
}

/// `POST /api/v1/alerts/test` with an optional `{"receiver": NAME}`.
pub async fn send_test(
    State(state): State<AppState>,
    raw: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = match raw {
        Err(JsonRejection::MissingJsonContentType(_)) => json!({}),
        other => json_object(other)?,
    };
    let receiver = match body.get("receiver") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) if !name.is_empty() => Some(name.clone()),
        Some(_) => return Err(ApiError::bad_field("receiver", "must be a receiver name")),
    };
    match state.notify.send_test(receiver.as_deref()) {
        Ok(queued) => {
            let data: Vec<Value> = queued
                .iter()
                .map(|(receiver, id)| json!({"receiver": receiver, "id": id}))
                .collect();
            Ok(Json(json!({"status": "success", "data": data})))
        }
        Err(TestError::UnknownReceiver(name)) => Err(ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            field: Some("receiver".to_owned()),
            message: format!("no receiver named {name:?}"),
        }),
        Err(TestError::NoRoute) => Err(ApiError::bad_request(TestError::NoRoute.to_string())),
        Err(TestError::Store(e)) => Err(ApiError::internal(format!("queueing the test: {e}"))),
    }
}
