//! Spawning the real watchpost binary for a test: a config file in a temporary directory,
//! `run --web.listen-address 127.0.0.1:0 --log.format json`, the bound address read from the
//! `listening` log line, and the child killed when the handle drops. Also the HTTP client and
//! the polling helper the tests share.

use crate::process::{CapturedOutput, kill_and_reap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long watchpost may take to log `listening` (a cold start on a busy CI machine).
const STARTUP_LIMIT: Duration = Duration::from_secs(30);

/// A config for tests: host collectors on, a short interval, data in the test's directory.
pub fn test_config(data_dir: &Path) -> String {
    format!(
        "server:\n  listen_address: 127.0.0.1:0\n\
         collectors:\n  interval: 5s\n  timeout: 4s\n\
         storage:\n  path: {}\n\
         logging:\n  level: info\n  format: json\n",
        data_dir.join("watchpost.db").display()
    )
}

/// A running watchpost, killed on drop.
pub struct Watchpost {
    child: Child,
    stderr: CapturedOutput,
    /// The address watchpost reported in its `listening` log line.
    pub address: SocketAddr,
    dir: Option<TempDir>,
}

/// The first sections of a test config: collectors every 5 s, rules from `<dir>/rules/*.yml`,
/// the store under `<dir>/data`; callers append further sections.
pub fn base_config(dir: &Path) -> String {
    format!(
        "collectors:\n  interval: 5s\nrules:\n  files: [rules/*.yml]\nstorage:\n  path: {}\n",
        dir.join("data/watchpost.db").display()
    )
}

/// Writes `rules` to `<dir>/rules/rules.yml` and returns [`base_config`], which reads it.
pub fn config_with_rules(dir: &Path, rules: &str) -> String {
    std::fs::create_dir_all(dir.join("rules")).expect("create the rules directory");
    std::fs::write(dir.join("rules/rules.yml"), rules).expect("write rules.yml");
    base_config(dir)
}

impl Watchpost {
    /// Starts watchpost on [`test_config`] and waits for its `listening` line.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let config = test_config(&dir.path().join("data"));
        Self::start_in(dir, &config)
    }

    /// Starts watchpost with `config` written to `<dir>/watchpost.yml`.
    pub fn start_in(dir: TempDir, config: &str) -> Self {
        Self::start_full(dir, config, &[], &[])
    }

    /// [`Watchpost::start_in`] with extra environment variables (e.g. for `${VAR}` in config).
    pub fn start_in_with_env(dir: TempDir, config: &str, env: &[(&str, &str)]) -> Self {
        Self::start_full(dir, config, env, &[])
    }

    /// Like [`Watchpost::start_in`], with `extra` arguments after `run`'s own.
    pub fn start_with_args(dir: TempDir, config: &str, extra: &[&str]) -> Self {
        Self::start_full(dir, config, &[], extra)
    }

    /// [`Watchpost::start_in`] with extra environment variables and `run` arguments.
    pub fn start_full(dir: TempDir, config: &str, env: &[(&str, &str)], extra: &[&str]) -> Self {
        let config_path = dir.path().join("watchpost.yml");
        std::fs::write(&config_path, config).expect("write watchpost.yml");
        let mut child = watchpost_command(dir.path())
            .envs(env.iter().copied())
            .arg("run")
            .arg("--config.file")
            .arg(&config_path)
            .args([
                "--web.listen-address",
                "127.0.0.1:0",
                "--log.format",
                "json",
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn watchpost");
        let stderr = CapturedOutput::start(child.stderr.take().expect("stderr pipe"));
        match wait_for_listening(&stderr) {
            Some(address) => Watchpost {
                child,
                stderr,
                address,
                dir: Some(dir),
            },
            None => {
                kill_and_reap(&mut child);
                panic!(
                    "watchpost logged no JSON `listening` line with an `address` within \
                     {STARTUP_LIMIT:?}; its stderr:\n{}",
                    stderr.text()
                );
            }
        }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// What watchpost wrote to stderr so far (its JSON log).
    pub fn log(&self) -> String {
        self.stderr.text()
    }

    /// Polls `/-/ready` until it answers 200 (the first collection is done).
    pub async fn wait_ready(&self) {
        let client = http_client();
        let url = self.url("/-/ready");
        poll_until(
            "watchpost /-/ready to answer 200",
            Duration::from_secs(30),
            || {
                let request = client.get(&url).send();
                async move { matches!(request.await, Ok(response) if response.status() == 200) }
            },
        )
        .await
        .unwrap_or_else(|message| panic!("{message}; watchpost log:\n{}", self.log()));
    }

    /// GET `path` and return the body as text, panicking with the log on any failure.
    pub async fn get_text(&self, path: &str) -> String {
        let response = http_client()
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|error| panic!("GET {path}: {error}; log:\n{}", self.log()));
        assert_eq!(response.status(), 200, "GET {path}; log:\n{}", self.log());
        response.text().await.expect("response body")
    }
}

impl Watchpost {
    /// The directory holding the config (and the test's data).
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().map_or(Path::new("."), |d| d.path())
    }

    /// Kills watchpost with SIGKILL (no shutdown of any kind) and hands back its directory,
    /// so a test can start it again on the same data.
    pub fn kill_hard(mut self) -> TempDir {
        kill_and_reap(&mut self.child);
        self.dir.take().expect("the directory is taken only here")
    }
}

impl Drop for Watchpost {
    fn drop(&mut self) {
        kill_and_reap(&mut self.child);
    }
}

/// A command for the watchpost binary under test, run in `cwd`, without the caller's
/// `WATCHPOST_CONFIG` (so only the arguments choose the config).
pub fn watchpost_command(cwd: &Path) -> Command {
    let mut command = Command::new(watchpost_binary());
    command.current_dir(cwd).env_remove("WATCHPOST_CONFIG");
    command
}

/// The path of the watchpost binary cargo built for these tests.
pub fn watchpost_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_watchpost"))
}

/// Reads log lines until a JSON line with message `listening` gives an address.
fn wait_for_listening(stderr: &CapturedOutput) -> Option<SocketAddr> {
    let deadline = Instant::now() + STARTUP_LIMIT;
    while let Some(line) = stderr.next_line_before(deadline) {
        if let Some(address) = listening_address(&line) {
            return Some(address);
        }
    }
    None
}

/// The `address` of a JSON `listening` log line; the fields may sit at the top level or under
/// `fields` (tracing-subscriber's default JSON layout).
fn listening_address(line: &str) -> Option<SocketAddr> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let is_listening = |fields: &&serde_json::Value| {
        fields.get("message").and_then(|message| message.as_str()) == Some("listening")
    };
    let fields = [Some(&value), value.get("fields")]
        .into_iter()
        .flatten()
        .find(is_listening)?;
    fields.get("address")?.as_str()?.parse().ok()
}

/// An HTTP client for 127.0.0.1 only: no proxy from the environment, bounded timeouts.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http client")
}

/// Calls `check` every 200 ms until it returns true; `Err` with `what` when `limit` passes.
pub async fn poll_until<F, Fut>(what: &str, limit: Duration, mut check: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if check().await {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!("timed out after {limit:?} waiting for {what}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Pushes the gauge `business_queue_depth{queue="orders"}` = `value` (the notification tests'
/// alert input) and asserts the push was accepted.
pub async fn push_queue_depth(watchpost: &Watchpost, value: f64) {
    let body = serde_json::json!({"metrics": [{"name": "business_queue_depth", "type": "gauge",
        "value": value, "labels": {"queue": "orders"}}]});
    let response = http_client()
        .post(watchpost.url("/api/v1/metrics"))
        .json(&body)
        .send()
        .await
        .expect("push");
    assert_eq!(response.status(), 200);
}
