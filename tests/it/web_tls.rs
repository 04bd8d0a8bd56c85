//! The listener's web config end to end: a test CA made with /usr/bin/openssl, watchpost
//! serving TLS with basic auth (401 without credentials, 200 with, reqwest trusting the CA),
//! Prometheus 3.x scraping it over TLS with basic_auth (`up == 1`), `promtool check
//! web-config` (2.42 and 3.x) accepting `web-config.example.yml`, and a bad file failing with
//! exit 2 and FILE:LINE:COL.

use crate::process::run_to_completion;
use crate::prom_server::PrometheusServer;
use crate::support::{Watchpost, test_config, watchpost_command};
use crate::tools::{self, Tool};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The example file's basic-auth password.
const EXAMPLE_PASSWORD: &str = "changeme";

/// Writes `ca.crt` and the example config's server pair `watchpost.crt`/`watchpost.key`.
fn make_certificates(dir: &Path) {
    let made = crate::test_ca::make_test_ca(dir, 2);
    for (from, to) in [
        (made.ca, "ca.crt"),
        (made.cert, "watchpost.crt"),
        (made.key, "watchpost.key"),
    ] {
        std::fs::rename(&from, dir.join(to)).expect("rename a test certificate");
    }
}

/// A temporary directory with certificates and the example web config copied in.
fn example_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    make_certificates(dir.path());
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("web-config.example.yml");
    std::fs::copy(example, dir.path().join("web.yml")).expect("copy web-config.example.yml");
    dir
}

fn tls_client(dir: &Path) -> reqwest::Client {
    let pem = std::fs::read(dir.join("ca.crt")).expect("read ca.crt");
    reqwest::Client::builder()
        .no_proxy()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("CA certificate"))
        // A failed login costs a full bcrypt round: generous on a loaded CI machine.
        .timeout(Duration::from_secs(60))
        .build()
        .expect("TLS client")
}

fn start_with_web_config(dir: tempfile::TempDir) -> Watchpost {
    let config = test_config(&dir.path().join("data"));
    let web = dir.path().join("web.yml").display().to_string();
    Watchpost::start_with_args(dir, &config, &["--web.config.file", &web])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_basic_auth_answers_401_then_200() {
    let watchpost = start_with_web_config(example_dir());
    let client = tls_client(watchpost.dir());
    let url = format!("https://127.0.0.1:{}/metrics", watchpost.address.port());
    let response = client.get(&url).send().await.expect("TLS request");
    assert_eq!(response.status(), 401, "log:\n{}", watchpost.log());
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    let response = client
        .get(&url)
        .basic_auth("prometheus", Some("wrong"))
        .send()
        .await
        .expect("TLS request");
    assert_eq!(response.status(), 401);
    let response = client
        .get(&url)
        .basic_auth("prometheus", Some(EXAMPLE_PASSWORD))
        .send()
        .await
        .expect("TLS request");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("watchpost_build_info")
    );
    // Plain HTTP on the TLS port gets no answer.
    let plain = crate::support::http_client()
        .get(format!(
            "http://127.0.0.1:{}/metrics",
            watchpost.address.port()
        ))
        .send()
        .await;
    assert!(plain.map_or(true, |r| r.status() != 200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_3_scrapes_over_tls_with_basic_auth() {
    let Some(binary) = tools::require(Tool::Prometheus3) else {
        return;
    };
    let watchpost = start_with_web_config(example_dir());
    let ca = watchpost.dir().join("ca.crt");
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
         scrape_configs:\n  - job_name: watchpost_tls\n    scheme: https\n\
         \x20   tls_config:\n      ca_file: {}\n\
         \x20   basic_auth:\n      username: prometheus\n      password: {EXAMPLE_PASSWORD}\n\
         \x20   static_configs:\n      - targets: ['127.0.0.1:{}']\n",
        ca.display(),
        watchpost.address.port()
    );
    let prometheus = PrometheusServer::start_with_config(&binary, &config).await;
    prometheus
        .wait_target_up("watchpost_tls", Duration::from_secs(60))
        .await;
}

#[test]
fn promtool_checks_the_example_web_config() {
    let dir = example_dir();
    for tool in [Tool::Promtool2, Tool::Promtool3] {
        let Some(promtool) = tools::require(tool) else {
            continue;
        };
        let finished = run_to_completion(
            Command::new(&promtool)
                .args(["check", "web-config", "web.yml"])
                .current_dir(dir.path()),
            b"",
            Duration::from_secs(60),
        );
        assert_eq!(finished.code(), 0, "{tool:?}: {}", finished.all_output());
    }
}

#[test]
fn a_bad_web_config_exits_2_with_its_position() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(
        dir.path().join("watchpost.yml"),
        test_config(&dir.path().join("data")),
    )
    .expect("write watchpost.yml");
    std::fs::write(
        dir.path().join("web.yml"),
        "tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n  ciphers: []\n",
    )
    .expect("write web.yml");
    let finished = run_to_completion(
        watchpost_command(dir.path()).args([
            "run",
            "--config.file",
            "watchpost.yml",
            "--web.config.file",
            "web.yml",
        ]),
        b"",
        Duration::from_secs(30),
    );
    assert_eq!(finished.code(), 2, "{}", finished.all_output());
    assert!(
        finished.all_output().contains("web.yml:4:3: "),
        "{}",
        finished.all_output()
    );
}
