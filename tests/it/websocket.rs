//! The WebSocket stream `/api/v1/ws` end to end with a real client (tokio-tungstenite):
//! heartbeats, subscribe + push → `metric_update`, an alert event after a push crosses a
//! rule, and a client that never reads loses messages (counted) instead of growing memory.

use crate::support::{Watchpost, http_client};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// QueueTooDeep fires on a push; the other rule only makes request pushes publish at once
/// (a rule reads `http_requests_total`), so the slow-client test produces messages quickly.
const RULES: &str = r#"groups:
  - name: ws-it
    interval: 1h
    rules:
      - alert: QueueTooDeep
        expr: business_queue_depth > 100
        labels:
          severity: critical
      - alert: NeverFires
        expr: http_requests_total < -1
"#;

/// How long a test waits for one expected message.
const MESSAGE_LIMIT: Duration = Duration::from_secs(20);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn start() -> Watchpost {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::support::config_with_rules(dir.path(), RULES);
    Watchpost::start_in(dir, &config)
}

async fn connect(watchpost: &Watchpost) -> Socket {
    let url = format!("ws://{}/api/v1/ws", watchpost.address);
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .unwrap_or_else(|e| panic!("connecting the WebSocket: {e}; log:\n{}", watchpost.log()));
    socket
}

/// Reads messages until one satisfies `wanted`, within [`MESSAGE_LIMIT`].
async fn next_matching(socket: &mut Socket, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + MESSAGE_LIMIT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let next = tokio::time::timeout(left, socket.next()).await;
        let Ok(Some(Ok(message))) = next else {
            panic!("no {what} within {MESSAGE_LIMIT:?}; saw {seen:?}");
        };
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(text.as_str()).unwrap();
            if wanted(&value) {
                return value;
            }
            seen.push(value["type"].clone());
        }
    }
}

async fn post(watchpost: &Watchpost, path: &str, body: Value) {
    let response = http_client()
        .post(watchpost.url(path))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "POST {path}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_then_subscribed_series_updates() {
    let watchpost = start();
    watchpost.wait_ready().await;
    let mut socket = connect(&watchpost).await;
    let heartbeat = next_matching(&mut socket, "heartbeat", |m| m["type"] == "heartbeat").await;
    assert!(
        heartbeat["timestamp"].as_str().unwrap().ends_with('Z'),
        "{heartbeat}"
    );
    let subscribe = json!({"type": "subscribe", "metrics": ["node_load1", "http_requests_total"]});
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    let subscribed = next_matching(&mut socket, "subscribed", |m| m["type"] == "subscribed").await;
    assert_eq!(
        subscribed["metrics"],
        json!(["http_requests_total", "node_load1"])
    );
    let load = next_matching(&mut socket, "node_load1's current value", |m| {
        m["type"] == "metric_update" && m["metric"] == "node_load1"
    })
    .await;
    assert!(load["value"].is_number(), "{load}");
    let request = json!({"service": "ws-it", "endpoint": "/orders", "method": "GET",
        "status": 200, "duration_ms": 12.5});
    post(
        &watchpost,
        "/api/v1/requests",
        json!({"requests": [request]}),
    )
    .await;
    let update = next_matching(&mut socket, "metric_update of the push", |m| {
        m["metric"] == "http_requests_total" && m["labels"]["service"] == "ws-it"
    })
    .await;
    assert_eq!(update["value"], 1.0, "{update}");
    assert_eq!(update["labels"]["endpoint"], "/orders");
    socket
        .send(Message::text("{\"type\":\"subscribe\"}"))
        .await
        .unwrap();
    let error = next_matching(&mut socket, "error", |m| m["type"] == "error").await;
    assert_eq!(error["field"], "metrics", "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_crossing_a_rule_sends_alert_events() {
    let watchpost = start();
    watchpost.wait_ready().await;
    let mut socket = connect(&watchpost).await;
    next_matching(&mut socket, "heartbeat", |m| m["type"] == "heartbeat").await;
    let metric = |value: f64| {
        json!({"metrics": [{"name": "business.queue_depth", "type": "gauge", "value": value,
            "labels": {"queue": "orders"}}]})
    };
    post(&watchpost, "/api/v1/metrics", metric(150.0)).await;
    let firing = next_matching(&mut socket, "alert_firing", |m| m["type"] == "alert_firing").await;
    assert_eq!(firing["alertname"], "QueueTooDeep", "{firing}");
    assert_eq!(firing["labels"]["queue"], "orders");
    assert_eq!(firing["severity"], "critical");
    assert_eq!(firing["value"], 150.0);
    post(&watchpost, "/api/v1/metrics", metric(5.0)).await;
    let resolved = next_matching(&mut socket, "alert_resolved", |m| {
        m["type"] == "alert_resolved"
    })
    .await;
    assert_eq!(resolved["alertname"], "QueueTooDeep", "{resolved}");
}

/// The value of an unlabelled series on `/metrics` (0 when absent).
async fn metric_value(watchpost: &Watchpost, name: &str) -> f64 {
    let text = watchpost.get_text("/metrics").await;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_loses_the_oldest_messages() {
    let watchpost = start();
    watchpost.wait_ready().await;
    let mut socket = connect(&watchpost).await;
    let subscribe = json!({"type": "subscribe", "metrics": ["http_requests_total"]});
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    assert_eq!(
        metric_value(&watchpost, "watchpost_websocket_connections").await,
        1.0
    );
    // From here on the client never reads: each push changes 500 subscribed series.
    let requests: Vec<Value> = (0..500)
        .map(|i| {
            json!({"service": format!("svc-{i}"), "endpoint": "/x", "method": "GET",
            "status": 200, "duration_ms": 1.0})
        })
        .collect();
    let body = json!({ "requests": requests });
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut pushes = 0;
    while metric_value(&watchpost, "watchpost_websocket_dropped_messages_total").await == 0.0 {
        assert!(
            Instant::now() < deadline,
            "no message dropped after {pushes} pushes of 500 changed series; log:\n{}",
            watchpost.log()
        );
        for _ in 0..10 {
            post(&watchpost, "/api/v1/requests", body.clone()).await;
            pushes += 1;
        }
    }
    assert!(pushes > 1, "drops need a backlog first");
    drop(socket);
}
