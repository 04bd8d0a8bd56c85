//! The notification API and CLI end to end, with a local webhook receiver on 127.0.0.1: a rule
//! added through `POST /api/v1/alerts/configure` fires, resolves carrying the value at resolve
//! (not the last firing value), survives `kill -9`, and can be deleted; a test notification
//! reaches the named receiver; `watchpost alerts` / `watchpost silence` drive the API with the
//! documented exit codes; a receiver that keeps failing raises `WatchpostReceiverFailing` to the
//! fallback receiver and resolves it once it recovers.

use crate::process::run_to_completion;
use crate::support::{
    Watchpost, base_config, config_with_rules, http_client, poll_until, watchpost_command,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;

/// Everything the local receivers got, as `(receiver path, webhook body)`.
#[derive(Clone, Default)]
pub(crate) struct Received {
    bodies: Arc<Mutex<Vec<(String, Value)>>>,
    flaky_fails: Arc<AtomicBool>,
}

impl Received {
    /// The alerts `receiver` got, each as `(status, labels.alertname, alert)`.
    pub(crate) fn alerts(&self, receiver: &str) -> Vec<Value> {
        let bodies = self.bodies.lock().unwrap();
        bodies
            .iter()
            .filter(|(name, _)| name == receiver)
            .flat_map(|(_, body)| body["alerts"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    pub(crate) async fn wait_for(&self, receiver: &str, alertname: &str, status: &str) -> Value {
        let found = Arc::new(Mutex::new(Value::Null));
        let what = format!("{receiver} to receive a {status} {alertname}");
        poll_until(&what, Duration::from_secs(30), || {
            let hit = self
                .alerts(receiver)
                .into_iter()
                .find(|a| a["labels"]["alertname"] == alertname && a["status"] == status);
            let ok = hit.is_some();
            *found.lock().unwrap() = hit.unwrap_or(Value::Null);
            async move { ok }
        })
        .await
        .unwrap_or_else(|e| panic!("{e}; received: {:?}", self.bodies.lock().unwrap()));
        found.lock().unwrap().clone()
    }
}

async fn receive(
    State(received): State<Received>,
    Path(name): Path<String>,
    axum::Json(body): axum::Json<Value>,
) -> StatusCode {
    if name == "flaky" && received.flaky_fails.load(Ordering::SeqCst) {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    received.bodies.lock().unwrap().push((name, body));
    StatusCode::OK
}

/// Starts the local receivers; returns their base URL and what they got.
pub(crate) async fn start_receivers() -> (String, Received) {
    let received = Received::default();
    let app = axum::Router::new()
        .route("/{name}", axum::routing::post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}"), received)
}

const RULES: &str = "groups:\n  - name: api-it\n    interval: 1h\n    rules:\n      - alert: QueueTooDeep\n        expr: business_queue_depth > 100\n        labels: {severity: critical}\n";

/// The config: rules from `rules/`, `receivers` (YAML list items), the route to `route_to`;
/// `extra` is appended under `notify:`.
pub(crate) fn config_text(
    dir: &std::path::Path,
    receivers: &str,
    route_to: &str,
    extra: &str,
) -> String {
    base_config(dir) + &notify_section(receivers, route_to, extra)
}

fn notify_section(receivers: &str, route_to: &str, extra: &str) -> String {
    format!(
        "notify:\n  receivers:\n{receivers}  route:\n    receiver: {route_to}\n    group_by: [alertname]\n    \
         group_wait: 0s\n    group_interval: 1s\n{extra}"
    )
}

/// watchpost on [`config_text`], with the rules written first.
pub(crate) fn start(dir: TempDir, receivers: &str, route_to: &str, extra: &str) -> Watchpost {
    let config = config_with_rules(dir.path(), RULES) + &notify_section(receivers, route_to, extra);
    Watchpost::start_in(dir, &config)
}

pub(crate) fn webhook(name: &str, base: &str) -> String {
    format!("    - name: {name}\n      webhook:\n        url: {base}/{name}\n")
}

pub(crate) async fn call(
    watchpost: &Watchpost,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = http_client()
        .request(method, watchpost.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn push_depth(watchpost: &Watchpost, value: f64) {
    let body = json!({"metrics": [{"name": "business_queue_depth", "type": "gauge",
        "value": value, "labels": {"queue": "orders"}}]});
    let (status, reply) = call(watchpost, reqwest::Method::POST, "/api/v1/metrics", body).await;
    assert_eq!(status, 200, "{reply}");
}

async fn runtime_rules(watchpost: &Watchpost) -> Vec<String> {
    let rules: Value = serde_json::from_str(&watchpost.get_text("/api/v1/rules").await).unwrap();
    let groups = rules["data"]["groups"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    groups
        .iter()
        .filter(|g| g["name"] == "runtime")
        .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
        .map(|r| r["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_rule_fires_resolves_with_its_value_and_survives_a_restart() {
    let (base, received) = start_receivers().await;
    let receivers = webhook("hook", &base);
    let watchpost = start(tempfile::tempdir().unwrap(), &receivers, "hook", "");
    watchpost.wait_ready().await;
    let rule = json!({"name": "memory_high", "type": "threshold", "metric": "app.memory.percent",
        "condition": "greater_than", "threshold": 90, "duration_seconds": 0, "severity": "warning"});
    let post = reqwest::Method::POST;
    let (status, reply) = call(&watchpost, post.clone(), "/api/v1/alerts/configure", rule).await;
    assert_eq!(status, 201, "{reply}");
    let bad = json!({"name": "x", "metric": "m", "threshold": "ninety", "operator": "gt"});
    let (status, reply) = call(&watchpost, post.clone(), "/api/v1/alerts/configure", bad).await;
    assert_eq!(
        (status, &reply["error"]["field"]),
        (400, &json!("threshold")),
        "{reply}"
    );
    let clash = json!({"name": "QueueTooDeep", "metric": "m", "threshold": 1, "operator": "gt"});
    let (status, _) = call(&watchpost, post.clone(), "/api/v1/alerts/configure", clash).await;
    assert_eq!(status, 409);
    assert_eq!(runtime_rules(&watchpost).await, ["memory_high"]);

    let push = |value: f64| json!({"metrics": [{"name": "app_memory_percent", "type": "gauge", "value": value}]});
    let (status, _) = call(&watchpost, post.clone(), "/api/v1/metrics", push(95.0)).await;
    assert_eq!(status, 200);
    let firing = received.wait_for("hook", "memory_high", "firing").await;
    assert_eq!(firing["labels"]["severity"], "warning", "{firing}");
    let (status, _) = call(&watchpost, post.clone(), "/api/v1/metrics", push(70.0)).await;
    assert_eq!(status, 200);
    let resolved = received.wait_for("hook", "memory_high", "resolved").await;
    assert_eq!(
        resolved["annotations"]["value_at_resolve"], "70",
        "{resolved}"
    );
    assert!(
        resolved["annotations"]["fired_for"].is_string(),
        "{resolved}"
    );

    let restarted = start(watchpost.kill_hard(), &receivers, "hook", "");
    restarted.wait_ready().await;
    assert_eq!(runtime_rules(&restarted).await, ["memory_high"]);
    let delete = reqwest::Method::DELETE;
    let path = "/api/v1/alerts/configure/memory_high";
    let (status, _) = call(&restarted, delete.clone(), path, json!({})).await;
    assert_eq!(status, 200);
    let (status, reply) = call(&restarted, delete, path, json!({})).await;
    assert_eq!(status, 404, "{reply}");
    assert!(runtime_rules(&restarted).await.is_empty());
}

/// Runs the CLI against `watchpost`; `(exit code, stdout, stderr)`.
async fn cli(watchpost: &Watchpost, args: &[&str]) -> (i32, String, String) {
    let mut command = watchpost_command(watchpost.dir());
    command.args(args).args(["--web.url", &watchpost.url("")]);
    command.env_remove("WATCHPOST_API_TOKEN");
    let finished = tokio::task::spawn_blocking(move || {
        run_to_completion(&mut command, b"", Duration::from_secs(60))
    })
    .await
    .unwrap();
    (finished.code(), finished.stdout, finished.stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_lists_tests_acks_and_silences() {
    let (base, received) = start_receivers().await;
    let watchpost = start(
        tempfile::tempdir().unwrap(),
        &webhook("hook", &base),
        "hook",
        "",
    );
    watchpost.wait_ready().await;

    let (code, out, err) = cli(&watchpost, &["alerts", "test", "--receiver", "hook"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("queued for hook"), "{out}");
    let test = received
        .wait_for("hook", "WatchpostTestNotification", "firing")
        .await;
    assert!(test["annotations"]["summary"].is_string(), "{test}");
    let (code, _, err) = cli(&watchpost, &["alerts", "test", "--receiver", "nobody"]).await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no receiver named \"nobody\""), "{err}");
    let (code, _, err) = cli(
        &watchpost,
        &["alerts", "ack", "0123456789abcdef", "--by", "it"],
    )
    .await;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("404") && err.contains("no active alert"),
        "{err}"
    );

    push_depth(&watchpost, 150.0).await;
    received.wait_for("hook", "QueueTooDeep", "firing").await;
    let (code, out, _) = cli(&watchpost, &["alerts", "list", "--output", "json"]).await;
    assert_eq!(code, 0);
    let listed: Value = serde_json::from_str(&out).unwrap();
    let id = listed["alerts"][0]["alert_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(id.len(), 16, "{listed}");
    let (code, table, _) = cli(&watchpost, &["alerts", "list"]).await;
    assert_eq!(code, 0);
    assert!(
        table.starts_with("ID") && table.contains(&id) && table.contains("QueueTooDeep"),
        "{table}"
    );
    let (code, out, err) = cli(
        &watchpost,
        &["alerts", "ack", &id, "--by", "ana", "--notes", "on it"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("acknowledged") && out.contains("ana"), "{out}");

    let add = [
        "silence",
        "add",
        "--matcher",
        "queue=orders",
        "--duration",
        "1h",
        "--comment",
        "work",
        "--created-by",
        "it",
    ];
    let (code, out, err) = cli(&watchpost, &add).await;
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = cli(&watchpost, &["silence", "list", "--output", "json"]).await;
    assert_eq!(code, 0);
    let silences: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(silences["data"][0]["created_by"], "it", "{silences}");
    let silence_id = silences["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, table, _) = cli(&watchpost, &["silence", "list"]).await;
    assert!(
        table.contains(&silence_id) && table.contains("queue=orders"),
        "{table}"
    );
    let (code, _, _) = cli(&watchpost, &["silence", "expire", &silence_id]).await;
    assert_eq!(code, 0);
    let (code, _, err) = cli(&watchpost, &["silence", "expire", &silence_id]).await;
    assert_eq!(code, 1, "{err}");

    let (code, _, err) = cli(
        &watchpost,
        &["silence", "add", "--matcher", "a=b", "--duration", "soon"],
    )
    .await;
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = cli(&watchpost, &["alerts", "ack"]).await;
    assert_eq!(code, 2);
    let (code, _, err) = cli(
        &watchpost,
        &["silence", "add", "--matcher", "a", "--duration", "1h"],
    )
    .await;
    assert_eq!(code, 1, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_keeps_failing_raises_an_alert_to_the_fallback() {
    let (base, received) = start_receivers().await;
    received.flaky_fails.store(true, Ordering::SeqCst);
    let receivers = format!("{}{}", webhook("flaky", &base), webhook("hook", &base));
    let extra = "  fallback_receiver: hook\n  receiver_failing_after: 2\n  delivery:\n    \
                 initial_backoff: 100ms\n    max_backoff: 300ms\n";
    let watchpost = start(tempfile::tempdir().unwrap(), &receivers, "flaky", extra);
    watchpost.wait_ready().await;
    push_depth(&watchpost, 150.0).await;
    let raised = received
        .wait_for("hook", "WatchpostReceiverFailing", "firing")
        .await;
    assert_eq!(raised["labels"]["receiver"], "flaky", "{raised}");
    let metrics = watchpost.get_text("/metrics").await;
    assert!(
        metrics.contains("watchpost_receiver_failing{receiver=\"flaky\"} 1"),
        "{metrics}"
    );
    assert!(received.alerts("flaky").is_empty());

    received.flaky_fails.store(false, Ordering::SeqCst);
    received.wait_for("flaky", "QueueTooDeep", "firing").await;
    let cleared = received
        .wait_for("hook", "WatchpostReceiverFailing", "resolved")
        .await;
    assert_eq!(cleared["labels"]["receiver"], "flaky", "{cleared}");
    let metrics = watchpost.get_text("/metrics").await;
    assert!(
        metrics.contains("watchpost_receiver_failing{receiver=\"flaky\"} 0"),
        "{metrics}"
    );
}
