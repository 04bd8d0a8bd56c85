//! The `email` receiver end to end over STARTTLS with AUTH: a throwaway test CA and a server
//! certificate for 127.0.0.1 made at test time (`tests/smtp/make_test_ca.sh`, openssl), an
//! aiosmtpd server requiring STARTTLS and AUTH (`tests/smtp/starttls_server.py`), and a
//! watchpost whose receiver reads the password from `${WATCHPOST_IT_SMTP_PASSWORD}` and trusts
//! the CA through `ca_file`. The firing and the resolved mail arrive (parsed by Python's MIME
//! parser); with a wrong password the notification is dead-lettered after one attempt and the
//! password appears in neither the history nor the log.

use crate::process::{KillOnDrop, free_local_port};
use crate::support::{Watchpost, config_with_rules, http_client, poll_until, push_queue_depth};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const PYTHON: &str = "/usr/bin/python3";
const PASSWORD: &str = "it-correct-horse-battery";

const RULES: &str = r#"groups:
  - name: email-it
    interval: 1h
    rules:
      - alert: QueueTooDeep
        expr: business_queue_depth > 100
        for: 0s
        annotations:
          summary: "queue {{ $labels.queue }} is deep"
"#;

fn smtp_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/smtp")
        .join(name)
}

/// The SMTP server (killed on drop), its port, maildir and CA file.
struct Smtp {
    _process: KillOnDrop,
    _dir: tempfile::TempDir,
    port: u16,
    maildir: PathBuf,
    ca_file: PathBuf,
}

fn aiosmtpd_available() -> bool {
    let status = Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .status();
    status.is_ok_and(|s| s.success()) && Path::new("/usr/bin/openssl").is_file()
}

async fn start_smtp() -> Option<Smtp> {
    if !aiosmtpd_available() {
        if std::env::var("WATCHPOST_SKIP_EXTERNAL").as_deref() == Ok("1") {
            return None;
        }
        panic!("python3-aiosmtpd or openssl missing: run scripts/install-test-deps.sh");
    }
    let dir = tempfile::tempdir().unwrap();
    crate::test_ca::make_test_ca(dir.path(), 1);
    let port = free_local_port();
    let maildir = dir.path().join("maildir");
    let child = Command::new(PYTHON)
        .arg(smtp_script("starttls_server.py"))
        .arg(port.to_string())
        .arg(dir.path().join("server.pem"))
        .arg(dir.path().join("server.key"))
        .arg(&maildir)
        .args(["watchpost", PASSWORD])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let smtp = Smtp {
        _process: KillOnDrop(child),
        ca_file: dir.path().join("ca.pem"),
        _dir: dir,
        port,
        maildir,
    };
    poll_until(
        "the SMTP server listens",
        Duration::from_secs(30),
        || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
        },
    )
    .await
    .unwrap();
    Some(smtp)
}

fn start_watchpost(smtp: &Smtp, password: &str) -> Watchpost {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with_rules(dir.path(), RULES)
        + &format!(
            "notify:\n  receivers:\n    - name: mail\n      email:\n        host: 127.0.0.1\n\
         \x20       port: {port}\n        tls: starttls\n        ca_file: {ca}\n\
         \x20       username: watchpost\n        password: \"${{WATCHPOST_IT_SMTP_PASSWORD}}\"\n\
         \x20       from: watchpost@example.com\n        to: [ops@example.com, oncall@example.com]\n\
         \x20 route:\n    receiver: mail\n    group_by: [alertname]\n    group_wait: 0s\n\
         \x20   group_interval: 1s\n  delivery:\n    initial_backoff: 10ms\n    max_backoff: 100ms\n",
            port = smtp.port,
            ca = smtp.ca_file.display(),
        );
    Watchpost::start_in_with_env(dir, &config, &[("WATCHPOST_IT_SMTP_PASSWORD", password)])
}

/// The stored mails, oldest first, parsed by `tests/smtp/parse_mail.py`.
fn mails(maildir: &Path) -> Vec<Value> {
    let mut paths: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(maildir.join("new"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .map(|(_, path)| {
            let output = Command::new(PYTHON)
                .arg(smtp_script("parse_mail.py"))
                .arg(path)
                .output()
                .unwrap();
            serde_json::from_slice(&output.stdout).unwrap()
        })
        .collect()
}

async fn wait_for_mails(smtp: &Smtp, watchpost: &Watchpost, count: usize) -> Vec<Value> {
    let result = poll_until("the mails arrive", Duration::from_secs(30), || async {
        mails(&smtp.maildir).len() >= count
    })
    .await;
    result.unwrap_or_else(|e| panic!("{e}\n{}", watchpost.log()));
    mails(&smtp.maildir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firing_and_resolved_mails_over_starttls_with_auth() {
    let Some(smtp) = start_smtp().await else {
        return;
    };
    let watchpost = start_watchpost(&smtp, PASSWORD);
    watchpost.wait_ready().await;
    push_queue_depth(&watchpost, 150.0).await;
    let firing = wait_for_mails(&smtp, &watchpost, 1).await;
    push_queue_depth(&watchpost, 20.0).await;
    let both = wait_for_mails(&smtp, &watchpost, 2).await;
    assert_eq!(firing[0], both[0]);
    let subjects: Vec<&Value> = both.iter().map(|m| &m["subject"]).collect();
    assert_eq!(
        subjects,
        ["[FIRING:1] QueueTooDeep", "[RESOLVED] QueueTooDeep"]
    );
    for mail in &both {
        assert_eq!(
            mail["to"],
            json!(["ops@example.com", "oncall@example.com"]),
            "{mail}"
        );
        assert_eq!(mail["content_type"], "multipart/alternative", "{mail}");
        let parts = mail["parts"].as_array().cloned().unwrap_or_default();
        let types: Vec<&Value> = parts.iter().map(|p| &p["content_type"]).collect();
        assert_eq!(types, ["text/plain", "text/html"], "{mail}");
        assert!(
            parts
                .iter()
                .all(|p| p["body"].as_str().is_some_and(|b| b.contains("orders")))
        );
    }
    assert!(!watchpost.log().contains(PASSWORD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_smtp_password_is_dead_lettered_at_once_and_never_shown() {
    let Some(smtp) = start_smtp().await else {
        return;
    };
    let wrong = "it-wrong-password-4711";
    let watchpost = start_watchpost(&smtp, wrong);
    watchpost.wait_ready().await;
    push_queue_depth(&watchpost, 150.0).await;
    let url = watchpost.url("/api/v1/notifications?receiver=mail");
    let result = poll_until(
        "the notification is dead",
        Duration::from_secs(30),
        || async {
            let text = http_client()
                .get(&url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            text.contains("\"dead\"")
        },
    )
    .await;
    result.unwrap_or_else(|e| panic!("{e}\n{}", watchpost.log()));
    let text = watchpost
        .get_text("/api/v1/notifications?receiver=mail")
        .await;
    assert!(!text.contains(wrong), "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    let row = &body["data"][0];
    assert_eq!(row["state"], "dead", "{row}");
    assert_eq!(row["attempts"], 1, "{row}");
    let error = row["last_error"].as_str().unwrap_or_default();
    assert!(
        error.contains("permanent") && error.contains("535"),
        "{row}"
    );
    assert!(!watchpost.log().contains(wrong), "{}", watchpost.log());
    assert!(mails(&smtp.maildir).is_empty());
}
