//! History tests on explicit timestamps.

use super::*;
use crate::metrics::{MetricType, Sample};
use crate::model::matcher::{MatchOp, Matcher};
use crate::model::source::{SampleSource, SeriesSamples};
use std::sync::Arc;

const MINUTE: Duration = Duration::from_secs(60);

fn gauge(name: &str, series: &[(&str, f64)]) -> MetricFamily {
    let mut family = MetricFamily::new(name, "help", MetricType::Gauge);
    for (instance, value) in series {
        family.push(Labels::from_pairs([("instance", *instance)]), *value);
    }
    family
}

fn instances(rows: &[SeriesSamples]) -> Vec<String> {
    let mut names: Vec<String> = rows
        .iter()
        .map(|r| r.labels.get("instance").unwrap_or("").to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn range_selects_samples_in_the_half_open_window() {
    let history = History::new(10 * MINUTE);
    for step in 0..5 {
        history.record(&[gauge("up", &[("a", step as f64)])], step * 15_000);
    }
    let rows = history.select("up", &[], Duration::from_secs(30), 60_000);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].samples, vec![(45_000, 3.0), (60_000, 4.0)]);
    let rows = history.select("up", &[], Duration::ZERO, 50_000);
    assert_eq!(rows[0].samples, vec![(45_000, 3.0)]);
}

#[test]
fn matchers_filter_series() {
    let history = History::new(MINUTE);
    history.record(&[gauge("up", &[("a", 1.0), ("b", 0.0), ("c", 1.0)])], 0);
    let not_b = [Matcher::new("instance", MatchOp::NotEqual, "b").unwrap()];
    assert_eq!(
        instances(&history.select("up", &not_b, Duration::ZERO, 0)),
        ["a", "c"]
    );
    let a_or_b = [Matcher::new("instance", MatchOp::Regex, "a|b").unwrap()];
    assert_eq!(
        instances(&history.select("up", &a_or_b, Duration::ZERO, 0)),
        ["a", "b"]
    );
    assert!(history.select("down", &[], Duration::ZERO, 0).is_empty());
}

#[test]
fn a_vanished_series_is_stale_for_instant_queries_only() {
    let history = History::new(10 * MINUTE);
    history.record(&[gauge("up", &[("a", 1.0), ("b", 1.0)])], 0);
    history.record(&[gauge("up", &[("a", 1.0)])], 15_000);
    let instant = history.select("up", &[], Duration::ZERO, 20_000);
    assert_eq!(instances(&instant), ["a"]);
    let range = history.select("up", &[], MINUTE, 20_000);
    assert_eq!(instances(&range), ["a", "b"]);
    // Before the staleness marker the series is still visible.
    assert_eq!(
        instances(&history.select("up", &[], Duration::ZERO, 10_000)),
        ["a", "b"]
    );
    // It comes back when reported again.
    history.record(&[gauge("up", &[("a", 1.0), ("b", 2.0)])], 30_000);
    assert_eq!(
        instances(&history.select("up", &[], Duration::ZERO, 30_000)),
        ["a", "b"]
    );
}

#[test]
fn a_whole_metric_that_vanishes_goes_stale_too() {
    let history = History::new(10 * MINUTE);
    history.record(
        &[gauge("up", &[("a", 1.0)]), gauge("load", &[("a", 1.0)])],
        0,
    );
    history.record(&[gauge("up", &[("a", 1.0)])], 15_000);
    assert!(
        history
            .select("load", &[], Duration::ZERO, 15_000)
            .is_empty()
    );
}

#[test]
fn sources_do_not_stale_each_other() {
    let history = History::new(10 * MINUTE);
    history.record_from("host", &[gauge("up", &[("a", 1.0)])], 0);
    history.record_from("push", &[gauge("up", &[("b", 1.0)])], 1_000);
    history.record_from("host", &[gauge("up", &[("a", 1.0)])], 15_000);
    assert_eq!(
        instances(&history.select("up", &[], Duration::ZERO, 15_000)),
        ["a", "b"]
    );
}

#[test]
fn instant_lookback_is_five_minutes() {
    let history = History::new(MINUTE);
    history.insert("up", &Labels::new(), 0, 1.0);
    assert_eq!(history.select("up", &[], Duration::ZERO, 299_999).len(), 1);
    assert!(
        history
            .select("up", &[], Duration::ZERO, 300_000)
            .is_empty()
    );
}

#[test]
fn old_samples_and_series_are_dropped_after_retention() {
    let history = History::new(5 * MINUTE);
    for step in 0..40 {
        history.record(&[gauge("up", &[("a", 1.0)])], step * 15_000);
    }
    let stats = history.stats();
    assert_eq!(stats.series, 1);
    assert_eq!(stats.samples, 20, "5m at 15s");
    assert!(stats.sample_bytes <= 25 * 12, "{stats:?}");
    history.prune(40 * 15_000 + 10 * 60_000);
    assert_eq!(history.stats().series, 0);
}

#[test]
fn histogram_series_are_stored_under_their_suffixed_names() {
    let history = History::new(MINUTE);
    let mut family = MetricFamily::new("req_seconds", "help", MetricType::Histogram);
    for (suffix, le, value) in [("_bucket", "0.1", 3.0), ("_bucket", "+Inf", 5.0)] {
        family.samples.push(Sample {
            suffix,
            labels: Labels::from_pairs([("le", le)]),
            value,
        });
    }
    family.samples.push(Sample {
        suffix: "_count",
        labels: Labels::new(),
        value: 5.0,
    });
    history.record(&[family], 0);
    assert_eq!(
        history
            .select("req_seconds_bucket", &[], Duration::ZERO, 0)
            .len(),
        2
    );
    assert_eq!(
        history
            .select("req_seconds_count", &[], Duration::ZERO, 0)
            .len(),
        1
    );
    assert!(
        history
            .select("req_seconds", &[], Duration::ZERO, 0)
            .is_empty()
    );
}

#[test]
fn writers_and_readers_run_concurrently() {
    let history = Arc::new(History::new(10 * MINUTE));
    std::thread::scope(|scope| {
        for source in ["one", "two"] {
            let history = Arc::clone(&history);
            scope.spawn(move || {
                for step in 0..50 {
                    let family = gauge("up", &[(source, step as f64)]);
                    history.record_from(source, &[family], step * 1000);
                }
            });
        }
        let reader = Arc::clone(&history);
        scope.spawn(move || {
            for _ in 0..50 {
                assert!(reader.select("up", &[], MINUTE, 60_000).len() <= 2);
            }
        });
    });
    let rows = history.select("up", &[], 2 * MINUTE, 60_000);
    assert_eq!(instances(&rows), ["one", "two"]);
    assert!(rows.iter().all(|r| r.samples.len() == 50));
}

#[test]
fn explicit_staleness_markers_hide_a_series_until_its_next_sample() {
    let history = History::new(10 * MINUTE);
    let labels = Labels::new();
    history.insert("up", &labels, 0, 1.0);
    history.insert_stale("up", &labels, 15_000);
    history.insert("up", &labels, 45_000, 2.0);
    let instant = |at| history.select("up", &[], Duration::ZERO, at);
    assert_eq!(instant(10_000)[0].samples, vec![(0, 1.0)]);
    assert!(
        instant(30_000).is_empty(),
        "stale between the marker and the next sample"
    );
    assert_eq!(instant(45_000)[0].samples, vec![(45_000, 2.0)]);
    let range = history.select("up", &[], MINUTE, 50_000);
    assert_eq!(
        range[0].samples,
        vec![(0, 1.0), (45_000, 2.0)],
        "markers are not samples"
    );
}

#[test]
fn label_sets_are_shared_across_metrics_and_released_with_their_series() {
    let history = History::new(MINUTE);
    let families = [
        gauge("up", &[("a", 1.0)]),
        gauge("load", &[("a", 1.0), ("b", 2.0)]),
    ];
    history.record(&families, 0);
    assert_eq!(history.stats().series, 3);
    assert_eq!(history.stats().label_sets, 2);
    history.prune(10 * 60_000);
    assert_eq!(history.stats(), HistoryStats::default());
}

#[test]
fn only_the_names_a_reader_needs_are_recorded() {
    let history = History::new(10 * MINUTE);
    history.record_only(Some(HashSet::from(["read".to_owned()])));
    let both = |value| {
        [
            gauge("read", &[("a", value)]),
            gauge("unread", &[("a", value)]),
        ]
    };
    history.record(&both(1.0), 0);
    assert_eq!(history.select("read", &[], MINUTE, 0).len(), 1);
    assert!(history.select("unread", &[], MINUTE, 0).is_empty());
    history.insert("unread", &Labels::new(), 0, 1.0);
    assert_eq!(
        history.select("unread", &[], MINUTE, 0).len(),
        1,
        "insert is unfiltered"
    );
    history.record_only(Some(HashSet::new()));
    history.record(&both(2.0), 15_000);
    let rows = history.select("read", &[], Duration::ZERO, 15_000);
    assert!(rows.is_empty(), "a name no longer read goes stale");
    let rows = history.select("read", &[], MINUTE, 15_000);
    assert_eq!(
        rows[0].samples,
        vec![(0, 1.0)],
        "its window keeps what it had"
    );
    history.record_only(None);
    history.record(&both(3.0), 30_000);
    assert_eq!(
        history.select("unread", &[], Duration::ZERO, 30_000).len(),
        2
    );
}
