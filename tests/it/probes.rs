//! Probes end to end: watchpost probes local HTTP servers on 127.0.0.1 (200 JSON, 200 HTML,
//! 401, 500, one that never answers, a closed port) and an `openssl s_server` HTTPS peer with a
//! test CA, and `/metrics` shows blackbox_exporter's series with the right values and failure
//! reasons.

use crate::process::free_local_port;
use crate::support::{Watchpost, poll_until};
use axum::Router;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The application of seed 004, plus a broken and a hanging endpoint.
fn app() -> Router {
    Router::new()
        .route(
            "/api/health",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
        .route(
            "/api/degraded",
            get(|| async { axum::Json(serde_json::json!({"status": "degraded"})) }),
        )
        .route(
            "/",
            get(|| async { Html("<!doctype html><html><body>app</body></html>") }),
        )
        .route(
            "/api/auth/me",
            get(|| async { (StatusCode::UNAUTHORIZED, "login first") }),
        )
        .route(
            "/broken",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .route("/hang", get(std::future::pending::<&'static str>))
}

async fn serve_app() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app()).await });
    format!("http://{address}")
}

/// An `openssl s_server -www` on 127.0.0.1 with a leaf certificate signed by a fresh test CA;
/// killed on drop.
struct TlsPeer {
    child: Child,
    port: u16,
}

impl Drop for TlsPeer {
    fn drop(&mut self) {
        crate::process::kill_and_reap(&mut self.child);
    }
}

fn start_tls_peer(dir: &Path) -> TlsPeer {
    let port = free_local_port();
    let child = Command::new("openssl")
        .current_dir(dir)
        .args([
            "s_server",
            "-quiet",
            "-www",
            "-cert",
            "server.pem",
            "-key",
            "server.key",
        ])
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    TlsPeer { child, port }
}

fn openssl_available() -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var("WATCHPOST_SKIP_EXTERNAL").as_deref() == Ok("1") {
        eprintln!("skipping: openssl not found; WATCHPOST_SKIP_EXTERNAL=1");
        return false;
    }
    assert!(
        found,
        "openssl not found: scripts/install-test-deps.sh installs it"
    );
    true
}

fn probe(name: &str, target: &str, extra: &str) -> String {
    format!("  - {{name: {name}, target: \"{target}\", interval: 1s, timeout: 1s{extra}}}\n")
}

/// The value of the series written exactly as `series` (name and sorted labels) in `text`.
fn value_of(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

fn labels(name: &str, target: &str) -> String {
    format!("{{probe=\"{name}\",target=\"{target}\"}}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_export_blackbox_series_with_failure_reasons() {
    if !openssl_available() {
        return;
    }
    let app = serve_app().await;
    let dir = tempfile::tempdir().unwrap();
    crate::test_ca::make_test_ca(dir.path(), 20);
    let peer = start_tls_peer(dir.path());
    let https = format!("https://127.0.0.1:{}/", peer.port);
    let closed = format!("127.0.0.1:{}", free_local_port());
    let ca = dir.path().join("ca.pem");
    let mut config = format!(
        "storage:\n  path: {}\nprobes:\n",
        dir.path().join("data/watchpost.db").display()
    );
    let health = format!("{app}/api/health");
    let degraded = format!("{app}/api/degraded");
    let frontend = format!("{app}/");
    let auth = format!("{app}/api/auth/me");
    let broken = format!("{app}/broken");
    let hang = format!("{app}/hang");
    config += &probe(
        "api-health",
        &health,
        ", expected_status: [200], json: {path: status, equals: ok}, headers: {Authorization: \"Bearer t0ps3cret\"}",
    );
    config += &probe("degraded", &degraded, ", json: {path: status, equals: ok}");
    config += &probe(
        "frontend",
        &frontend,
        ", expected_status: [200], body_regex: '(?i)<html'",
    );
    config += &probe("auth-me", &auth, ", expected_status: [401]");
    config += &probe(
        "broken",
        &broken,
        ", retries: 2, expected_status: [\"2xx\", \"300-399\"]",
    );
    config += &probe("hang", &hang, "");
    config += &probe(
        "tls-trusted",
        &https,
        &format!(", tls: {{ca_file: \"{}\"}}", ca.display()),
    );
    config += &probe("tls-untrusted", &https, "");
    config += &probe(
        "tls-insecure",
        &https,
        ", tls: {insecure_skip_verify: true}",
    );
    config +=
        &format!("  - {{name: db, type: tcp, target: \"{closed}\", interval: 1s, timeout: 1s}}\n");
    let watchpost = Watchpost::start_in(dir, &config);

    // Every probe has run and the retried one has failed more than its 2 retries.
    let last = std::sync::Mutex::new(String::new());
    let broken_failures = format!("probe_consecutive_failures{}", labels("broken", &broken));
    let trusted_expiry = format!(
        "probe_ssl_earliest_cert_expiry{}",
        labels("tls-trusted", &https)
    );
    let polled = poll_until("every probe series", Duration::from_secs(60), || {
        let fetched = watchpost.get_text("/metrics");
        let (last, broken_failures, trusted_expiry) = (&last, &broken_failures, &trusted_expiry);
        async move {
            let text = fetched.await;
            let done = value_of(&text, broken_failures).is_some_and(|n| n >= 3.0)
                && text.matches("probe_success{").count() == 10
                && value_of(&text, trusted_expiry).is_some();
            *last.lock().unwrap() = text;
            done
        }
    })
    .await;
    let text = last.into_inner().unwrap();
    polled.unwrap_or_else(|message| panic!("{message}\n{text}\nlog:\n{}", watchpost.log()));

    let success = |name: &str, target: &str| {
        value_of(&text, &format!("probe_success{}", labels(name, target)))
    };
    let reason = |name: &str, target: &str, reason: &str| {
        let series = format!(
            "probe_failure_reason{{probe=\"{name}\",reason=\"{reason}\",target=\"{target}\"}}"
        );
        value_of(&text, &series)
    };
    let status = |name: &str, target: &str| {
        value_of(
            &text,
            &format!("probe_http_status_code{}", labels(name, target)),
        )
    };
    assert_eq!(success("api-health", &health), Some(1.0), "{text}");
    assert_eq!(status("api-health", &health), Some(200.0));
    assert_eq!(success("frontend", &frontend), Some(1.0), "{text}");
    assert_eq!(success("auth-me", &auth), Some(1.0), "{text}");
    assert_eq!(status("auth-me", &auth), Some(401.0));
    assert_eq!(success("degraded", &degraded), Some(0.0));
    assert_eq!(reason("degraded", &degraded, "body"), Some(1.0));
    assert_eq!(reason("degraded", &degraded, "status"), Some(0.0));
    assert_eq!(success("broken", &broken), Some(0.0));
    assert_eq!(status("broken", &broken), Some(500.0));
    assert_eq!(reason("broken", &broken, "status"), Some(1.0));
    assert_eq!(success("hang", &hang), Some(0.0));
    assert_eq!(reason("hang", &hang, "timeout"), Some(1.0), "{text}");
    assert_eq!(status("hang", &hang), Some(0.0));
    assert_eq!(success("db", &closed), Some(0.0));
    assert_eq!(reason("db", &closed, "connect"), Some(1.0), "{text}");
    assert_eq!(
        success("tls-trusted", &https),
        Some(1.0),
        "{text}\nlog:\n{}",
        watchpost.log()
    );
    assert_eq!(success("tls-untrusted", &https), Some(0.0));
    assert_eq!(reason("tls-untrusted", &https, "tls"), Some(1.0), "{text}");
    assert_eq!(success("tls-insecure", &https), Some(1.0), "{text}");
    // The leaf expires in 20 days; a plain HTTP target has no expiry series.
    let expiry = value_of(&text, &trusted_expiry).unwrap_or_default();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let days = (expiry - now) / 86_400.0;
    assert!((19.0..=20.1).contains(&days), "expiry in {days} days");
    assert!(!text.contains(&format!(
        "probe_ssl_earliest_cert_expiry{}",
        labels("api-health", &health)
    )));
    // The header's secret value never reaches the log.
    assert!(!watchpost.log().contains("t0ps3cret"));
}
