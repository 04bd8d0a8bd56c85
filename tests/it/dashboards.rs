//! The generated dashboards against real data: the stack's `prometheus/prometheus.yml` (targets
//! rewritten to 127.0.0.1 ports, 1 s scrapes) run natively by Prometheus 2.42 and 3.x, scraping
//! a watchpost with probes of a local HTTP server, pushed business metrics, tracked requests,
//! pushed logs and a firing alert, plus Debian's `prometheus-node-exporter`. Every query of
//! every generated Prometheus panel must return data (polled to a deadline; the failure lists
//! the empty ones), and the Node Exporter Full dashboard's queries are answered for watchpost
//! at least 95% as often as for node_exporter (see [`crate::dashboards_nef`]).

use crate::dashboards_nef::{node_exporter_full_share, substitute};
use crate::process::{KillOnDrop, free_local_port, run_to_completion};
use crate::prom_server::PrometheusServer;
use crate::support::{Watchpost, http_client, poll_until, watchpost_command};
use crate::tools::{Tool, require};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// How long every panel query may take to return data.
const DATA_DEADLINE: Duration = Duration::from_secs(120);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A tiny HTTP server on 127.0.0.1 for the probes: 200 with a JSON body on every path.
async fn probe_target() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let app = axum::Router::new().fallback(|| async { axum::Json(json!({"status": "ok"})) });
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

/// The probes section (helper "probes" owns its schema; adjust here if it differs).
fn probes_section(target: std::net::SocketAddr) -> String {
    format!(
        "probes:\n  - name: local-api\n    target: http://{target}/api/health\n    interval: 1s\n    \
         timeout: 1s\n"
    )
}

/// watchpost's config for the test: the stack's catalogue, the bundled rules plus one that
/// always fires, 1 s group waits so a notification is attempted.
fn watchpost_config(dir: &Path, probes: &str) -> String {
    let deploy: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join("deploy/watchpost.yml")).unwrap(),
    )
    .unwrap();
    let catalogue = serde_yaml::to_string(&deploy["push"]["metrics"]).unwrap();
    let catalogue: String = catalogue.lines().map(|l| format!("    {l}\n")).collect();
    std::fs::write(
        dir.join("test-rules.yml"),
        "groups:\n  - name: test\n    interval: 1s\n    rules:\n      - alert: TestAlwaysFiring\n        \
         expr: vector(1)\n        severity: info\n",
    )
    .unwrap();
    format!(
        "server:\n  listen_address: 127.0.0.1:0\n\
         collectors:\n  interval: 2s\n  timeout: 1500ms\n\
         storage:\n  path: {data}\n\
         logging:\n  level: info\n  format: json\n\
         push:\n  metrics:\n{catalogue}\
         rules:\n  evaluation_interval: 1s\n  files: ['{rules}/*.yml', '{dir}/test-rules.yml']\n\
         notify:\n  route:\n    group_wait: 1s\n    group_interval: 1s\n\
         {probes}",
        data = dir.join("watchpost.db").display(),
        rules = repo().join("rules").display(),
        dir = dir.display(),
    )
}

async fn post(watchpost: &Watchpost, path: &str, body: Value) {
    let response = http_client()
        .post(watchpost.url(path))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("push");
    assert_eq!(
        response.status(),
        200,
        "POST {path}: {}",
        response.text().await.unwrap_or_default()
    );
}

/// Business metrics of the catalogue, tracked requests (some failing) and logs (the probe
/// series come from a real probe of a local server).
async fn push_data(watchpost: &Watchpost) {
    let metrics = vec![
        json!({"name": "business.ai_calls.cost_today", "type": "gauge", "value": 12.5}),
        json!({"name": "business.users.active_sessions", "type": "gauge", "value": 7}),
        json!({"name": "business_user_signups_total", "type": "counter", "value": 3, "labels": {"source": "web"}}),
        json!({"name": "business_errors_rate_per_hour", "type": "gauge", "value": 2}),
    ];
    post(watchpost, "/api/v1/metrics", json!({"metrics": metrics})).await;
    let requests: Vec<Value> = (0..20)
        .map(|i| {
            json!({"service": "web", "endpoint": "/api/orders", "method": "GET",
                   "status": if i % 10 == 0 { 500 } else { 200 }, "duration_ms": 20 + i})
        })
        .collect();
    post(watchpost, "/api/v1/requests", json!({"requests": requests})).await;
    let logs = json!({"logs": [
        {"level": "error", "service": "web", "message": "order failed"},
        {"level": "info", "service": "web", "message": "order placed"},
    ]});
    post(watchpost, "/api/v1/logs", logs).await;
}

/// The dashboards `watchpost gen dashboards` writes for `config_path`.
fn generated_dashboards(dir: &Path, config_path: &Path) -> Vec<(String, Value)> {
    let out = dir.join("dashboards");
    let finished = run_to_completion(
        watchpost_command(dir)
            .args(["gen", "dashboards", "--config.file"])
            .arg(config_path)
            .arg("--out")
            .arg(&out),
        b"",
        Duration::from_secs(60),
    );
    assert_eq!(finished.code(), 0, "{}", finished.all_output());
    let mut dashboards: Vec<(String, Value)> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            (
                path.display().to_string(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect();
    dashboards.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(dashboards.len(), 5);
    dashboards
}

/// `GET /api/v1/metrics/grafana` serves what `gen dashboards` wrote for the same config.
async fn served_dashboards_match_the_generated_ones(
    watchpost: &Watchpost,
    generated: &[(String, Value)],
) {
    let all: Value =
        serde_json::from_str(&watchpost.get_text("/api/v1/metrics/grafana").await).unwrap();
    let served: Vec<&Value> = all["dashboards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["dashboard"])
        .collect();
    for (path, dashboard) in generated {
        assert!(
            served.contains(&dashboard),
            "{path} is not served by /api/v1/metrics/grafana"
        );
    }
    let host: Value = serde_json::from_str(
        &watchpost
            .get_text("/api/v1/metrics/grafana?dashboard=host")
            .await,
    )
    .unwrap();
    assert_eq!(host["dashboard"]["uid"], "watchpost-host", "{host}");
    let missing = http_client()
        .get(watchpost.url("/api/v1/metrics/grafana?dashboard=nosuch"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

/// Every Prometheus panel query of `dashboard`.
fn prometheus_queries(dashboard: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().into_iter().flatten() {
            if target["datasource"]["uid"] == "prometheus" {
                out.push(target["expr"].as_str().unwrap().to_owned());
            }
        }
    }
    out
}

/// The stack's prometheus.yml with 1 s scrapes, its targets on 127.0.0.1, and node_exporter.
fn stack_prometheus_config(port: u16, watchpost: u16, node: u16) -> String {
    let text = std::fs::read_to_string(repo().join("prometheus/prometheus.yml")).unwrap();
    let unreachable = free_local_port();
    let text = text
        .replace("watchpost:39101", &format!("127.0.0.1:{watchpost}"))
        .replace("localhost:9090", &format!("127.0.0.1:{port}"))
        .replace("alertmanager:9093", &format!("127.0.0.1:{unreachable}"));
    let mut config: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    for key in ["scrape_interval", "scrape_timeout", "evaluation_interval"] {
        config["global"][key] = "1s".into();
    }
    let jobs = config["scrape_configs"].as_sequence_mut().unwrap();
    for job in jobs.iter_mut() {
        job["scrape_interval"] = "1s".into();
    }
    let node_job = format!("job_name: node\nstatic_configs:\n  - targets: ['127.0.0.1:{node}']\n");
    jobs.push(serde_yaml::from_str(&node_job).unwrap());
    serde_yaml::to_string(&config).unwrap()
}

fn start_node_exporter(binary: &Path) -> (KillOnDrop, u16) {
    let port = free_local_port();
    let child = Command::new(binary)
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn prometheus-node-exporter");
    (KillOnDrop(child), port)
}

/// Polls until every query has data; returns the ones still empty at the deadline.
async fn empty_queries(prometheus: &PrometheusServer, queries: &[String]) -> Vec<String> {
    let empty = std::sync::Mutex::new(queries.to_vec());
    let empty = &empty;
    let _ = poll_until(
        "every panel query to return data",
        DATA_DEADLINE,
        || async move {
            let pending = std::mem::take(&mut *empty.lock().unwrap());
            let mut still = Vec::new();
            for query in pending {
                if prometheus.query(&query).await.is_empty() {
                    still.push(query);
                }
            }
            let done = still.is_empty();
            *empty.lock().unwrap() = still;
            done
        },
    )
    .await;
    empty.lock().unwrap().clone()
}

async fn dashboards_have_data(tool: Tool) {
    let (Some(prometheus_binary), Some(node_binary)) = (require(tool), require(Tool::NodeExporter))
    else {
        return;
    };
    let target = probe_target().await;
    let dir = tempfile::tempdir().unwrap();
    let config = watchpost_config(dir.path(), &probes_section(target));
    let config_path = dir.path().join("watchpost.yml");
    std::fs::write(&config_path, &config).unwrap();
    let dashboards = generated_dashboards(dir.path(), &config_path);
    let watchpost = Watchpost::start_in(tempfile::tempdir().unwrap(), &config);
    watchpost.wait_ready().await;
    served_dashboards_match_the_generated_ones(&watchpost, &dashboards).await;
    push_data(&watchpost).await;
    let (_node, node_port) = start_node_exporter(&node_binary);
    let wp_port = watchpost.address.port();
    let prometheus = PrometheusServer::start_with(&prometheus_binary, &|port| {
        stack_prometheus_config(port, wp_port, node_port)
    })
    .await;
    prometheus
        .wait_target_up("watchpost", Duration::from_secs(60))
        .await;
    prometheus
        .wait_target_up("node", Duration::from_secs(60))
        .await;
    // A second push, so counters have moved between scrapes.
    push_data(&watchpost).await;

    let instance = format!("127.0.0.1:{wp_port}");
    let mut queries = Vec::new();
    for (_, dashboard) in &dashboards {
        for query in prometheus_queries(dashboard) {
            queries.push(substitute(&query, "watchpost", &instance));
        }
    }
    assert!(queries.len() > 30, "{} queries", queries.len());
    let empty = empty_queries(&prometheus, &queries).await;
    assert!(
        empty.is_empty(),
        "{} of {} panel queries returned no data on Prometheus {}:\n{}\ntargets: {}\nwatchpost log:\n{}",
        empty.len(),
        queries.len(),
        prometheus.version().await,
        empty.join("\n"),
        prometheus.targets().await,
        watchpost.log(),
    );
    println!(
        "Prometheus {}: all {} generated panel queries have data (a real probe included)",
        prometheus.version().await,
        queries.len(),
    );
    node_exporter_full_share(&prometheus, &instance, &format!("127.0.0.1:{node_port}")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_panels_have_data_on_prometheus_2() {
    dashboards_have_data(Tool::Prometheus2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_panels_have_data_on_prometheus_3() {
    dashboards_have_data(Tool::Prometheus3).await;
}
