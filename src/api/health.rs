//! `GET /api/v1/health`: status, timestamp and version, for load balancers (never authenticated).

use axum::Json;
use serde::Serialize;
use std::time::SystemTime;

/// The body of `/api/v1/health`.
#[derive(Debug, Serialize)]
pub struct Health {
    /// Always `healthy` while the process answers.
    pub status: &'static str,
    /// RFC 3339, UTC.
    pub timestamp: String,
    /// watchpost's version.
    pub version: &'static str,
}

/// The handler.
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "healthy",
        timestamp: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        version: crate::VERSION,
    })
}
