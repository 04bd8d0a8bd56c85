//! Real Prometheus servers scrape watchpost: Debian's 2.42 and 3.x (which refuses a scrape
//! whose Content-Type is not a valid exposition format). Both must show `up == 1` for the
//! watchpost job and store `node_cpu_seconds_total` series.

use crate::prom_server::PrometheusServer;
use crate::support::Watchpost;
use crate::tools::{self, Tool};
use std::time::Duration;

/// How long the first successful scrape may take (scrapes run every second).
const UP_LIMIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_2_scrapes_watchpost() {
    scrape_with(Tool::Prometheus2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_3_scrapes_watchpost() {
    scrape_with(Tool::Prometheus3).await;
}

async fn scrape_with(tool: Tool) {
    let Some(binary) = tools::require(tool) else {
        return;
    };
    let watchpost = Watchpost::start();
    let target = watchpost.address.to_string();
    let prometheus = PrometheusServer::start(&binary, "watchpost", &target).await;
    let version = prometheus.version().await;
    assert!(
        version.starts_with(&format!("{}.", tool.major_version())),
        "{} reports version {version:?}, expected {}.x",
        binary.display(),
        tool.major_version()
    );
    prometheus.wait_target_up("watchpost", UP_LIMIT).await;

    let cpu = prometheus
        .query("node_cpu_seconds_total{job=\"watchpost\"}")
        .await;
    assert!(
        !cpu.is_empty(),
        "no node_cpu_seconds_total series in Prometheus {version}; watchpost log:\n{}",
        watchpost.log()
    );
    let idle = cpu.iter().filter(|s| s["metric"]["mode"] == "idle").count();
    assert!(idle >= 1, "no mode=\"idle\" CPU series: {cpu:?}");

    let build = prometheus
        .query("watchpost_build_info{job=\"watchpost\"}")
        .await;
    let reported = build.first().map(|s| s["metric"]["version"].clone());
    assert_eq!(
        reported.as_ref().and_then(|v| v.as_str()),
        Some(env!("CARGO_PKG_VERSION")),
        "watchpost_build_info as stored by Prometheus {version}: {build:?}"
    );
}

/// The harness itself against Debian's node_exporter (the reference exporter), on both
/// Prometheus versions: tells a watchpost bug from a harness or Prometheus problem.
/// `cargo test --test it -- --ignored harness_reference`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "reference run against node_exporter; run with --ignored"]
async fn harness_reference_prometheus_scrapes_node_exporter() {
    use crate::process::{CapturedOutput, KillOnDrop, free_local_port};
    let port = free_local_port();
    let mut node_exporter = std::process::Command::new("/usr/bin/prometheus-node-exporter")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn /usr/bin/prometheus-node-exporter");
    let _log = CapturedOutput::start(node_exporter.stderr.take().unwrap());
    let _node_exporter = KillOnDrop(node_exporter);
    let target = format!("127.0.0.1:{port}");
    for tool in [Tool::Prometheus2, Tool::Prometheus3] {
        let Some(binary) = tools::require(tool) else {
            continue;
        };
        let prometheus = PrometheusServer::start(&binary, "node", &target).await;
        prometheus.wait_target_up("node", UP_LIMIT).await;
        let cpu = prometheus
            .query("node_cpu_seconds_total{job=\"node\"}")
            .await;
        assert!(
            !cpu.is_empty(),
            "{tool:?}: no node_cpu_seconds_total series"
        );
    }
}
