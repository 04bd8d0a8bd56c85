//! Delivery faults with local webhook receivers on 127.0.0.1 (see [`crate::receiver`]): a
//! receiver that answers 500 five times then 200 gets exactly one accepted delivery and the
//! history shows six attempts; a receiver that is down while watchpost is killed with -9 (the
//! firing and the resolved notification waiting in the outbox) and restarted gets each of them
//! exactly once when it comes up. Retry backoff is set to milliseconds; every wait polls.

use crate::process::free_local_port;
use crate::receiver::Receiver;
use crate::support::{Watchpost, base_config, poll_until, push_queue_depth};
use serde_json::Value;
use std::time::Duration;
use tempfile::TempDir;

const RULES: &str = r#"groups:
  - name: faults-it
    interval: 1h
    rules:
      - alert: QueueTooDeep
        expr: business_queue_depth > 100
        for: 0s
"#;

fn new_dir() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/queue.yml"), RULES).unwrap();
    dir
}

fn start(dir: TempDir, hook_url: &str) -> Watchpost {
    let config = base_config(dir.path())
        + &format!(
            "notify:\n  receivers:\n    - name: hook\n      webhook: {{url: \"{hook_url}\"}}\n\
         \x20 route:\n    receiver: hook\n    group_by: [alertname]\n    group_wait: 0s\n\
         \x20   group_interval: 1s\n  delivery:\n    max_attempts: 1000\n\
         \x20   initial_backoff: 10ms\n    max_backoff: 100ms\n    attempt_timeout: 2s\n"
        );
    Watchpost::start_in(dir, &config)
}

async fn history(watchpost: &Watchpost) -> Vec<Value> {
    let text = watchpost
        .get_text("/api/v1/notifications?receiver=hook")
        .await;
    let body: Value = serde_json::from_str(&text).unwrap();
    body["data"].as_array().cloned().unwrap_or_default()
}

/// Polls the history until some row satisfies `accept`.
async fn wait_for_row(watchpost: &Watchpost, what: &str, accept: impl Fn(&Value) -> bool) {
    let accept = &accept;
    let result = poll_until(what, Duration::from_secs(30), || async move {
        history(watchpost).await.iter().any(accept)
    })
    .await;
    if let Err(e) = result {
        panic!("{e}\n{:?}\n{}", history(watchpost).await, watchpost.log());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_500s_then_200_is_one_delivery_after_six_attempts() {
    let receiver = Receiver::start(0, &[500, 500, 500, 500, 500]).await;
    let watchpost = start(new_dir(), &receiver.url());
    watchpost.wait_ready().await;
    push_queue_depth(&watchpost, 150.0).await;
    wait_for_row(&watchpost, "the firing notification is delivered", |r| {
        r["status"] == "firing" && r["state"] == "delivered"
    })
    .await;
    let rows = history(&watchpost).await;
    let firing: Vec<&Value> = rows.iter().filter(|r| r["status"] == "firing").collect();
    assert_eq!(firing.len(), 1, "{rows:?}");
    assert_eq!(firing[0]["attempts"], 6, "{rows:?}");
    // The resolve is a later notification: once it is delivered, nothing else is in flight.
    push_queue_depth(&watchpost, 20.0).await;
    wait_for_row(&watchpost, "the resolved notification is delivered", |r| {
        r["status"] == "resolved" && r["state"] == "delivered"
    })
    .await;
    let received = receiver.received();
    assert_eq!(receiver.accepted("firing"), 1, "{received:?}");
    assert_eq!(received.iter().filter(|r| r.status == 500).count(), 5);
    assert!(
        received
            .iter()
            .filter(|r| r.status == 500)
            .all(|r| r.body["status"] == "firing")
    );
    assert_eq!(receiver.accepted("resolved"), 1, "{received:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_down_receiver_gets_everything_once_after_kill_9_and_restart() {
    let port = free_local_port();
    let hook_url = format!("http://127.0.0.1:{port}/hook");
    let watchpost = start(new_dir(), &hook_url);
    watchpost.wait_ready().await;
    push_queue_depth(&watchpost, 150.0).await;
    wait_for_row(&watchpost, "the firing notification failed once", |r| {
        r["status"] == "firing" && r["state"] == "pending" && r["attempts"].as_u64() >= Some(1)
    })
    .await;
    push_queue_depth(&watchpost, 20.0).await;
    wait_for_row(&watchpost, "the resolved notification failed once", |r| {
        r["status"] == "resolved" && r["state"] == "pending" && r["attempts"].as_u64() >= Some(1)
    })
    .await;

    let dir = watchpost.kill_hard();
    let restarted = start(dir, &hook_url);
    restarted.wait_ready().await;
    let receiver = Receiver::start(port, &[]).await;
    let result = poll_until(
        "both notifications are delivered",
        Duration::from_secs(30),
        || async {
            let rows = history(&restarted).await;
            !rows.is_empty() && rows.iter().all(|r| r["state"] == "delivered")
        },
    )
    .await;
    if let Err(e) = result {
        panic!("{e}\n{:?}\n{}", history(&restarted).await, restarted.log());
    }
    let rows = history(&restarted).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let received = receiver.received();
    assert_eq!(receiver.accepted("firing"), 1, "{received:?}");
    assert_eq!(receiver.accepted("resolved"), 1, "{received:?}");
    assert_eq!(received.len(), 2, "{received:?}");
}
