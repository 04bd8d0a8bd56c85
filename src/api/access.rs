//! Access control for write and admin endpoints.
//!
//! With no API tokens configured (the embedded default), endpoints that change state (push,
//! reload) answer only clients on loopback; everyone else gets a 403 naming the rule.

use super::error::ApiError;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// Middleware: lets loopback clients through, refuses the rest with 403.
///
/// A request without connection info (a router driven in-process by tests) is let through.
pub async fn loopback_only(request: Request, next: Next) -> Response {
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    match remote {
        Some(address) if !address.ip().is_loopback() => ApiError {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            field: None,
            message: format!(
                "write endpoints answer only loopback clients while no API tokens are configured (client {})",
                address.ip()
            ),
        }
        .into_response(),
        _ => next.run(request).await,
    }
}
