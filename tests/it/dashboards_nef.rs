//! The Node Exporter Full share: every query of `../shared/fixtures/node-exporter-full.json`
//! (Grafana dashboard 1860), its variables substituted per target, evaluated by one Prometheus
//! against watchpost and against Debian's `prometheus-node-exporter`. Prints the share of
//! queries with data for each and the queries only node_exporter answers; asserts watchpost
//! answers at least 95% of what node_exporter answers.

use crate::prom_server::PrometheusServer;
use crate::support::poll_until;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// The share of node_exporter's answered queries watchpost must answer.
const TARGET_SHARE: f64 = 0.95;

/// How long to keep re-evaluating while watchpost is below the target (rates need samples).
const SETTLE: Duration = Duration::from_secs(30);

/// Replaces Grafana's variables: `$job`, `$node`/`$instance`, the interval variables.
pub fn substitute(query: &str, job: &str, instance: &str) -> String {
    let mut text = query.to_owned();
    for (from, to) in [
        ("${__rate_interval}", "1m"),
        ("$__rate_interval", "1m"),
        ("${__interval}", "1m"),
        ("$__interval", "1m"),
        ("$__auto", "1m"),
        ("${__range}", "5m"),
        ("$__range", "5m"),
        ("${job}", job),
        ("$job", job),
        ("${node}", instance),
        ("$node", instance),
        ("${instance}", instance),
        ("$instance", instance),
    ] {
        text = text.replace(from, to);
    }
    text
}

fn collect_exprs(panels: &[Value], out: &mut Vec<String>) {
    for panel in panels {
        for target in panel["targets"].as_array().into_iter().flatten() {
            if let Some(expr) = target["expr"].as_str().filter(|e| !e.trim().is_empty()) {
                out.push(expr.to_owned());
            }
        }
        collect_exprs(panel["panels"].as_array().map_or(&[], Vec::as_slice), out);
    }
}

/// The fixture's queries, deduplicated, in dashboard order.
fn node_exporter_full_queries() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/node-exporter-full.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (../shared must sit beside the repository)",
            path.display()
        )
    });
    let dashboard: Value = serde_json::from_str(&text).expect("node-exporter-full.json is JSON");
    let mut exprs = Vec::new();
    collect_exprs(
        dashboard["panels"].as_array().map_or(&[], Vec::as_slice),
        &mut exprs,
    );
    let mut seen = std::collections::BTreeSet::new();
    exprs.retain(|e| seen.insert(e.clone()));
    exprs
}

/// Which queries return data for the target `(job, instance)`.
async fn answered(
    prometheus: &PrometheusServer,
    queries: &[String],
    job: &str,
    instance: &str,
) -> Vec<bool> {
    let mut out = Vec::with_capacity(queries.len());
    for query in queries {
        out.push(
            !prometheus
                .query(&substitute(query, job, instance))
                .await
                .is_empty(),
        );
    }
    out
}

/// Evaluates the share for watchpost (job `watchpost`) and node_exporter (job `node`), prints
/// it, and asserts the target.
pub async fn node_exporter_full_share(prometheus: &PrometheusServer, watchpost: &str, node: &str) {
    let queries = node_exporter_full_queries();
    let results = std::sync::Mutex::new((Vec::new(), Vec::new()));
    let results = &results;
    let queries_ref = &queries;
    let _ = poll_until(
        "watchpost to answer 95% of node_exporter's queries",
        SETTLE,
        || async move {
            let ours = answered(prometheus, queries_ref, "watchpost", watchpost).await;
            let theirs = answered(prometheus, queries_ref, "node", node).await;
            let good = share_met(&ours, &theirs);
            *results.lock().unwrap() = (ours, theirs);
            good
        },
    )
    .await;
    let (ours, theirs) = results.lock().unwrap().clone();
    let count = |v: &[bool]| v.iter().filter(|&&b| b).count();
    let missed: Vec<&str> = queries
        .iter()
        .zip(ours.iter().zip(&theirs))
        .filter(|(_, (ours, theirs))| **theirs && !**ours)
        .map(|(q, _)| q.as_str())
        .collect();
    let version = prometheus.version().await;
    println!(
        "Node Exporter Full on Prometheus {version}: {} distinct queries; watchpost answers {} \
         ({:.1}%), node_exporter answers {} ({:.1}%); watchpost answers {:.1}% of node_exporter's",
        queries.len(),
        count(&ours),
        100.0 * count(&ours) as f64 / queries.len() as f64,
        count(&theirs),
        100.0 * count(&theirs) as f64 / queries.len() as f64,
        100.0 * (count(&theirs) - missed.len()) as f64 / count(&theirs).max(1) as f64,
    );
    println!(
        "queries node_exporter answers and watchpost does not ({}):",
        missed.len()
    );
    for query in &missed {
        println!("  {query}");
    }
    assert!(
        share_met(&ours, &theirs),
        "watchpost misses {} of node_exporter's {} answered queries:\n{}",
        missed.len(),
        count(&theirs),
        missed.join("\n")
    );
}

/// True when watchpost answers at least [`TARGET_SHARE`] of the queries node_exporter answers.
fn share_met(ours: &[bool], theirs: &[bool]) -> bool {
    let theirs_count = theirs.iter().filter(|&&b| b).count();
    let both = ours.iter().zip(theirs).filter(|(o, t)| **o && **t).count();
    theirs_count > 0 && both as f64 >= TARGET_SHARE * theirs_count as f64
}
