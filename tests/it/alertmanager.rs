//! watchpost's `alertmanager` receiver against real Alertmanagers: Debian's 0.25 and 0.33 from
//! `.tools`, each started natively on a free 127.0.0.1 port with a temporary storage path and
//! clustering off. A pushed gauge fires a `for: 0s` rule; the alert is read back from
//! Alertmanager's `GET /api/v2/alerts` (labels, annotations, startsAt, generatorURL), its
//! `endsAt` moves forward with each resend, and after the push that resolves it, Alertmanager
//! no longer lists it as active.

use crate::process::{KillOnDrop, free_local_port};
use crate::support::{Watchpost, config_with_rules, http_client, poll_until, push_queue_depth};
use crate::tools::{self, Tool};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const AM_CONFIG: &str =
    "route:\n  receiver: blackhole\n  group_wait: 1h\nreceivers:\n  - name: blackhole\n";

const RULES: &str = r#"groups:
  - name: am-it
    interval: 1h
    rules:
      - alert: QueueTooDeep
        expr: business_queue_depth > 100
        for: 0s
        labels:
          severity: critical
        annotations:
          summary: "queue {{ $labels.queue }} is deep"
"#;

/// A running Alertmanager and its base URL.
struct Alertmanager {
    _process: KillOnDrop,
    _dir: tempfile::TempDir,
    url: String,
}

/// Starts `tool` and waits until `/-/ready` answers; `None` when it is missing and skipping
/// is allowed.
async fn start_alertmanager(tool: Tool) -> Option<Alertmanager> {
    let binary = tools::require(tool)?;
    let version = Command::new(&binary).arg("--version").output().unwrap();
    let version = String::from_utf8_lossy(&version.stdout).to_string()
        + &String::from_utf8_lossy(&version.stderr);
    let expected = tool.alertmanager_version().unwrap();
    assert!(
        version.contains(&format!("version {expected}")),
        "{tool:?}: {version}"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("am.yml"), AM_CONFIG).unwrap();
    let port = free_local_port();
    let child = Command::new(&binary)
        .arg(format!(
            "--config.file={}",
            dir.path().join("am.yml").display()
        ))
        .arg(format!(
            "--storage.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let am = Alertmanager {
        _process: KillOnDrop(child),
        _dir: dir,
        url: format!("http://127.0.0.1:{port}"),
    };
    let ready = format!("{}/-/ready", am.url);
    poll_until("alertmanager /-/ready", Duration::from_secs(30), || {
        let request = http_client().get(&ready).send();
        async move { matches!(request.await, Ok(r) if r.status() == 200) }
    })
    .await
    .unwrap();
    Some(am)
}

fn start_watchpost(am_url: &str) -> Watchpost {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with_rules(dir.path(), RULES)
        + &format!(
            "notify:\n  receivers:\n    - name: am\n      alertmanager:\n        urls: [\"{am_url}\"]\n\
         \x20       resend_interval: 1s\n  route:\n    receiver: am\n    group_by: [alertname]\n\
         \x20   group_wait: 0s\n    group_interval: 1s\n"
        );
    Watchpost::start_in(dir, &config)
}

/// Alertmanager's active alerts named QueueTooDeep.
async fn active_alerts(am: &Alertmanager) -> Vec<Value> {
    let url = format!("{}/api/v2/alerts?active=true", am.url);
    let Ok(response) = http_client().get(&url).send().await else {
        return Vec::new();
    };
    let body: Value = response.json().await.unwrap_or(Value::Null);
    body.as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["labels"]["alertname"] == "QueueTooDeep")
        .filter(|a| a["status"]["state"] == "active")
        .cloned()
        .collect()
}

/// Polls until Alertmanager shows an active alert satisfying `accept`; returns it.
async fn wait_for_alert(am: &Alertmanager, what: &str, accept: impl Fn(&Value) -> bool) -> Value {
    let found = Arc::new(Mutex::new(Value::Null));
    let accept = &accept;
    poll_until(what, Duration::from_secs(30), || {
        let found = found.clone();
        async move {
            let hit = active_alerts(am).await.into_iter().find(|a| accept(a));
            let ok = hit.is_some();
            *found.lock().unwrap() = hit.unwrap_or(Value::Null);
            ok
        }
    })
    .await
    .unwrap();
    found.lock().unwrap().clone()
}

async fn fires_resends_and_resolves_in(tool: Tool) {
    let Some(am) = start_alertmanager(tool).await else {
        return;
    };
    let watchpost = start_watchpost(&am.url);
    watchpost.wait_ready().await;
    push_queue_depth(&watchpost, 150.0).await;
    let alert = wait_for_alert(&am, "the alert is active in alertmanager", |_| true).await;
    assert_eq!(alert["labels"]["queue"], "orders", "{alert}");
    assert_eq!(alert["labels"]["severity"], "critical", "{alert}");
    assert_eq!(
        alert["annotations"]["summary"], "queue orders is deep",
        "{alert}"
    );
    let starts_at = alert["startsAt"].as_str().unwrap_or_default().to_owned();
    assert!(humantime::parse_rfc3339(&starts_at).is_ok(), "{alert}");
    let generator = alert["generatorURL"].as_str().unwrap_or_default();
    assert!(generator.ends_with("/api/v1/rules"), "{alert}");
    let first_ends_at = alert["endsAt"].clone();

    // The resend (every 1s here) moves endsAt forward and keeps startsAt.
    let resent = wait_for_alert(&am, "a resend moves endsAt forward", |a| {
        a["endsAt"] != first_ends_at
    })
    .await;
    assert_eq!(resent["startsAt"], starts_at.as_str(), "{resent}");

    push_queue_depth(&watchpost, 20.0).await;
    let url = am.url.clone();
    poll_until(
        "alertmanager no longer lists the alert as active",
        Duration::from_secs(30),
        || {
            let am = &am;
            async move { active_alerts(am).await.is_empty() }
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e} ({url})\n{}", watchpost.log()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alertmanager_0_25_receives_resent_and_resolved_alerts() {
    fires_resends_and_resolves_in(Tool::Alertmanager025).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alertmanager_0_33_receives_resent_and_resolved_alerts() {
    fires_resends_and_resolves_in(Tool::Alertmanager033).await;
}
