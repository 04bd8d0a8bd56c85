//! A checker run by hand: which network-family names the "Node Exporter Full" dashboard queries,
//! which of them these collectors produce on this machine, and (given a node_exporter scrape)
//! whether names, HELP texts and types agree with node_exporter's.
//!
//! ```text
//! curl -s http://127.0.0.1:9100/metrics > /tmp/node_exporter.metrics   # optional
//! WATCHPOST_NODE_EXPORTER_METRICS=/tmp/node_exporter.metrics \
//!   cargo test --lib dashboard_check -- --ignored --nocapture
//! ```
//! `WATCHPOST_DASHBOARD` overrides the dashboard path (default `../shared/fixtures/...`).

use super::fixture_tests::collect_all;
use crate::collect::host::HostConfig;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};

/// The name prefixes this module owns.
const PREFIXES: &[&str] = &[
    "node_netstat_",
    "node_network_",
    "node_sockstat_",
    "node_softnet_",
    "node_timex_",
    "node_schedstat_",
    "node_nf_",
    "node_arp_",
    "node_udp_",
    "node_entropy_",
];

fn owned(name: &str) -> bool {
    PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

/// Every `expr` string of a Grafana dashboard, recursively.
fn expressions(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                match child {
                    serde_json::Value::String(expr) if key == "expr" || key == "query" => {
                        out.push(expr.clone())
                    }
                    _ => expressions(child, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| expressions(item, out)),
        _ => {}
    }
}

/// The owned metric names the dashboard's queries mention.
fn dashboard_names(path: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut exprs = Vec::new();
    expressions(&json, &mut exprs);
    let name = Regex::new(r"\bnode_[A-Za-z0-9_]+").unwrap();
    exprs
        .iter()
        .flat_map(|expr| name.find_iter(expr).map(|m| m.as_str().to_owned()))
        .filter(|name| owned(name))
        .collect()
}

/// `name -> (HELP, TYPE)` from the `# HELP` / `# TYPE` lines of a text exposition.
fn exposition_metadata(text: &str) -> BTreeMap<String, (String, String)> {
    let mut metadata: BTreeMap<String, (String, String)> = BTreeMap::new();
    for line in text.lines() {
        let mut parts = line.splitn(4, ' ');
        let (Some("#"), Some(kind), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let rest = parts.next().unwrap_or("").to_owned();
        let entry = metadata.entry(name.to_owned()).or_default();
        match kind {
            "HELP" => entry.0 = rest.replace("\\\\", "\\").replace("\\n", "\n"),
            "TYPE" => entry.1 = rest,
            _ => {}
        }
    }
    metadata.retain(|name, _| owned(name));
    metadata
}

/// `name -> label names` over the sample lines of a text exposition.
fn exposition_label_names(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let label = Regex::new(r#"([A-Za-z_][A-Za-z0-9_]*)="(?:[^"\\]|\\.)*""#).unwrap();
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let end = line.find(['{', ' ']).unwrap_or(line.len());
        let entry = names.entry(line[..end].to_owned()).or_default();
        if line[end..].starts_with('{') {
            entry.extend(label.captures_iter(&line[end..]).map(|c| c[1].to_owned()));
        }
    }
    names.retain(|name, _| owned(name));
    names
}

#[test]
#[ignore = "reads the live host and the dashboard fixture; run by hand"]
fn dashboard_check() {
    let default_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/node-exporter-full.json"
    );
    let path = std::env::var("WATCHPOST_DASHBOARD").unwrap_or_else(|_| default_path.to_owned());
    let wanted = dashboard_names(&path);
    let batches = collect_all(&HostConfig::default());
    let families = || batches.iter().flat_map(|(_, batch)| batch.families());
    let ours: BTreeMap<String, (String, String)> = families()
        .map(|f| (f.name.clone(), (f.help.clone(), f.kind.as_str().to_owned())))
        .collect();
    let exposition = std::env::var("WATCHPOST_NODE_EXPORTER_METRICS")
        .ok()
        .map(|file| std::fs::read_to_string(&file).unwrap());
    let theirs = exposition.as_deref().map(exposition_metadata);
    println!(
        "dashboard names ({}), W = watchpost here, N = node_exporter scrape:",
        wanted.len()
    );
    for name in &wanted {
        let mark = |present: bool| if present { "yes" } else { " - " };
        let node = theirs
            .as_ref()
            .map_or("n/a", |t| mark(t.contains_key(name)));
        println!("  W {}  N {node}  {name}", mark(ours.contains_key(name)));
    }
    let covered = wanted.iter().filter(|n| ours.contains_key(*n)).count();
    println!(
        "watchpost covers {covered} of {} dashboard names",
        wanted.len()
    );
    assert!(!wanted.is_empty(), "no dashboard names found in {path}");
    let Some(theirs) = theirs else { return };
    let missing: Vec<&String> = theirs.keys().filter(|n| !ours.contains_key(*n)).collect();
    println!("node_exporter names watchpost lacks here: {missing:?}");
    let mut differences = Vec::new();
    for (name, (help, kind)) in &theirs {
        if let Some((our_help, our_kind)) = ours.get(name)
            && (our_help != help || our_kind != kind)
        {
            differences.push(format!(
                "{name}: ours {our_kind} {our_help:?}, theirs {kind} {help:?}"
            ));
        }
    }
    println!("HELP/TYPE differences: {differences:#?}");
    let their_labels = exposition_label_names(exposition.as_deref().unwrap_or(""));
    for family in families() {
        let our_labels: BTreeSet<String> = family
            .samples
            .iter()
            .flat_map(|s| s.labels.iter().map(|(name, _)| name.to_owned()))
            .collect();
        if let Some(labels) = their_labels.get(&family.name)
            && labels != &our_labels
        {
            println!(
                "label names differ: {} ours {our_labels:?} theirs {labels:?}",
                family.name
            );
        }
    }
    let answered_by_them: Vec<&String> = wanted
        .iter()
        .filter(|n| theirs.contains_key(*n) && !ours.contains_key(*n))
        .collect();
    assert!(
        answered_by_them.is_empty(),
        "node_exporter answers, watchpost does not: {answered_by_them:?}"
    );
    assert!(
        differences.is_empty(),
        "HELP/TYPE differ from node_exporter"
    );
}
