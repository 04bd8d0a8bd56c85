//! Push ingestion end to end: a JSON push that crosses a rule's threshold fires the alert
//! before the push request returns (no tick involved); the Pushgateway protocol of Python's
//! `prometheus_client.push_to_gateway` works unchanged; bad pushes are rejected whole with a
//! JSON error naming the field or limit, and leave `/metrics` unchanged.

use crate::process::run_to_completion;
use crate::support::{Watchpost, http_client};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const RULES: &str = r#"groups:
  - name: business-it
    interval: 1h
    rules:
      - alert: QueueTooDeep
        expr: business_queue_depth > 100
        labels:
          severity: critical
        annotations:
          summary: "queue {{ $labels.queue }} holds {{ $value }} items"
"#;

fn start() -> Watchpost {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::support::config_with_rules(dir.path(), RULES);
    Watchpost::start_in(dir, &config)
}

async fn post(watchpost: &Watchpost, path: &str, body: String) -> (u16, Value) {
    let response = http_client()
        .post(watchpost.url(path))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_over_the_threshold_fires_before_the_push_returns() {
    let watchpost = start();
    watchpost.wait_ready().await;
    let body = json!({"metrics": [{"name": "business.queue_depth", "type": "gauge",
        "value": 150, "labels": {"queue": "orders"}, "help": "Items waiting."}]});
    let (status, reply) = post(&watchpost, "/api/v1/metrics", body.to_string()).await;
    assert_eq!(status, 200, "{reply}");
    // No polling: the rule reading the pushed series ran inside the push.
    let alerts: Value = serde_json::from_str(&watchpost.get_text("/api/v1/alerts").await).unwrap();
    let alert = &alerts["alerts"][0];
    assert_eq!(alert["name"], "QueueTooDeep", "{alerts}");
    assert_eq!(alert["state"], "firing", "{alerts}");
    assert_eq!(
        alert["annotations"]["summary"],
        "queue orders holds 150 items"
    );
    assert_eq!(alerts["critical_count"], 1);
    let metrics = watchpost.get_text("/metrics").await;
    assert!(
        metrics.contains("business_queue_depth{queue=\"orders\"} 150"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_pushes_are_rejected_whole_naming_the_field_or_limit() {
    let watchpost = start();
    let good = json!({"metrics": [{"name": "orders_total", "type": "counter", "value": 1}]});
    assert_eq!(
        post(&watchpost, "/api/v1/metrics", good.to_string())
            .await
            .0,
        200
    );
    wait_for_line(&watchpost, "orders_total 1").await;
    let before = watchpost.get_text("/metrics").await;

    let (status, reply) = post(&watchpost, "/api/v1/metrics", "{not json".into()).await;
    assert_eq!(status, 400, "{reply}");
    assert_eq!(reply["status"], "error");

    // One bad entry after a good one: nothing of the push is applied.
    let mixed = json!({"metrics": [
        {"name": "orders_total", "type": "counter", "value": 5},
        {"name": "9bad", "type": "gauge", "value": 1}]});
    let (status, reply) = post(&watchpost, "/api/v1/metrics", mixed.to_string()).await;
    assert_eq!(status, 400, "{reply}");
    assert!(
        reply["error"]["field"]
            .as_str()
            .unwrap_or_default()
            .contains("metrics[1]"),
        "{reply}"
    );

    let huge = format!(
        "{{\"metrics\": [], \"pad\": \"{}\"}}",
        "x".repeat(6 * 1024 * 1024)
    );
    let (status, reply) = post(&watchpost, "/api/v1/metrics", huge).await;
    assert_eq!(status, 413, "{reply}");
    assert_eq!(reply["error"]["field"], "max_body_bytes", "{reply}");

    // A later good push is published on the next tick; by then the rejected ones would be too.
    let marker = json!({"metrics": [{"name": "marker", "type": "gauge", "value": 1}]});
    assert_eq!(
        post(&watchpost, "/api/v1/metrics", marker.to_string())
            .await
            .0,
        200
    );
    wait_for_line(&watchpost, "marker 1").await;
    let after = watchpost.get_text("/metrics").await;
    let orders = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("orders_total"))
            .map(str::to_owned)
    };
    assert_eq!(orders(&before), orders(&after));
    assert_eq!(orders(&after).as_deref(), Some("orders_total 1"));
    assert!(
        after.contains("watchpost_push_rejected_total{reason="),
        "{after}"
    );
}

/// Polls `/metrics` until a line equals `line` (pushes no rule reads are published on a tick).
async fn wait_for_line(watchpost: &Watchpost, line: &str) {
    let client = http_client();
    let url = watchpost.url("/metrics");
    crate::support::poll_until(
        &format!("`{line}` on /metrics"),
        Duration::from_secs(20),
        || {
            let request = client.get(&url).send();
            async move {
                match request.await {
                    Ok(response) => response
                        .text()
                        .await
                        .is_ok_and(|t| t.lines().any(|l| l == line)),
                    Err(_) => false,
                }
            }
        },
    )
    .await
    .unwrap_or_else(|m| panic!("{m}; log:\n{}", watchpost.log()));
}

/// Debian's python3 with python3-prometheus-client (installed by scripts/test.sh).
fn python_with_prometheus_client() -> Option<&'static Path> {
    let python = Path::new("/usr/bin/python3");
    let probe = Command::new(python)
        .args(["-c", "import prometheus_client"])
        .output()
        .ok()?;
    probe.status.success().then_some(python)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_push_to_gateway_works_unchanged() {
    let Some(python) = python_with_prometheus_client() else {
        if std::env::var("WATCHPOST_SKIP_EXTERNAL").as_deref() == Ok("1") {
            return;
        }
        panic!("/usr/bin/python3 with prometheus_client is missing: run scripts/test.sh");
    };
    let watchpost = start();
    let script = format!(
        "from prometheus_client import CollectorRegistry, Gauge, Counter, push_to_gateway\n\
         r = CollectorRegistry()\n\
         Gauge('job_last_success_unixtime', 'Last time the batch job succeeded', registry=r).set(1234)\n\
         Counter('job_records', 'Records processed', ['kind'], registry=r).labels('a').inc(7)\n\
         push_to_gateway('{}', job='batch', grouping_key={{'shard': '3'}}, registry=r)\n",
        watchpost.address
    );
    let finished = run_to_completion(
        Command::new(python).args(["-c", &script]),
        b"",
        Duration::from_secs(60),
    );
    assert_eq!(finished.code(), 0, "{}", finished.all_output());
    // The Pushgateway-format push is published on the next publish tick (no rule reads it).
    let client = http_client();
    let url = watchpost.url("/metrics");
    crate::support::poll_until(
        "the pushed series to be scraped",
        Duration::from_secs(20),
        || {
            let request = client.get(&url).send();
            async move {
                match request.await {
                    Ok(response) => response.text().await.is_ok_and(|t| {
                        t.contains(
                            r#"job_last_success_unixtime{instance="",job="batch",shard="3"} 1234"#,
                        ) && t.contains(
                            r#"job_records_total{instance="",job="batch",kind="a",shard="3"} 7"#,
                        )
                    }),
                    Err(_) => false,
                }
            }
        },
    )
    .await
    .unwrap_or_else(|m| panic!("{m}; log:\n{}", watchpost.log()));
}
