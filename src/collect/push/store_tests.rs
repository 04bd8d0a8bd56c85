use super::*;
use crate::collect::push::config::{CatalogueEntry, CatalogueType, PushLimits};
use crate::collect::push::{parse_json_logs, parse_json_push, parse_json_requests};
use std::time::Duration;

fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

fn push(store: &mut PushStore, body: &str, now: u64) -> Result<Applied, PushError> {
    let metrics = parse_json_push(body.as_bytes())?;
    store.apply_metrics(&metrics, at(now))
}

fn value_of(store: &PushStore, name: &str, suffix: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let wanted = crate::model::Labels::from_pairs(labels.iter().copied());
    store
        .snapshot()
        .into_iter()
        .filter(|f| f.name == name)
        .flat_map(|f| f.samples)
        .find(|s| s.suffix == suffix && s.labels == wanted)
        .map(|s| s.value)
}

#[test]
fn counters_add_gauges_set_histograms_observe() {
    let mut store = PushStore::new(PushConfig::default());
    let body = r#"{"metrics":[
        {"name":"business.user_signups","type":"counter","value":5,"labels":{"source":"web"}},
        {"name":"business.user_signups","type":"counter","value":2,"labels":{"source":"web"}},
        {"name":"queue_depth","value":7},{"name":"queue_depth","value":3},
        {"name":"ai_latency","type":"histogram","value":0.3}]}"#;
    let applied = push(&mut store, body, 100).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        applied.changed_metric_names,
        ["ai_latency", "business_user_signups", "queue_depth"]
    );
    assert_eq!(applied.sources, [PushSource::Api]);
    assert_eq!(applied.series_added, 1 + 1 + 14);
    assert_eq!(store.series_count(), 16);
    let signups = value_of(&store, "business_user_signups", "", &[("source", "web")]);
    assert_eq!(signups, Some(7.0));
    assert_eq!(value_of(&store, "queue_depth", "", &[]), Some(3.0));
    assert_eq!(
        value_of(&store, "ai_latency", "_bucket", &[("le", "0.5")]),
        Some(1.0)
    );
    assert_eq!(
        value_of(&store, "ai_latency", "_bucket", &[("le", "0.25")]),
        Some(0.0)
    );
    let again = push(&mut store, body, 101).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.series_added, 0);
    assert_eq!(
        value_of(&store, "business_user_signups", "", &[("source", "web")]),
        Some(14.0)
    );
}

#[test]
fn a_push_over_a_limit_changes_nothing() {
    let limits = PushLimits {
        max_series: 3,
        max_series_per_metric: 2,
        max_labels_per_series: 2,
        max_label_value_length: 5,
        ..PushLimits::default()
    };
    let mut store = PushStore::new(PushConfig {
        limits,
        ..PushConfig::default()
    });
    push(&mut store, r#"{"metrics":[{"name":"a","value":1}]}"#, 1)
        .unwrap_or_else(|e| panic!("{e}"));
    let before = store.snapshot();
    let cases = [
        (
            r#"{"metrics":[{"name":"a","value":9},{"name":"b","value":1,"labels":{"x":"1"}},{"name":"b","value":1,"labels":{"x":"2"}},{"name":"c","value":1}]}"#,
            "max_series",
            429,
        ),
        (
            r#"{"metrics":[{"name":"a","value":9},{"name":"b","value":1,"labels":{"x":"1"}},{"name":"b","value":1,"labels":{"x":"2"}},{"name":"b","value":1,"labels":{"x":"3"}}]}"#,
            "max_series_per_metric",
            429,
        ),
        (
            r#"{"metrics":[{"name":"a","value":9},{"name":"b","value":1,"labels":{"x":"1","y":"1","z":"1"}}]}"#,
            "max_labels_per_series",
            400,
        ),
        (
            r#"{"metrics":[{"name":"a","value":9},{"name":"b","value":1,"labels":{"x":"toolong"}}]}"#,
            "max_label_value_length",
            400,
        ),
    ];
    for (body, reason, status) in cases {
        let error = push(&mut store, body, 2).err();
        assert_eq!(
            error.as_ref().map(PushError::reason),
            Some(reason),
            "{body}"
        );
        assert_eq!(error.as_ref().map(PushError::status), Some(status));
        assert_eq!(store.snapshot(), before, "{body}");
        assert_eq!(store.series_count(), 1);
    }
    let message = push(&mut store, cases[3].0, 2).err().map(|e| e.to_string());
    assert_eq!(
        message.as_deref(),
        Some("limit max_label_value_length (5) exceeded: metrics[1] label x is 7 bytes")
    );
}

#[test]
fn type_and_source_conflicts_name_the_field() {
    let mut store = PushStore::new(PushConfig::default());
    let body = r#"{"metrics":[{"name":"a","value":1},{"name":"a","type":"counter","value":1}]}"#;
    let error = push(&mut store, body, 1).err().map(|e| e.to_string());
    assert_eq!(
        error.as_deref(),
        Some("metrics[1].type: metric a exists as a gauge, pushed as a counter")
    );
    let body = r#"{"metrics":[{"name":"http_requests_total","type":"counter","value":1}]}"#;
    let error = push(&mut store, body, 1).err().map(|e| e.to_string());
    assert_eq!(
        error.as_deref(),
        Some("metric http_requests_total: already pushed through request tracking")
    );
    assert_eq!(store.series_count(), 0);
}

#[test]
fn catalogue_gives_help_types_and_buckets() {
    let config = PushConfig {
        metrics: vec![CatalogueEntry {
            name: "business.ai_cost".to_owned(),
            kind: CatalogueType::Histogram,
            unit: Some("USD".to_owned()),
            help: "AI spend per call.".to_owned(),
            buckets: Some(vec![0.01, 0.1]),
        }],
        ..PushConfig::default()
    };
    let mut store = PushStore::new(config);
    let error = push(
        &mut store,
        r#"{"metrics":[{"name":"business.ai_cost","value":1}]}"#,
        1,
    );
    assert!(error.is_err_and(|e| {
        e.to_string()
            .contains("declares business_ai_cost a histogram")
    }));
    let body = r#"{"metrics":[{"name":"business.ai_cost","type":"histogram","value":0.015}]}"#;
    let applied = push(&mut store, body, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied.series_added, 5);
    let family = store.source_families(PushSource::Api).remove(0);
    assert_eq!(family.help, "AI spend per call.");
    assert_eq!(family.samples[1].labels.get("le"), Some("0.1"));
    assert_eq!(family.samples[1].value, 1.0);
}

#[test]
fn requests_and_logs_feed_counters_histograms_and_health() {
    let mut store = PushStore::new(PushConfig::default());
    let body = r#"{"requests":[
        {"service":"web","endpoint":"/api/users/42","method":"GET","status":200,"duration_ms":245},
        {"service":"web","endpoint":"/api/users/43","method":"get","status":503,"duration_ms":5}]}"#;
    let requests = parse_json_requests(body.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let applied = store
        .apply_requests(&requests, at(1_000))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        applied.changed_metric_names,
        ["http_request_duration_seconds", "http_requests_total"]
    );
    let labels = [
        ("endpoint", "/api/users/:id"),
        ("method", "GET"),
        ("service", "web"),
    ];
    let mut with_status = labels.to_vec();
    with_status.push(("status", "503"));
    assert_eq!(
        value_of(&store, "http_requests_total", "", &with_status),
        Some(1.0)
    );
    assert_eq!(
        value_of(&store, "http_request_duration_seconds", "_count", &labels),
        Some(2.0)
    );
    let mut le = labels.to_vec();
    le.push(("le", "0.005"));
    assert_eq!(
        value_of(&store, "http_request_duration_seconds", "_bucket", &le),
        Some(1.0)
    );
    let logs = br#"{"logs":[{"level":"error","service":"web","message":"boom"}]}"#;
    let logs = parse_json_logs(logs).unwrap_or_else(|e| panic!("{e}"));
    store
        .apply_logs(&logs, at(1_001))
        .unwrap_or_else(|e| panic!("{e}"));
    let log_labels = [("level", "error"), ("service", "web")];
    assert_eq!(
        value_of(&store, "log_entries_total", "", &log_labels),
        Some(1.0)
    );
    let health = store.service_health(at(1_002));
    assert_eq!((health[0].error_count, health[0].total_count), (2, 3));
    assert_eq!(
        health[0].status,
        crate::collect::push::health::HealthStatus::Critical
    );
    assert_eq!(store.health_families(at(1_002))[0].samples.len(), 1);
}

#[test]
fn expire_drops_series_past_their_ttl_and_reports_names() {
    let mut config = PushConfig::default();
    config.ttl_overrides.insert(
        "short".to_owned(),
        crate::collect::push::config::TtlOverride(Duration::from_secs(60)),
    );
    let mut store = PushStore::new(config);
    push(
        &mut store,
        r#"{"metrics":[{"name":"short","value":1},{"name":"long","value":1}]}"#,
        0,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(store.expire(at(60)).changed_metric_names.is_empty());
    let expired = store.expire(at(61));
    assert_eq!(expired.changed_metric_names, ["short"]);
    assert_eq!(store.series_count(), 1);
    assert_eq!(store.expire(at(3_601)).changed_metric_names, ["long"]);
    assert_eq!(store.series_count(), 0);
    assert!(store.interner.is_empty());
    assert!(
        store
            .snapshot()
            .iter()
            .all(|f| f.samples.is_empty() || f.name == "push_time_seconds")
    );
}

#[test]
fn body_size_limit_is_413() {
    let store = PushStore::new(PushConfig::default());
    assert!(store.check_body_size(5 * 1024 * 1024).is_ok());
    let error = store.check_body_size(5 * 1024 * 1024 + 1).err();
    assert_eq!(error.map(|e| e.status()), Some(413));
}

#[test]
fn publish_puts_each_source_and_health_into_the_registry() {
    let mut store = PushStore::new(PushConfig::default());
    let applied = push(&mut store, r#"{"metrics":[{"name":"a","value":1}]}"#, 5)
        .unwrap_or_else(|e| panic!("{e}"));
    let registry = Registry::new();
    store.publish(&registry, &applied.sources, at(5));
    let snapshot = registry.snapshot("push/api");
    assert!(snapshot.is_some_and(|s| s.encoded.contains("\na 1\n")));
    assert!(registry.snapshot(HEALTH_SOURCE).is_some());
}
