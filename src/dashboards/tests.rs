//! Tests of the generated dashboards: shape, stable uids, datasources, and that `dashboards/`
//! holds what the bundled config generates.

use super::*;
use crate::app::{ConfigSource, load_everything};
use std::collections::BTreeSet;

/// The config the compose stack runs (its rules/ is a link to the repository's rules/).
pub(crate) fn bundled() -> Vec<Dashboard> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = ConfigSource::File(root.join("deploy/watchpost.yml"));
    let (config, groups) = load_everything(&source).expect("deploy/watchpost.yml loads");
    generate(&config.push, &groups)
}

#[test]
fn dashboards_have_stable_unique_uids_and_the_classic_model() {
    let dashboards = bundled();
    let uids: BTreeSet<_> = dashboards
        .iter()
        .map(|d| d.json["uid"].to_string())
        .collect();
    assert_eq!(uids.len(), 5);
    for dashboard in &dashboards {
        let json = &dashboard.json;
        assert_eq!(json["uid"], format!("watchpost-{}", dashboard.name));
        assert!((39..=41).contains(&json["schemaVersion"].as_u64().unwrap()));
        let names: Vec<_> = json["templating"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            names.contains(&"job".to_owned()),
            "{}: {names:?}",
            dashboard.name
        );
        let panels = json["panels"].as_array().unwrap();
        let ids: BTreeSet<_> = panels.iter().map(|p| p["id"].as_u64().unwrap()).collect();
        assert_eq!(
            ids.len(),
            panels.len(),
            "{}: panel ids unique",
            dashboard.name
        );
        for panel in panels.iter().filter(|p| p["type"] != "row") {
            let uid = panel["datasource"]["uid"].as_str().unwrap();
            assert!(uid == "prometheus" || uid == "loki", "{}", panel["title"]);
            assert!(
                !panel["targets"].as_array().unwrap().is_empty(),
                "{}",
                panel["title"]
            );
        }
    }
}

#[test]
fn rule_thresholds_are_drawn_on_the_panels_of_their_metrics() {
    let dashboards = bundled();
    let host = &dashboards[0].json;
    let cpu = host["panels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == "CPU busy")
        .unwrap();
    let steps = cpu["fieldConfig"]["defaults"]["thresholds"]["steps"]
        .as_array()
        .unwrap();
    let values: Vec<_> = steps.iter().filter_map(|s| s["value"].as_f64()).collect();
    assert_eq!(values, [80.0, 95.0], "HostHighCpuUsage's thresholds");
    let alerts = &dashboards[3];
    assert!(
        alerts
            .prometheus_queries()
            .iter()
            .any(|q| q.contains("probe_duration_seconds")),
        "ProbeSlowResponse's value panel"
    );
}

#[test]
fn committed_dashboards_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("dashboards");
    let mut stale = Vec::new();
    for dashboard in bundled() {
        let path = dir.join(dashboard.file_name());
        if std::fs::read_to_string(&path).ok().as_deref() != Some(dashboard.render().as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; regenerate with \
         `cargo run -- gen dashboards --config.file deploy/watchpost.yml --out dashboards`"
    );
}
