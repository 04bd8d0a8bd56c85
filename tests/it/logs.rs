//! Pushed logs from the outside: stored and read back through `GET /api/v1/logs`, deleted by
//! `watchpost cleanup --days N` while watchpost runs, and forwarded to a Loki push endpoint.
//!
//! Grafana Loki itself is not installable here (Debian has no package of it; Debian's `loki` is
//! an unrelated genetics tool), so the forwarding test runs a local receiver speaking Loki's
//! push API (`POST /loki/api/v1/push`, JSON streams) that refuses the first request with 503.

use crate::process::run_to_completion;
use crate::support::{Watchpost, http_client, poll_until, test_config, watchpost_command};
use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

async fn push_logs(watchpost: &Watchpost, body: &Value) {
    let response = http_client()
        .post(watchpost.url("/api/v1/logs"))
        .json(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST /api/v1/logs: {e}; log:\n{}", watchpost.log()));
    assert_eq!(response.status(), 200, "log:\n{}", watchpost.log());
}

async fn get_json(watchpost: &Watchpost, path: &str) -> Value {
    serde_json::from_str(&watchpost.get_text(path).await).expect("JSON body")
}

#[tokio::test]
async fn logs_are_stored_queried_and_cleaned_up_while_running() {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(&dir.path().join("data"))
        .replace("logging:", "  logs:\n    retention: 3650d\nlogging:");
    let watchpost = Watchpost::start_in(dir, &config);
    let month_ago = unix_now() - 30.0 * 86_400.0;
    let body = json!({"logs": [
        {"timestamp": month_ago, "level": "error", "service": "db", "message": "old failure"},
        {"level": "warning", "service": "web", "message": "slow", "metadata": {"ms": 900}},
    ]});
    push_logs(&watchpost, &body).await;
    let logs = get_json(&watchpost, "/api/v1/logs?limit=10").await;
    assert_eq!(logs["total"], 2, "{logs}");
    assert_eq!(logs["logs"][0]["level"], "warn");
    assert_eq!(logs["logs"][0]["metadata"]["ms"], 900);
    let summary = get_json(&watchpost, "/api/v1/errors/summary?period=7d").await;
    assert_eq!(summary["summary"]["total_errors"], 0, "{summary}");

    let mut cleanup = watchpost_command(watchpost.dir());
    cleanup.args(["cleanup", "--days", "7", "--config.file"]);
    cleanup.arg(watchpost.dir().join("watchpost.yml"));
    let finished = run_to_completion(&mut cleanup, b"", Duration::from_secs(60));
    assert_eq!(finished.code(), 0, "{}", finished.all_output());
    assert!(
        finished.stdout.contains("1 log entries"),
        "{}",
        finished.stdout
    );
    let logs = get_json(&watchpost, "/api/v1/logs").await;
    assert_eq!(logs["total"], 1, "{logs}");
    assert_eq!(logs["logs"][0]["message"], "slow");
    let performance = get_json(&watchpost, "/api/v1/metrics/performance?period=1h").await;
    assert_eq!(performance["resolution"], "minute", "{performance}");
}

type Pushes = Arc<Mutex<Vec<Value>>>;

/// A Loki push endpoint on 127.0.0.1 that answers 503 once, then 204, recording every body.
async fn loki_receiver() -> (String, Pushes) {
    let pushes: Pushes = Arc::default();
    let seen = pushes.clone();
    let app = Router::new().route(
        "/loki/api/v1/push",
        post(move |body: String| {
            let seen = seen.clone();
            async move {
                let mut seen = seen.lock().unwrap();
                seen.push(serde_json::from_str(&body).unwrap_or(Value::Null));
                if seen.len() == 1 {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, pushes)
}

#[tokio::test]
async fn logs_are_forwarded_to_loki_and_retried_after_503() {
    let (url, pushes) = loki_receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(&dir.path().join("data")).replace(
        "storage:",
        &format!(
            "push:\n  logs:\n    loki:\n      url: {url}\n      batch_wait: 100ms\n      \
             min_backoff: 50ms\n      labels: {{job: watchpost-it}}\nstorage:"
        ),
    );
    let watchpost = Watchpost::start_in(dir, &config);
    let body = json!({"logs": [
        {"level": "error", "service": "db", "message": "timeout", "metadata": {"query": "SELECT 1"}},
        {"level": "info", "service": "web", "message": "ok"},
    ]});
    push_logs(&watchpost, &body).await;
    let seen = pushes.clone();
    poll_until(
        "two pushes reach the receiver",
        Duration::from_secs(20),
        || {
            let count = seen.lock().unwrap().len();
            async move { count >= 2 }
        },
    )
    .await
    .unwrap_or_else(|message| panic!("{message}; log:\n{}", watchpost.log()));
    let pushes = pushes.lock().unwrap().clone();
    assert_eq!(pushes[0], pushes[1], "the refused batch is sent again");
    let streams = pushes[1]["streams"].as_array().expect("streams");
    assert_eq!(streams.len(), 2);
    assert_eq!(
        streams[0]["stream"],
        json!({"job": "watchpost-it", "service": "db", "level": "error"})
    );
    let line: Value =
        serde_json::from_str(streams[0]["values"][0][1].as_str().unwrap_or("")).unwrap();
    assert_eq!(line, json!({"message": "timeout", "query": "SELECT 1"}));
    let metrics = watchpost.get_text("/metrics").await;
    for wanted in [
        "watchpost_loki_sent_entries_total 2",
        "watchpost_loki_retries_total 1",
    ] {
        assert!(metrics.contains(wanted), "{wanted} missing:\n{metrics}");
    }
}
