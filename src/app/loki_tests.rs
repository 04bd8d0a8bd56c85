//! Forwarder tests against a local axum receiver that fails first and then accepts.

use super::*;
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::sync::{Arc, Mutex};

type Received = Arc<Mutex<Vec<(Option<String>, serde_json::Value)>>>;

/// A receiver answering `statuses` in turn (then 204), recording tenant and body.
async fn receiver(statuses: Vec<u16>) -> (String, Received) {
    let received: Received = Arc::default();
    let answers = Arc::new(Mutex::new(statuses.into_iter()));
    let seen = received.clone();
    let app = Router::new().route(
        "/loki/api/v1/push",
        post(move |headers: HeaderMap, body: String| {
            let seen = seen.clone();
            let answers = answers.clone();
            async move {
                let tenant = headers
                    .get("x-scope-orgid")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let value = serde_json::from_str(&body).unwrap_or_default();
                seen.lock().unwrap().push((tenant, value));
                let status = answers.lock().unwrap().next().unwrap_or(204);
                StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

fn log(message: &str) -> StoredLog {
    StoredLog::new(1_700_000_000_000, "error", "web", message)
}

async fn until(condition: impl Fn() -> bool) {
    for _ in 0..500 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not met in 5 s");
}

fn config(url: String, max_retries: u32) -> LokiConfig {
    LokiConfig {
        url,
        batch_size: 2,
        batch_wait: Duration::from_millis(50),
        max_retries,
        min_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
        tenant_id: Some("team-a".into()),
        ..LokiConfig::default()
    }
}

#[tokio::test]
async fn batches_are_retried_after_503_and_counted_sent() {
    let (url, received) = receiver(vec![503]).await;
    let metrics = SelfMetrics::new("0", "t").unwrap();
    let (_tx, shutdown) = watch::channel(false);
    let (forwarder, _task) = LokiForwarder::start(&config(url, 3), &metrics, shutdown).unwrap();
    forwarder.offer(&[log("a"), log("b"), log("c")]);
    let text = || {
        let mut out = String::new();
        metrics.encode_into(&mut out);
        out
    };
    until(|| text().contains("watchpost_loki_sent_entries_total 3")).await;
    let received = received.lock().unwrap();
    // The first batch (a, b) was refused once, then accepted; c went alone.
    assert_eq!(received.len(), 3);
    assert_eq!(received[0].1, received[1].1);
    assert_eq!(received[0].0.as_deref(), Some("team-a"));
    assert_eq!(
        received[1].1["streams"][0]["values"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert!(
        text().contains("watchpost_loki_retries_total 1"),
        "{}",
        text()
    );
}

#[tokio::test]
async fn permanent_errors_count_failed_and_a_full_queue_drops() {
    let (url, received) = receiver(vec![400]).await;
    let metrics = SelfMetrics::new("0", "t").unwrap();
    let (_tx, shutdown) = watch::channel(false);
    let mut small = config(url, 3);
    small.batch_size = 10;
    let (forwarder, _task) = LokiForwarder::start(&small, &metrics, shutdown).unwrap();
    forwarder.offer(&[log("a")]);
    let text = || {
        let mut out = String::new();
        metrics.encode_into(&mut out);
        out
    };
    until(|| text().contains("watchpost_loki_failed_entries_total 1")).await;
    assert_eq!(received.lock().unwrap().len(), 1, "400 is not retried");
    let (closed_tx, closed) = watch::channel(true);
    let tiny = LokiConfig {
        queue_size: 1,
        ..small
    };
    let other = SelfMetrics::new("0", "t").unwrap();
    let (forwarder, task) = LokiForwarder::start(&tiny, &other, closed).unwrap();
    let _ = task.await;
    forwarder.offer(&[log("x"), log("y")]);
    drop(closed_tx);
    let mut out = String::new();
    other.encode_into(&mut out);
    assert!(
        out.contains("watchpost_loki_dropped_entries_total 2"),
        "{out}"
    );
}
