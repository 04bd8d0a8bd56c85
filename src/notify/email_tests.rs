//! Tests of the `email` integration against a real SMTP server: Debian's aiosmtpd on
//! 127.0.0.1 with the Maildir handler, whose stored MIME messages are parsed back.

use super::config::{EmailConfig, TlsMode};
use super::email::EmailNotifier;
use super::http_test_server::run;
use super::message::tests::sample_message;
use super::{Notifier, Outcome};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(super) const PYTHON: &str = "/usr/bin/python3";

/// aiosmtpd writing every mail into a Maildir; killed on drop.
pub(super) struct SmtpServer {
    pub(super) child: Child,
    pub(super) port: u16,
    pub(super) maildir: PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn aiosmtpd_available() -> bool {
    Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

pub(super) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// Starts aiosmtpd, or `None` when it is missing and `WATCHPOST_SKIP_EXTERNAL=1`.
fn start_smtp(dir: &Path) -> Option<SmtpServer> {
    if !aiosmtpd_available() {
        if std::env::var("WATCHPOST_SKIP_EXTERNAL").as_deref() == Ok("1") {
            return None;
        }
        panic!(
            "python3-aiosmtpd is missing: run scripts/test.sh (or scripts/install-test-deps.sh), or set WATCHPOST_SKIP_EXTERNAL=1"
        );
    }
    let port = free_port();
    let maildir = dir.join("maildir");
    let child = Command::new(PYTHON)
        .args(["-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .args(["-l", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start aiosmtpd: {e}"));
    let server = SmtpServer {
        child,
        port,
        maildir,
    };
    wait_until("aiosmtpd listens", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    Some(server)
}

/// Polls `condition` every 20ms for up to 20s.
pub(super) fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(super) fn stored_mails(maildir: &Path) -> Vec<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(maildir.join("new"))
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// The value of header `name` in the head of `mail` (unfolded).
pub(super) fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    let head = mail.split("\n\n").next().unwrap_or("");
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

pub(super) fn config(port: u16) -> EmailConfig {
    EmailConfig {
        host: "127.0.0.1".to_owned(),
        port,
        tls: TlsMode::None,
        from: "watchpost <watchpost@example.com>".to_owned(),
        to: vec![
            "ops@example.com".to_owned(),
            "oncall@example.com".to_owned(),
        ],
        ..EmailConfig::default()
    }
}

#[test]
fn firing_and_resolved_mails_reach_a_real_smtp_server() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(server) = start_smtp(dir.path()) else {
        return;
    };
    let notifier = EmailNotifier::new("ops", &config(server.port));
    let notifier = notifier.unwrap_or_else(|e| panic!("{e}"));
    let firing = sample_message();
    let mut resolved = sample_message();
    resolved.alerts.retain(|a| !a.is_firing());
    run(async {
        assert_eq!(notifier.notify(&firing).await, Outcome::Delivered);
        assert_eq!(notifier.notify(&resolved).await, Outcome::Delivered);
    });
    wait_until("two mails are stored", || {
        stored_mails(&server.maildir).len() == 2
    });
    let mails = stored_mails(&server.maildir);
    let subjects: Vec<_> = mails.iter().filter_map(|m| header(m, "Subject")).collect();
    let mut sorted = subjects.clone();
    sorted.sort();
    assert_eq!(sorted, ["[FIRING:1] DiskFull", "[RESOLVED] DiskFull"]);
    for mail in &mails {
        let mail = mail.replace("\r\n", "\n");
        assert_eq!(
            header(&mail, "To"),
            Some("ops@example.com, oncall@example.com")
        );
        assert_eq!(
            header(&mail, "From"),
            Some("watchpost <watchpost@example.com>")
        );
        assert!(
            header(&mail, "Content-Type").is_some_and(|t| t.starts_with("multipart/alternative")),
            "{mail}"
        );
        assert!(mail.contains("Content-Type: text/plain"), "{mail}");
        assert!(mail.contains("Content-Type: text/html"), "{mail}");
        assert!(mail.contains("DiskFull"), "{mail}");
    }
}

#[test]
fn a_closed_smtp_port_is_retryable() {
    let notifier = EmailNotifier::new("ops", &config(free_port()));
    let notifier = notifier.unwrap_or_else(|e| panic!("{e}"));
    run(async {
        let outcome = notifier.notify(&sample_message()).await;
        assert!(matches!(outcome, Outcome::Retryable { .. }), "{outcome:?}");
    });
}

#[test]
fn bad_addresses_are_refused_at_build_time() {
    let mut bad = config(25);
    bad.to = vec!["not an address".to_owned()];
    let error = EmailNotifier::new("ops", &bad).err().unwrap_or_default();
    assert!(error.starts_with("to[0]: invalid address"), "{error}");
}

/// A fake SMTP server that greets every connection with `banner` and closes.
async fn greeting_server(banner: &'static str) -> u16 {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await;
    let listener = listener.unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.write_all(banner.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    port
}

#[test]
fn smtp_4xx_is_retryable_and_5xx_permanent() {
    run(async {
        let transient = greeting_server("421 4.3.2 try again later\r\n").await;
        let notifier = EmailNotifier::new("ops", &config(transient));
        let notifier = notifier.unwrap_or_else(|e| panic!("{e}"));
        let outcome = notifier.notify(&sample_message()).await;
        assert!(
            matches!(&outcome, Outcome::Retryable { reason, .. } if reason.contains("421")),
            "{outcome:?}"
        );
        let permanent = greeting_server("554 5.7.1 go away\r\n").await;
        let notifier = EmailNotifier::new("ops", &config(permanent));
        let notifier = notifier.unwrap_or_else(|e| panic!("{e}"));
        let outcome = notifier.notify(&sample_message()).await;
        assert!(
            matches!(&outcome, Outcome::Permanent(reason) if reason.contains("554")),
            "{outcome:?}"
        );
    });
}
