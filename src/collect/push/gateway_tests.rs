use super::*;
use crate::collect::push::config::{PushConfig, PushLimits};
use crate::collect::push::parse_text;
use std::time::Duration;

fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

fn key(path: &str) -> GroupingKey {
    GroupingKey::from_path(path).unwrap_or_else(|e| panic!("{e}"))
}

fn push(
    store: &mut PushStore,
    path: &str,
    method: PushMethod,
    body: &str,
    now: u64,
) -> Result<Applied, PushError> {
    let families = parse_text(body.as_bytes())?;
    store.push_group(&key(path), method, families, at(now))
}

fn exposed(store: &PushStore) -> String {
    let mut out = String::new();
    crate::metrics::encode_families(&store.source_families(PushSource::Gateway), &mut out);
    out
}

#[test]
fn put_post_and_delete_follow_pushgateway() {
    let mut store = PushStore::new(PushConfig::default());
    let body = "# TYPE a gauge\na{x=\"1\"} 1\n# TYPE b counter\nb 2\n";
    let applied = push(
        &mut store,
        "job/batch/instance/h1",
        PushMethod::Put,
        body,
        10,
    );
    assert_eq!(
        applied.map(|a| a.changed_metric_names).ok(),
        Some(vec![
            "a".to_owned(),
            "b".to_owned(),
            "push_time_seconds".to_owned()
        ])
    );
    let text = exposed(&store);
    assert!(
        text.contains("a{instance=\"h1\",job=\"batch\",x=\"1\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("push_time_seconds{instance=\"h1\",job=\"batch\"} 10\n"),
        "{text}"
    );
    push(
        &mut store,
        "job/batch/instance/h1",
        PushMethod::Post,
        "a 5\n",
        20,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let text = exposed(&store);
    assert!(
        text.contains("a{instance=\"h1\",job=\"batch\"} 5\n"),
        "{text}"
    );
    assert!(!text.contains("x=\"1\""), "{text}");
    assert!(
        text.contains("b{instance=\"h1\",job=\"batch\"} 2\n"),
        "{text}"
    );
    push(
        &mut store,
        "job/batch/instance/h1",
        PushMethod::Put,
        "c 1\n",
        30,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let text = exposed(&store);
    assert!(!text.contains("\nb{") && !text.contains("\na{"), "{text}");
    assert_eq!(store.series_count(), 1);
    let deleted = store.delete_group(&key("job/batch/instance/h1"));
    assert_eq!(deleted.changed_metric_names, ["c"]);
    assert_eq!(store.series_count(), 0);
    assert_eq!(exposed(&store), "");
}

#[test]
fn groups_merge_by_name_and_get_an_empty_instance() {
    let mut store = PushStore::new(PushConfig::default());
    let body = "# HELP d Duration.\n# TYPE d gauge\nd 1\n";
    push(&mut store, "job/one", PushMethod::Put, body, 1).unwrap_or_else(|e| panic!("{e}"));
    push(&mut store, "job/two", PushMethod::Put, body, 1).unwrap_or_else(|e| panic!("{e}"));
    let text = exposed(&store);
    assert_eq!(text.matches("# TYPE d gauge").count(), 1, "{text}");
    assert!(text.contains("d{instance=\"\",job=\"one\"} 1\n"), "{text}");
    assert!(text.contains("d{instance=\"\",job=\"two\"} 1\n"), "{text}");
    let error = push(
        &mut store,
        "job/three",
        PushMethod::Put,
        "# TYPE d counter\nd 1\n",
        1,
    );
    assert!(
        error.is_err_and(|e| e.to_string() == "metric d: exists as a gauge, pushed as a counter")
    );
    push(
        &mut store,
        "job/one",
        PushMethod::Put,
        "# TYPE e counter\ne 1\n",
        1,
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn grouping_labels_override_pushed_ones() {
    let mut store = PushStore::new(PushConfig::default());
    push(
        &mut store,
        "job/a",
        PushMethod::Put,
        "x{job=\"other\",k=\"v\"} 1\n",
        1,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(exposed(&store).contains("x{instance=\"\",job=\"a\",k=\"v\"} 1\n"));
    let error = push(
        &mut store,
        "job/a",
        PushMethod::Put,
        "x{job=\"b\"} 1\nx{job=\"c\"} 2\n",
        2,
    );
    assert!(error.is_err_and(|e| e.to_string().contains("become equal")));
    assert!(exposed(&store).contains("k=\"v\""));
}

#[test]
fn limits_and_reserved_names_refuse_the_whole_push() {
    let limits = PushLimits {
        max_series: 2,
        ..PushLimits::default()
    };
    let mut store = PushStore::new(PushConfig {
        limits,
        ..PushConfig::default()
    });
    push(&mut store, "job/a", PushMethod::Put, "x 1\n", 1).unwrap_or_else(|e| panic!("{e}"));
    let before = exposed(&store);
    let error = push(&mut store, "job/b", PushMethod::Put, "y 1\nz 1\n", 2);
    assert_eq!(error.err().map(|e| e.status()), Some(429));
    assert_eq!(exposed(&store), before);
    assert!(push(&mut store, "job/a", PushMethod::Put, "y 1\nz 1\n", 2).is_ok());
    let error = push(&mut store, "job/a", PushMethod::Post, "watchpost_up 1\n", 3);
    assert!(error.is_err_and(|e| e.to_string().contains("reserved")));
    let error = push(
        &mut store,
        "job/a",
        PushMethod::Post,
        "push_time_seconds 1\n",
        3,
    );
    assert!(error.is_err_and(|e| e.status() == 400));
}

#[test]
fn families_expire_after_their_ttl() {
    let mut store = PushStore::new(PushConfig::default());
    push(&mut store, "job/a", PushMethod::Put, "x 1\n", 0).unwrap_or_else(|e| panic!("{e}"));
    push(&mut store, "job/a", PushMethod::Post, "y 1\n", 1_800).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.expire(at(3_601)).changed_metric_names, ["x"]);
    assert_eq!(store.series_count(), 1);
    assert_eq!(store.expire(at(5_401)).changed_metric_names, ["y"]);
    assert_eq!(exposed(&store), "");
}

#[test]
fn python_client_push_round_trips_through_the_encoder() {
    let body = include_str!("../../../tests/fixtures/push/prometheus_client.txt");
    let mut store = PushStore::new(PushConfig::default());
    push(&mut store, "job/nightly", PushMethod::Put, body, 7).unwrap_or_else(|e| panic!("{e}"));
    let text = exposed(&store);
    let reparsed = parse_text(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let original = parse_text(body.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let count = |families: &[MetricFamily]| families.iter().map(|f| f.samples.len()).sum::<usize>();
    assert_eq!(
        count(&reparsed),
        count(&original) + 1,
        "push_time_seconds is added"
    );
    assert!(text.contains(
        "job_duration_seconds_bucket{instance=\"\",job=\"nightly\",le=\"1.0\",path=\"C:\\\\tmp \\\"x\\\"\\n\"} 1\n"
    ), "{text}");
    assert_eq!(store.series_count(), count(&original));
}
