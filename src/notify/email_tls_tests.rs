//! Tests of the `email` integration over STARTTLS with AUTH against a real SMTP server:
//! `tests/smtp/starttls_server.py` (aiosmtpd requiring STARTTLS, then AUTH PLAIN/LOGIN as one
//! user) with a certificate from a throwaway test CA made by `tests/smtp/make_test_ca.sh`
//! (openssl), trusted through `ca_file`. Mails are parsed by `tests/smtp/parse_mail.py`.

use super::config::{EmailConfig, TlsMode};
use super::email::EmailNotifier;
use super::email_tests::{PYTHON, SmtpServer, aiosmtpd_available, config, free_port, wait_until};
use super::http_test_server::run;
use super::message::tests::sample_message;
use super::{Notifier, Outcome, Secret};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const USER: &str = "watchpost";
const PASSWORD: &str = "correct-horse-battery-staple";

fn smtp_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/smtp")
        .join(name)
}

/// A STARTTLS + AUTH server and its CA file, or `None` when aiosmtpd or openssl is missing
/// and `WATCHPOST_SKIP_EXTERNAL=1`.
fn start_starttls_smtp(dir: &Path) -> Option<(SmtpServer, PathBuf)> {
    let openssl = Path::new("/usr/bin/openssl").is_file();
    if !aiosmtpd_available() || !openssl {
        if std::env::var("WATCHPOST_SKIP_EXTERNAL").as_deref() == Ok("1") {
            return None;
        }
        panic!("python3-aiosmtpd or openssl is missing: run scripts/install-test-deps.sh");
    }
    let made = Command::new("bash")
        .arg(smtp_script("make_test_ca.sh"))
        .arg(dir)
        .status()
        .unwrap_or_else(|e| panic!("cannot run make_test_ca.sh: {e}"));
    assert!(made.success(), "make_test_ca.sh failed");
    let port = free_port();
    let maildir = dir.join("maildir");
    let child = Command::new(PYTHON)
        .arg(smtp_script("starttls_server.py"))
        .arg(port.to_string())
        .arg(dir.join("server.pem"))
        .arg(dir.join("server.key"))
        .arg(&maildir)
        .args([USER, PASSWORD])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start starttls_server.py: {e}"));
    let server = SmtpServer {
        child,
        port,
        maildir,
    };
    wait_until("the STARTTLS server listens", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    Some((server, dir.join("ca.pem")))
}

fn starttls_config(port: u16, ca_file: &Path, password: &str) -> EmailConfig {
    EmailConfig {
        tls: TlsMode::Starttls,
        ca_file: ca_file.display().to_string(),
        username: USER.to_owned(),
        password: Secret::new(password.to_owned()),
        ..config(port)
    }
}

/// Every stored mail, parsed by Python's MIME parser.
fn parsed_mails(maildir: &Path) -> Vec<Value> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(maildir.join("new"))
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let output = Command::new(PYTHON)
                .arg(smtp_script("parse_mail.py"))
                .arg(path)
                .output()
                .unwrap_or_else(|e| panic!("parse_mail.py: {e}"));
            serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

fn mail_count(maildir: &Path) -> usize {
    std::fs::read_dir(maildir.join("new")).map_or(0, |entries| entries.count())
}

#[test]
fn starttls_with_auth_delivers_a_multipart_mail() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some((server, ca_file)) = start_starttls_smtp(dir.path()) else {
        return;
    };
    let config = starttls_config(server.port, &ca_file, PASSWORD);
    let notifier = EmailNotifier::new("ops", &config).unwrap_or_else(|e| panic!("{e}"));
    run(async {
        let outcome = notifier.notify(&sample_message()).await;
        assert_eq!(outcome, Outcome::Delivered);
    });
    wait_until("the mail is stored", || mail_count(&server.maildir) == 1);
    let mail = &parsed_mails(&server.maildir)[0];
    assert_eq!(mail["subject"], "[FIRING:1] DiskFull", "{mail}");
    assert_eq!(mail["from"], "watchpost <watchpost@example.com>", "{mail}");
    assert_eq!(
        mail["to"],
        serde_json::json!(["ops@example.com", "oncall@example.com"])
    );
    assert_eq!(mail["content_type"], "multipart/alternative", "{mail}");
    let types: Vec<&str> = mail["parts"]
        .as_array()
        .map(|parts| {
            parts
                .iter()
                .filter_map(|p| p["content_type"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(types, ["text/plain", "text/html"], "{mail}");
    for part in mail["parts"].as_array().into_iter().flatten() {
        assert!(
            part["body"]
                .as_str()
                .is_some_and(|b| b.contains("DiskFull")),
            "{part}"
        );
    }
}

#[test]
fn a_wrong_password_is_permanent_and_never_shown() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some((server, ca_file)) = start_starttls_smtp(dir.path()) else {
        return;
    };
    let wrong = "wrong-secret-4711";
    let config = starttls_config(server.port, &ca_file, wrong);
    let notifier = EmailNotifier::new("ops", &config).unwrap_or_else(|e| panic!("{e}"));
    run(async {
        let outcome = notifier.notify(&sample_message()).await;
        let Outcome::Permanent(reason) = &outcome else {
            panic!("expected a permanent failure: {outcome:?}");
        };
        assert!(reason.contains("535"), "{reason}");
        assert!(!reason.contains(wrong), "{reason}");
    });
    assert!(!format!("{config:?}").contains(wrong));
    assert_eq!(mail_count(&server.maildir), 0);
}

#[test]
fn plain_smtp_against_a_starttls_only_server_fails_clearly() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some((server, _ca_file)) = start_starttls_smtp(dir.path()) else {
        return;
    };
    run(async {
        for username in ["", USER] {
            let config = EmailConfig {
                username: username.to_owned(),
                password: Secret::new(PASSWORD.to_owned()),
                ..config(server.port)
            };
            let notifier = EmailNotifier::new("ops", &config);
            let notifier = notifier.unwrap_or_else(|e| panic!("{e}"));
            let outcome = notifier.notify(&sample_message()).await;
            let Outcome::Permanent(reason) = &outcome else {
                panic!("expected a permanent failure: {outcome:?}");
            };
            assert!(reason.contains("set tls: starttls"), "{reason}");
        }
    });
    assert_eq!(mail_count(&server.maildir), 0);
}

#[test]
fn a_certificate_from_an_untrusted_ca_is_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some((server, _ca_file)) = start_starttls_smtp(dir.path()) else {
        return;
    };
    let config = EmailConfig {
        ca_file: String::new(),
        ..starttls_config(server.port, Path::new(""), PASSWORD)
    };
    let notifier = EmailNotifier::new("ops", &config).unwrap_or_else(|e| panic!("{e}"));
    run(async {
        let outcome = notifier.notify(&sample_message()).await;
        assert_ne!(outcome, Outcome::Delivered);
    });
    assert_eq!(mail_count(&server.maildir), 0);
    let missing = EmailConfig {
        ca_file: dir.path().join("nope.pem").display().to_string(),
        ..config
    };
    let error = EmailNotifier::new("ops", &missing)
        .err()
        .unwrap_or_default();
    assert!(error.starts_with("ca_file: cannot read"), "{error}");
}
