//! A real Prometheus server for a test: a `prometheus.yml` scraping one target every second,
//! its TSDB in a temporary directory, a free port on 127.0.0.1 (retried when another process
//! takes it first), readiness polled on `/-/ready`, and queries over its HTTP API. The server is
//! killed when the handle drops.

use crate::process::{CapturedOutput, free_local_port, kill_and_reap};
use crate::support::{http_client, poll_until};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

/// How many ports to try before giving up (each attempt picks a fresh free port).
const START_ATTEMPTS: usize = 5;

/// A running Prometheus, killed on drop.
pub struct PrometheusServer {
    child: Child,
    stderr: CapturedOutput,
    base_url: String,
    _dir: TempDir,
}

impl PrometheusServer {
    /// Starts `binary` scraping `target` (host:port) as job `job` every second.
    pub async fn start(binary: &Path, job: &str, target: &str) -> Self {
        Self::start_with(binary, &|_| scrape_config(job, target)).await
    }

    /// Starts `binary` on the whole `prometheus.yml` text `config`.
    pub async fn start_with_config(binary: &Path, config: &str) -> Self {
        Self::start_with(binary, &|_| config.to_owned()).await
    }

    /// Starts `binary` with the `prometheus.yml` that `config` writes for the port it listens on.
    pub async fn start_with(binary: &Path, config: &dyn Fn(u16) -> String) -> Self {
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            match Self::try_start(binary, config).await {
                Ok(server) => return server,
                Err(failure) => failures.push(failure),
            }
        }
        panic!(
            "{} did not start in {START_ATTEMPTS} attempts:\n{}",
            binary.display(),
            failures.join("\n---\n")
        );
    }

    async fn try_start(binary: &Path, config: &dyn Fn(u16) -> String) -> Result<Self, String> {
        let dir = tempfile::tempdir().expect("temporary directory");
        let config_path = dir.path().join("prometheus.yml");
        let port = free_local_port();
        std::fs::write(&config_path, config(port)).expect("write prometheus.yml");
        let mut child = Command::new(binary)
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("spawn {}: {error}", binary.display()));
        let stderr = CapturedOutput::start(child.stderr.take().expect("stderr pipe"));
        let server = PrometheusServer {
            child,
            stderr,
            base_url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        server.wait_ready().await.map(|()| server)
    }

    /// Polls `/-/ready`; fails early when the process exits (e.g. its port was taken).
    async fn wait_ready(&self) -> Result<(), String> {
        let client = http_client();
        let url = format!("{}/-/ready", self.base_url);
        let child_id = self.child.id();
        poll_until("prometheus /-/ready", Duration::from_secs(60), || {
            let request = client.get(&url).send();
            async move {
                let ready = matches!(request.await, Ok(response) if response.status() == 200);
                ready || !process_alive(child_id)
            }
        })
        .await
        .map_err(|message| format!("{message}; log:\n{}", self.log()))?;
        if process_alive(child_id) {
            Ok(())
        } else {
            Err(format!(
                "prometheus exited during startup; log:\n{}",
                self.log()
            ))
        }
    }

    /// What Prometheus logged so far.
    pub fn log(&self) -> String {
        self.stderr.text()
    }

    /// Runs an instant query and returns `data.result` (the vector's elements).
    pub async fn query(&self, promql: &str) -> Vec<serde_json::Value> {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/api/v1/query", self.base_url),
            [("query", promql)],
        )
        .expect("query url");
        let response = http_client().get(url).send().await;
        let body: serde_json::Value = match response {
            Ok(response) => response.json().await.expect("query response is JSON"),
            Err(error) => panic!("query {promql}: {error}; prometheus log:\n{}", self.log()),
        };
        assert_eq!(body["status"], "success", "query {promql}: {body}");
        body["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The `version` from `/api/v1/status/buildinfo`.
    pub async fn version(&self) -> String {
        let url = format!("{}/api/v1/status/buildinfo", self.base_url);
        let body: serde_json::Value = http_client()
            .get(url)
            .send()
            .await
            .expect("buildinfo request")
            .json()
            .await
            .expect("buildinfo JSON");
        body["data"]["version"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Polls until `up{job}` is 1; panics with both logs' context after `limit`.
    pub async fn wait_target_up(&self, job: &str, limit: Duration) {
        let promql = format!("up{{job=\"{job}\"}}");
        let outcome = poll_until(&format!("{promql} == 1"), limit, || async {
            let result = self.query(&promql).await;
            result
                .first()
                .and_then(|sample| sample["value"][1].as_str())
                == Some("1")
        })
        .await;
        if let Err(message) = outcome {
            let targets = self.targets().await;
            panic!(
                "{message}; targets: {targets}; prometheus log:\n{}",
                self.log()
            );
        }
    }

    /// `/api/v1/targets` as JSON text (scrape errors show there).
    pub async fn targets(&self) -> String {
        let url = format!("{}/api/v1/targets", self.base_url);
        match http_client().get(url).send().await {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(error) => format!("(targets unavailable: {error})"),
        }
    }
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        kill_and_reap(&mut self.child);
    }
}

/// A prometheus.yml scraping `target` as `job` every second.
fn scrape_config(job: &str, target: &str) -> String {
    format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
         scrape_configs:\n  - job_name: {job}\n    static_configs:\n      - targets: ['{target}']\n"
    )
}

/// Whether the process `pid` still exists and is not a zombie.
fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
        Err(_) => false,
    }
}
