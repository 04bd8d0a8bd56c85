//! Notifications end to end with the `log` receiver: a push that crosses a `for: 0s` rule is
//! delivered and shows in `GET /api/v1/notifications` (reason first notification), can be
//! acknowledged by its `alert_id`, the resolve
//! is delivered as a resolved notification with its value, a silenced alert is left out of
//! its group's notification, and a notification delivered before `kill -9` is not sent again after.

use crate::notify_api::call;
use crate::support::{Watchpost, base_config, http_client, poll_until};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;

const RULES: &str = r#"groups:
  - name: notify-it
    interval: 1h
    rules:
      - alert: QueueTooDeep
        expr: business_queue_depth > 100
        for: 0s
        labels:
          severity: critical
        annotations:
          summary: "queue {{ $labels.queue }} holds {{ $value }} items"
"#;

fn new_dir() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/business.yml"), RULES).unwrap();
    dir
}

fn start(dir: TempDir) -> Watchpost {
    let config = base_config(dir.path())
        + "notify:\n  route:\n    group_by: [alertname]\n    group_wait: 0s\n    group_interval: 1s\n";
    Watchpost::start_in(dir, &config)
}

async fn send(watchpost: &Watchpost, method: reqwest::Method, path: &str, body: Value) -> Value {
    let (status, reply) = call(watchpost, method, path, body).await;
    assert_eq!(status, 200, "{path}: {reply}");
    reply
}

async fn push_depth(watchpost: &Watchpost, value: f64) {
    let body = json!({"metrics": [{"name": "business_queue_depth", "type": "gauge",
        "value": value, "labels": {"queue": "orders"}}]});
    send(watchpost, reqwest::Method::POST, "/api/v1/metrics", body).await;
}

async fn history(watchpost: &Watchpost) -> Vec<Value> {
    let text = watchpost
        .get_text("/api/v1/notifications?alertname=QueueTooDeep")
        .await;
    let body: Value = serde_json::from_str(&text).unwrap();
    body["data"].as_array().cloned().unwrap_or_default()
}

/// Polls the history until a delivered row has `status`; returns that row.
async fn wait_for_delivered(watchpost: &Watchpost, status: &str) -> Value {
    let found = Arc::new(Mutex::new(Value::Null));
    let result = poll_until(
        &format!("a delivered {status} notification"),
        Duration::from_secs(20),
        || {
            let found = found.clone();
            async move {
                let rows = history(watchpost).await;
                let hit = rows
                    .into_iter()
                    .find(|r| r["status"] == status && r["state"] == "delivered");
                let ok = hit.is_some();
                *found.lock().unwrap() = hit.unwrap_or(Value::Null);
                ok
            }
        },
    )
    .await;
    result.unwrap_or_else(|e| panic!("{e}\n{}", watchpost.log()));
    found.lock().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fired_alert_is_notified_once_then_resolved_and_not_resent_after_kill() {
    let watchpost = start(new_dir());
    watchpost.wait_ready().await;
    push_depth(&watchpost, 150.0).await;
    let first = wait_for_delivered(&watchpost, "firing").await;
    assert_eq!(first["reason"], "first_notification", "{first}");
    assert_eq!(first["receiver"], "log");
    assert_eq!(first["attempts"], 1);
    assert_eq!(first["alerts"][0]["value"], 150.0, "{first}");
    let alert_id = first["alerts"][0]["alert_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let ack = json!({"acknowledged_by": "ana", "notes": "draining the queue"});
    let path = format!("/api/v1/alerts/{alert_id}/acknowledge");
    let reply = send(&watchpost, reqwest::Method::POST, &path, ack).await;
    assert_eq!(reply["data"]["acknowledged_by"], "ana", "{reply}");
    let bad = http_client()
        .post(watchpost.url("/api/v1/alerts/nope/acknowledge"))
        .json(&json!({"acknowledged_by": "ana"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);

    push_depth(&watchpost, 20.0).await;
    let resolved = wait_for_delivered(&watchpost, "resolved").await;
    assert_eq!(resolved["reason"], "alerts_resolved", "{resolved}");
    let alert = &resolved["alerts"][0];
    assert_eq!(alert["status"], "resolved", "{resolved}");
    assert!(alert["resolved_value"].is_number(), "{resolved}");
    assert_ne!(alert["ends_at"], "0001-01-01T00:00:00Z", "{resolved}");

    let dir = watchpost.kill_hard();
    let restarted = start(dir);
    restarted.wait_ready().await;
    let rows = history(&restarted).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r["state"] == "delivered"), "{rows:?}");
    assert!(
        !restarted.log().contains("first_notification"),
        "{}",
        restarted.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silenced_alert_produces_no_notification() {
    let watchpost = start(new_dir());
    watchpost.wait_ready().await;
    let silence = json!({"matchers": ["queue=orders"],
        "ends_at": "2999-01-01T00:00:00Z", "created_by": "it", "comment": "maintenance"});
    let reply = send(
        &watchpost,
        reqwest::Method::POST,
        "/api/v1/silences",
        silence,
    )
    .await;
    assert_eq!(reply["data"]["status"], "active", "{reply}");
    let listed: Value =
        serde_json::from_str(&watchpost.get_text("/api/v1/silences").await).unwrap();
    assert_eq!(listed["data"][0]["created_by"], "it", "{listed}");

    // One push fires two alerts of one group; only the unsilenced one is notified.
    let body = json!({"metrics": [
        {"name": "business_queue_depth", "type": "gauge", "value": 150, "labels": {"queue": "orders"}},
        {"name": "business_queue_depth", "type": "gauge", "value": 170, "labels": {"queue": "billing"}}]});
    send(&watchpost, reqwest::Method::POST, "/api/v1/metrics", body).await;
    let sent = wait_for_delivered(&watchpost, "firing").await;
    let alerts = sent["alerts"].as_array().cloned().unwrap_or_default();
    assert_eq!(alerts.len(), 1, "{sent}");
    assert_eq!(alerts[0]["labels"]["queue"], "billing", "{sent}");

    let bad = http_client()
        .post(watchpost.url("/api/v1/silences"))
        .json(&json!({"matchers": [], "ends_at": "2999-01-01T00:00:00Z", "created_by": "it"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["field"], "matchers", "{body}");
}
