//! `ApiError`: the one place where errors become HTTP status codes and JSON bodies.
//!
//! Every JSON endpoint returns `Result<_, ApiError>`; the body is
//! `{"status":"error","error":{"code":..,"field":..,"message":..}}` so clients can tell which
//! field or limit was at fault.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An API failure with its status, a stable code, and optionally the offending field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable code (`bad_request`, `not_found`, `limit_exceeded`...).
    pub code: &'static str,
    /// The request field or limit at fault, when there is one.
    pub field: Option<String>,
    /// A lowercase human-readable message.
    pub message: String,
}

impl ApiError {
    /// 400 for a bad `field`.
    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// 400 without a specific field.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            field: None,
            message: message.into(),
        }
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            field: None,
            message: message.into(),
        }
    }

    /// 500, for failures of watchpost itself (the store...); the message must hold no secret.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            field: None,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "status": "error",
            "error": {"code": self.code, "field": self.field, "message": self.message},
        });
        (self.status, Json(body)).into_response()
    }
}

/// The request body as a JSON object, or a 400 saying why it is not one.
pub fn json_object(
    raw: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<serde_json::Value, ApiError> {
    match raw {
        Ok(Json(value)) if value.is_object() => Ok(value),
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
        Err(rejection) => Err(ApiError::bad_request(format!(
            "the body is not valid JSON: {}",
            rejection.body_text()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn renders_status_code_field_and_message() {
        let response =
            ApiError::bad_field("metrics[0].value", "must be a finite number").into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["error"]["field"], "metrics[0].value");
        assert_eq!(value["error"]["code"], "bad_request");
    }
}
