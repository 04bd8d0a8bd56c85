//! The rule engine end to end: alerts fire from real collected series, survive `kill -9` with
//! their `fired_at` / `active_since`, are not re-announced as new after the restart, and a bad
//! rule file on reload keeps the old rules running. Plus `check rules` and `test rules`.

use crate::process::run_to_completion;
use crate::support::{Watchpost, http_client, poll_until, watchpost_command};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use tempfile::TempDir;

const RULES: &str = r#"groups:
  - name: it
    interval: 1s
    rules:
      - alert: ProcessesExist
        expr: system_processes_count > 0
        for: 0s
        labels:
          severity: warning
        annotations:
          summary: "{{ $value }} processes"
      - alert: PendingForAnHour
        expr: system_processes_count > 0
        for: 1h
"#;

fn config(dir: &Path) -> String {
    format!(
        "collectors:\n  interval: 1s\n\
         rules:\n  files: [rules/*.yml]\n  evaluation_interval: 1s\n\
         storage:\n  path: {}\n",
        dir.join("data").join("watchpost.db").display()
    )
}

fn start(dir: TempDir) -> Watchpost {
    let text = config(dir.path());
    Watchpost::start_in(dir, &text)
}

fn new_dir_with_rules() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/it.yml"), RULES).unwrap();
    dir
}

async fn alerts(watchpost: &Watchpost) -> Value {
    serde_json::from_str(&watchpost.get_text("/api/v1/alerts").await).unwrap()
}

fn find<'a>(alerts: &'a Value, name: &str) -> Option<&'a Value> {
    alerts["alerts"]
        .as_array()?
        .iter()
        .find(|a| a["name"] == name)
}

/// Polls `/api/v1/alerts` until `name` is in `state`; returns that alert.
async fn wait_for_state(watchpost: &Watchpost, name: &str, state: &str) -> Value {
    let client = http_client();
    let url = watchpost.url("/api/v1/alerts");
    let found = std::sync::Arc::new(std::sync::Mutex::new(Value::Null));
    poll_until(
        &format!("{name} to be {state}"),
        Duration::from_secs(30),
        || {
            let request = client.get(&url).send();
            let found = found.clone();
            async move {
                let Ok(response) = request.await else {
                    return false;
                };
                let Ok(body) = response.json::<Value>().await else {
                    return false;
                };
                match find(&body, name) {
                    Some(alert) if alert["state"] == state => {
                        *found.lock().unwrap() = alert.clone();
                        true
                    }
                    _ => false,
                }
            }
        },
    )
    .await
    .unwrap_or_else(|message| panic!("{message}; log:\n{}", watchpost.log()));
    found.lock().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firing_and_pending_alerts_survive_kill_9_without_a_new_notification() {
    let watchpost = start(new_dir_with_rules());
    let firing = wait_for_state(&watchpost, "ProcessesExist", "firing").await;
    let pending = wait_for_state(&watchpost, "PendingForAnHour", "pending").await;
    assert!(
        firing["annotations"]["summary"]
            .as_str()
            .unwrap()
            .ends_with(" processes")
    );
    assert_eq!(firing["severity"], "warning");
    let metrics = watchpost.get_text("/metrics").await;
    assert!(
        metrics.contains(
            r#"ALERTS{alertname="ProcessesExist",alertstate="firing",severity="warning"} 1"#
        ),
        "{metrics}"
    );
    assert!(watchpost.log().contains(r#""alertname":"ProcessesExist""#));

    let dir = watchpost.kill_hard();
    let restarted = start(dir);
    let firing_again = wait_for_state(&restarted, "ProcessesExist", "firing").await;
    let pending_again = wait_for_state(&restarted, "PendingForAnHour", "pending").await;
    assert_eq!(firing_again["triggered_at"], firing["triggered_at"]);
    assert_eq!(firing_again["active_since"], firing["active_since"]);
    assert_eq!(pending_again["active_since"], pending["active_since"]);
    // A few evaluations later it is still the same alert, and none announced it as new.
    let later = alerts(&restarted).await;
    assert_eq!(
        find(&later, "ProcessesExist").unwrap()["triggered_at"],
        firing["triggered_at"]
    );
    let log = restarted.log();
    let refired = log.lines().any(|l| {
        l.contains(r#""alertname":"ProcessesExist""#) && l.contains(r#""event":"Firing""#)
    });
    assert!(
        !refired,
        "the restored alert was announced as firing again:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_rule_file_on_reload_keeps_the_old_rules() {
    let watchpost = start(new_dir_with_rules());
    wait_for_state(&watchpost, "ProcessesExist", "firing").await;
    let broken = RULES.replace("for: 0s", "for: soon");
    std::fs::write(watchpost.dir().join("rules/it.yml"), broken).unwrap();
    let response = http_client()
        .post(watchpost.url("/-/reload"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let errors = body["errors"].to_string();
    assert!(errors.contains("it.yml:7:14"), "{errors}");
    let metrics = watchpost.get_text("/metrics").await;
    assert!(
        metrics.contains("watchpost_config_last_reload_successful 0"),
        "{metrics}"
    );
    // The old rules still run, and the firing alert is untouched.
    let rules: Value = serde_json::from_str(&watchpost.get_text("/api/v1/rules").await).unwrap();
    assert_eq!(
        rules["data"]["groups"][0]["rules"][0]["name"],
        "ProcessesExist"
    );
    assert_eq!(
        find(&alerts(&watchpost).await, "ProcessesExist").unwrap()["state"],
        "firing"
    );
}

#[test]
fn check_rules_reports_every_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yml");
    std::fs::write(
        &path,
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: nosuch_fn(up[5m])\n      - alert: A\n        expr: up\n        for: soon\n",
    )
    .unwrap();
    let mut command = watchpost_command(dir.path());
    command.args(["check", "rules"]).arg(&path);
    let finished = run_to_completion(&mut command, b"", Duration::from_secs(30));
    let output = finished.all_output();
    assert_eq!(finished.code(), 2, "{output}");
    let prefix = path.display().to_string();
    assert!(output.contains(&format!("{prefix}:5:15:")), "{output}");
    assert!(output.contains(&format!("{prefix}:8:14:")), "{output}");
    assert!(output.contains("duplicate"), "{output}");
}

#[test]
fn bundled_rule_tests_pass_through_the_cli() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = watchpost_command(root);
    command.args(["test", "rules"]);
    for file in ["host", "application", "business"] {
        command.arg(root.join(format!("tests/rules/{file}_test.yml")));
    }
    let finished = run_to_completion(&mut command, b"", Duration::from_secs(60));
    assert_eq!(finished.code(), 0, "{}", finished.all_output());
}

#[test]
fn a_failing_rule_test_exits_1_with_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.yml"), RULES).unwrap();
    let test = "rule_files: [r.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      - series: system_processes_count\n        values: '5x10'\n    alert_rule_test:\n      - eval_time: 5m\n        alertname: ProcessesExist\n        exp_alerts: []\n";
    std::fs::write(dir.path().join("t.yml"), test).unwrap();
    let mut command = watchpost_command(dir.path());
    command.args(["test", "rules", "t.yml"]);
    let finished = run_to_completion(&mut command, b"", Duration::from_secs(30));
    let output = finished.all_output();
    assert_eq!(finished.code(), 1, "{output}");
    assert!(output.contains("ProcessesExist"), "{output}");
}
