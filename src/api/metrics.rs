//! `GET /metrics`: the latest snapshots plus self-metrics, in the text format 0.0.4.

use super::AppState;
use crate::metrics::CONTENT_TYPE_TEXT;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use bytes::Bytes;
use std::convert::Infallible;
use std::time::Instant;

/// Sends every snapshot's pre-encoded text as it is (shared, not copied) and the self-metrics
/// after them; never waits on a collector.
pub async fn scrape(State(state): State<AppState>) -> impl IntoResponse {
    let start = Instant::now();
    let mut chunks = state.registry.encoded_chunks();
    let mut own = String::with_capacity(64 * 1024);
    state.self_metrics.encode_into(&mut own);
    chunks.push(Bytes::from(own));
    state
        .self_metrics
        .http_duration
        .with_label_values(&["/metrics", "200"])
        .observe(start.elapsed().as_secs_f64());
    // The length is known, so the body goes out with Content-Length rather than chunked
    // (the gzip layer drops the header when it compresses).
    let length = chunks.iter().map(Bytes::len).sum::<usize>().to_string();
    let body = Body::from_stream(futures_util::stream::iter(
        chunks.into_iter().map(Ok::<_, Infallible>),
    ));
    (
        [
            (header::CONTENT_TYPE, CONTENT_TYPE_TEXT.to_owned()),
            (header::CONTENT_LENGTH, length),
        ],
        body,
    )
}
