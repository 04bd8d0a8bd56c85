//! `GET /metrics`: the latest snapshots plus self-metrics, in the text format 0.0.4.

use super::AppState;
use crate::metrics::CONTENT_TYPE_TEXT;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::time::Instant;

/// Encodes every snapshot; never waits on a collector.
pub async fn scrape(State(state): State<AppState>) -> impl IntoResponse {
    let start = Instant::now();
    let mut body = String::with_capacity(256 * 1024);
    state.registry.encode_into(&mut body);
    state.self_metrics.encode_into(&mut body);
    state
        .self_metrics
        .http_duration
        .with_label_values(&["/metrics", "200"])
        .observe(start.elapsed().as_secs_f64());
    ([(header::CONTENT_TYPE, CONTENT_TYPE_TEXT)], body)
}
