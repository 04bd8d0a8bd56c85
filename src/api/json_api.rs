//! The routes of the JSON API views, the WebSocket stream and the admin debug endpoint
//! (issue 5): `read_routes()` are open like `/api/v1/health`; `admin_routes()` answer only
//! loopback clients until API tokens exist (the auth work adds the `admin` scope).

use super::system_metrics;
use super::{AppState, application_metrics, health_detailed, metrics, status, ws};
use axum::Router;
use axum::routing::get;

/// Read-only JSON views and the WebSocket stream.
pub fn read_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/health/detailed",
            get(health_detailed::health_detailed),
        )
        .route("/api/v1/metrics/system", get(system_metrics::system))
        .route(
            "/api/v1/metrics/application",
            get(application_metrics::application),
        )
        .route("/api/v1/metrics/health", get(application_metrics::health))
        .route("/api/v1/metrics/prometheus", get(metrics::scrape))
        .route(
            "/api/v1/metrics/{service}",
            get(application_metrics::one_service),
        )
        .route("/api/v1/status", get(status::status))
        .route("/api/v1/ws", get(ws::websocket))
}

/// Admin-only endpoints (`auth::routes` lists them as `admin`).
pub fn admin_routes() -> Router<AppState> {
    Router::new().route("/api/v1/debug/info", get(status::debug_info))
}

#[cfg(test)]
#[path = "json_api_tests.rs"]
mod tests;
