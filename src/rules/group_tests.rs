//! Tests of group evaluation: one alert per series, thresholds, hysteresis, values, ALERTS.

use super::*;
use crate::metrics::History;
use crate::rules::alerts_metrics::alerts_families;
use crate::rules::file::parse_rule_text;
use crate::rules::state::{AlertState, EventKind};
use std::path::Path;

const MIN: i64 = 60_000;

fn group(text: &str) -> GroupState {
    let mut groups = parse_rule_text(Path::new("t.yml"), text).unwrap();
    GroupState::new(groups.remove(0))
}

fn cpu(source: &History, host: &str, at_ms: i64, value: f64) {
    let labels = Labels::from_pairs([("host", host)]);
    source.insert("cpu", &labels, at_ms, value);
}

const DISK: &str = r#"
groups:
  - name: g
    rules:
      - alert: DiskFull
        expr: disk{fstype!="tmpfs"} > 90
        for: 1m
        labels: {severity: critical, team: "{{ $labels.mountpoint }}-owners"}
        annotations: {summary: "{{ $labels.mountpoint }} at {{ $value }}%"}
"#;

#[test]
fn one_alert_per_series_with_templates() {
    let mut state = group(DISK);
    let source = History::new(std::time::Duration::from_secs(3600));
    for (mount, value) in [("/", 95.0), ("/data", 91.5), ("/tmp", 50.0)] {
        let labels = Labels::from_pairs([("mountpoint", mount), ("fstype", "ext4")]);
        source.insert("disk", &labels, 0, value);
    }
    let events = state.evaluate(&source, 0).events;
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.kind == EventKind::Pending));
    let data = events
        .iter()
        .find(|e| e.alert.labels.get("mountpoint") == Some("/data"))
        .unwrap();
    assert_eq!(data.alert.labels.get("alertname"), Some("DiskFull"));
    assert_eq!(data.alert.labels.get("team"), Some("/data-owners"));
    assert_eq!(
        data.alert.annotations.get("summary"),
        Some("/data at 91.5%")
    );
    let events = state.evaluate(&source, MIN).events;
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == EventKind::Firing)
            .count(),
        2
    );
}

#[test]
fn alerts_families_match_prometheus_shape() {
    let mut state = group(DISK);
    let source = History::new(std::time::Duration::from_secs(3600));
    let labels = Labels::from_pairs([("mountpoint", "/"), ("fstype", "ext4")]);
    source.insert("disk", &labels, 0, 95.0);
    state.evaluate(&source, 120_000);
    let families = alerts_families([&state]);
    assert_eq!(families[0].name, "ALERTS");
    let sample = &families[0].samples[0];
    assert_eq!(sample.labels.get("alertstate"), Some("pending"));
    assert_eq!(sample.labels.get("alertname"), Some("DiskFull"));
    assert_eq!(sample.value, 1.0);
    let for_state = &families[1].samples[0];
    assert_eq!(for_state.labels.get("alertstate"), None);
    assert_eq!(for_state.value, 120.0);
}

const CPU: &str = r#"
groups:
  - name: g
    rules:
      - alert: HighCpu
        expr: cpu
        thresholds: {warning: "> 80", critical: "> 90"}
        clear: "< 70"
        values: {load: load}
        annotations: {summary: "{{ $labels.severity }} {{ $value }} load {{ $values.load }}"}
"#;

#[test]
fn thresholds_pick_the_highest_severity_and_clear_adds_hysteresis() {
    let mut state = group(CPU);
    let source = History::new(std::time::Duration::from_secs(3600));
    source.insert("load", &Labels::from_pairs([("host", "a")]), 0, 3.0);
    cpu(&source, "a", 0, 85.0);
    cpu(&source, "b", 0, 50.0);
    let events = state.evaluate(&source, 0).events;
    assert_eq!(events.len(), 1);
    let alert = &events[0].alert;
    assert_eq!(
        (events[0].kind, alert.labels.get("severity")),
        (EventKind::Firing, Some("warning"))
    );
    assert_eq!(alert.annotations.get("summary"), Some("warning 85 load 3"));
    cpu(&source, "a", MIN, 95.0);
    let events = state.evaluate(&source, MIN).events;
    assert_eq!(events[0].kind, EventKind::Changed);
    assert_eq!(events[0].alert.labels.get("severity"), Some("critical"));
    // 75 is below both thresholds but above clear: still firing, still critical.
    cpu(&source, "a", 2 * MIN, 75.0);
    assert!(state.evaluate(&source, 2 * MIN).events.is_empty());
    let (_, alert) = state.active_alerts().next().unwrap();
    assert_eq!((alert.state, alert.value), (AlertState::Firing, 75.0));
    assert_eq!(alert.labels.get("severity"), Some("critical"));
    cpu(&source, "a", 3 * MIN, 65.0);
    let events = state.evaluate(&source, 3 * MIN).events;
    assert_eq!(events[0].kind, EventKind::Resolved);
    assert_eq!(events[0].alert.resolved_value, Some(65.0));
}

#[test]
fn clear_expression_holds_until_it_returns_the_series() {
    let text = "groups:\n  - name: g\n    rules:\n      - alert: Hot\n        expr: cpu > 90\n        clear: cpu < 80\n";
    let mut state = group(text);
    let source = History::new(std::time::Duration::from_secs(3600));
    cpu(&source, "a", 0, 95.0);
    assert_eq!(state.evaluate(&source, 0).events[0].kind, EventKind::Firing);
    cpu(&source, "a", MIN, 85.0);
    assert!(state.evaluate(&source, MIN).events.is_empty());
    cpu(&source, "a", 2 * MIN, 79.0);
    assert_eq!(
        state.evaluate(&source, 2 * MIN).events[0].kind,
        EventKind::Resolved
    );
}

#[test]
fn restore_and_reload_keep_state() {
    let mut state = group(DISK);
    let source = History::new(std::time::Duration::from_secs(3600));
    let labels = Labels::from_pairs([("mountpoint", "/"), ("fstype", "ext4")]);
    source.insert("disk", &labels, 0, 95.0);
    state.evaluate(&source, 0);
    state.evaluate(&source, MIN);
    let saved: Vec<AlertInstance> = state.active_alerts().map(|(_, a)| a.clone()).collect();
    let mut restarted = group(DISK);
    assert!(restarted.restore(saved).is_empty());
    assert!(
        restarted.evaluate(&source, 2 * MIN).events.is_empty(),
        "no second firing"
    );
    let mut reloaded = group(DISK);
    reloaded.carry_over(restarted);
    let (_, alert) = reloaded.active_alerts().next().unwrap();
    assert_eq!(alert.fired_at_ms, Some(MIN));
}

#[test]
fn push_triggered_evaluation_only_runs_readers() {
    let mut state = group(DISK);
    let source = History::new(std::time::Duration::from_secs(3600));
    assert!(state.reads_metric("disk"));
    state.evaluate_reading(&source, 0, &["other".to_owned()]);
    assert_eq!(state.rules[0].last_evaluation_ms, None);
    state.evaluate_reading(&source, 0, &["disk".to_owned()]);
    assert_eq!(state.rules[0].last_evaluation_ms, Some(0));
}

#[test]
fn evaluation_error_is_recorded_and_leaves_alerts_alone() {
    let text = "groups:\n  - name: g\n    rules:\n      - alert: Bad\n        expr: up / on() up\n";
    let mut state = group(text);
    let source = History::new(std::time::Duration::from_secs(3600));
    source.insert("up", &Labels::from_pairs([("job", "a")]), 0, 1.0);
    source.insert("up", &Labels::from_pairs([("job", "b")]), 0, 1.0);
    let evaluation = state.evaluate(&source, 0);
    assert_eq!(evaluation.errors.len(), 1, "{evaluation:?}");
    assert!(evaluation.events.is_empty());
    assert!(state.rules[0].last_error.is_some());
    assert_eq!(state.evaluation_failures, 1);
}
