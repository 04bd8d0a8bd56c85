//! End-to-end expression tests: compile, then evaluate over a `History` fed explicit samples.

use super::*;
use crate::metrics::History;

const S: i64 = 1000;

/// `(metric, labels, [(seconds, value)])`.
type FixtureSeries<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [(i64, f64)]);

/// A history holding `series`.
fn source(series: &[FixtureSeries]) -> History {
    let history = History::new(Duration::from_secs(3600));
    for (metric, labels, samples) in series {
        let labels = Labels::from_pairs(labels.iter().copied());
        for &(t, v) in *samples {
            history.insert(metric, &labels, t * S, v);
        }
    }
    history
}

/// Evaluates `text` at `now` seconds; rows as `("{a=\"b\"}", value)`.
fn eval(text: &str, history: &History, now: i64) -> Vec<(String, f64)> {
    let expr = compile(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    expr.evaluate(history, now * S)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .into_iter()
        .map(|(labels, value)| (labels.to_string(), value))
        .collect()
}

/// The values, sorted ascending (order-independent assertions).
fn values(text: &str, history: &History, now: i64) -> Vec<f64> {
    let mut values: Vec<f64> = eval(text, history, now)
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    values.sort_by(f64::total_cmp);
    values
}

fn one(text: &str, history: &History, now: i64) -> f64 {
    let rows = values(text, history, now);
    assert_eq!(rows.len(), 1, "{text}: {rows:?}");
    rows[0]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

fn filesystems() -> History {
    source(&[
        (
            "node_fs_avail",
            &[("mountpoint", "/"), ("fstype", "ext4")],
            &[(0, 10.0)],
        ),
        (
            "node_fs_avail",
            &[("mountpoint", "/run"), ("fstype", "tmpfs")],
            &[(0, 50.0)],
        ),
        (
            "node_fs_avail",
            &[("mountpoint", "/data"), ("fstype", "xfs")],
            &[(0, 90.0)],
        ),
        (
            "node_fs_size",
            &[("mountpoint", "/"), ("fstype", "ext4")],
            &[(0, 100.0)],
        ),
        (
            "node_fs_size",
            &[("mountpoint", "/run"), ("fstype", "tmpfs")],
            &[(0, 100.0)],
        ),
    ])
}

#[test]
fn every_matcher_op_selects_the_right_series() {
    let h = filesystems();
    assert_eq!(values(r#"node_fs_avail{mountpoint="/"}"#, &h, 10), [10.0]);
    assert_eq!(
        values(r#"node_fs_avail{mountpoint!="/"}"#, &h, 10),
        [50.0, 90.0]
    );
    assert_eq!(
        values(r#"node_fs_avail{fstype=~"ext.|xfs"}"#, &h, 10),
        [10.0, 90.0]
    );
    assert_eq!(
        values(r#"node_fs_avail{fstype!~"tmpfs|ramfs"}"#, &h, 10),
        [10.0, 90.0]
    );
    assert_eq!(
        values(r#"node_fs_avail{fstype=~"ext"}"#, &h, 10),
        Vec::<f64>::new()
    );
}

#[test]
fn arithmetic_pairs_identical_label_sets() {
    let h = filesystems();
    let rows = eval("node_fs_avail / node_fs_size * 100", &h, 10);
    assert_eq!(
        rows,
        [
            (r#"{fstype="ext4", mountpoint="/"}"#.to_owned(), 10.0),
            (r#"{fstype="tmpfs", mountpoint="/run"}"#.to_owned(), 50.0),
        ]
    );
}

#[test]
fn comparisons_filter_and_keep_the_vector_value() {
    let h = filesystems();
    assert_eq!(values("node_fs_avail > 40", &h, 10), [50.0, 90.0]);
    assert_eq!(values("40 < node_fs_avail", &h, 10), [50.0, 90.0]);
    assert_eq!(values("node_fs_avail / node_fs_size < 0.2", &h, 10), [0.1]);
    assert_eq!(values("node_fs_avail > bool 40", &h, 10), [0.0, 1.0, 1.0]);
    assert_eq!(values("node_fs_avail == 50", &h, 10), [50.0]);
    assert_eq!(values("node_fs_avail != 50", &h, 10), [10.0, 90.0]);
    assert_eq!(values("node_fs_avail >= 50", &h, 10), [50.0, 90.0]);
    assert_eq!(values("node_fs_avail <= 50", &h, 10), [10.0, 50.0]);
    assert_eq!(values("(node_fs_avail > 40) * 2", &h, 10), [100.0, 180.0]);
    assert_eq!(values("node_fs_avail > node_fs_size * 0.3", &h, 10), [50.0]);
}

#[test]
fn scalar_arithmetic_follows_promql_precedence() {
    let h = source(&[]);
    assert_eq!(eval("1 + 2 * 3", &h, 0), [("{}".to_owned(), 7.0)]);
    assert_eq!(one("2 ^ 3 ^ 2", &h, 0), 512.0);
    assert_eq!(one("-2 ^ 2", &h, 0), -4.0);
    assert_eq!(one("7 % 4 - 1 / 4", &h, 0), 2.75);
    assert_eq!(one("(1 + 2) * 3", &h, 0), 9.0);
    assert_eq!(values("1 > 2", &h, 0), Vec::<f64>::new());
    assert_eq!(one("1 < bool 2", &h, 0), 1.0);
    assert_eq!(one("time()", &h, 90), 90.0);
    assert_eq!(eval("vector(3)", &h, 0), [("{}".to_owned(), 3.0)]);
}

#[test]
fn on_and_ignoring_match_on_a_subset_of_labels() {
    let h = source(&[
        ("errors", &[("job", "api"), ("code", "500")], &[(0, 5.0)]),
        ("requests", &[("job", "api")], &[(0, 50.0)]),
        ("requests", &[("job", "web")], &[(0, 10.0)]),
    ]);
    assert_eq!(
        eval("errors / on(job) requests", &h, 1),
        [(r#"{job="api"}"#.into(), 0.1)]
    );
    assert_eq!(
        eval("errors / ignoring(code) requests", &h, 1),
        [(r#"{job="api"}"#.into(), 0.1)]
    );
    assert_eq!(values("errors / requests", &h, 1), Vec::<f64>::new());
    assert_eq!(
        values("errors > on(job) requests", &h, 1),
        Vec::<f64>::new()
    );
    assert_eq!(values("errors < bool on(job) requests", &h, 1), [1.0]);
    let err = compile("requests / on() errors").unwrap().evaluate(&h, S);
    assert!(
        matches!(err, Err(EvalError::DuplicateSeries { side: "left", .. })),
        "{err:?}"
    );
}

#[test]
fn set_operators() {
    let h = source(&[
        ("a", &[("i", "1")], &[(0, 1.0)]),
        ("a", &[("i", "2")], &[(0, 2.0)]),
        ("b", &[("i", "2")], &[(0, 20.0)]),
        ("b", &[("i", "3")], &[(0, 30.0)]),
    ]);
    assert_eq!(values("a and b", &h, 1), [2.0]);
    assert_eq!(values("a unless b", &h, 1), [1.0]);
    assert_eq!(values("a or b", &h, 1), [1.0, 2.0, 30.0]);
    assert_eq!(values("a and on() b", &h, 1), [1.0, 2.0]);
    assert_eq!(values("a > 1 or b > 25", &h, 1), [2.0, 30.0]);
}

/// A gauge sampled every 15s: 1, 2, ..., 8 from t=15 to t=120 (one sample at t=0 too).
fn gauge_series() -> History {
    let samples: Vec<(i64, f64)> = [(0, 5.0)]
        .into_iter()
        .chain((1..=8).map(|i| (i * 15, i as f64)))
        .collect();
    source(&[("g", &[("host", "a")], &samples)])
}

#[test]
fn window_aggregates_over_the_half_open_window() {
    let h = gauge_series();
    // (0, 120] holds 1..=8.
    assert_eq!(one("avg_over_time(g[2m])", &h, 120), 4.5);
    assert_eq!(one("avg(g[2m])", &h, 120), 4.5);
    assert_eq!(one("min_over_time(g[2m])", &h, 120), 1.0);
    assert_eq!(one("max(g[2m])", &h, 120), 8.0);
    assert_eq!(one("sum_over_time(g[2m])", &h, 120), 36.0);
    assert_eq!(one("count_over_time(g[2m])", &h, 120), 8.0);
    assert_eq!(one("count(g[2m])", &h, 120), 8.0);
    assert_eq!(one("last_over_time(g[2m])", &h, 100), 6.0);
    assert_eq!(one("last(g[2m])", &h, 100), 6.0);
    assert_eq!(one("present_over_time(g[2m])", &h, 120), 1.0);
    assert!(close(one("stdvar_over_time(g[2m])", &h, 120), 5.25));
    assert!(close(one("stddev(g[2m])", &h, 120), 5.25_f64.sqrt()));
    assert_eq!(one("min_over_time(g[2m] offset 1m)", &h, 120), 5.0 - 4.0);
    assert_eq!(one("max_over_time(g[1m] offset 1m)", &h, 120), 4.0);
}

#[test]
fn quantiles_interpolate_like_prometheus() {
    let h = gauge_series();
    // values 1..=8: rank φ·7.
    assert_eq!(one("quantile_over_time(0.5, g[2m])", &h, 120), 4.5);
    assert_eq!(one("median(g[2m])", &h, 120), 4.5);
    assert!(close(one("p95(g[2m])", &h, 120), 7.65));
    assert!(close(one("quantile(0.9, g[2m])", &h, 120), 7.3));
    assert_eq!(one("p100(g[2m])", &h, 120), 8.0);
    assert_eq!(one("quantile_over_time(2, g[2m])", &h, 120), f64::INFINITY);
}

#[test]
fn changes_resets_delta_and_deriv() {
    let h = source(&[(
        "x",
        &[],
        &[(10, 1.0), (20, 1.0), (30, 3.0), (40, 2.0), (50, 2.0)],
    )]);
    assert_eq!(one("changes(x[1m])", &h, 50), 2.0);
    assert_eq!(one("resets(x[1m])", &h, 50), 1.0);
    assert_eq!(one("idelta(x[1m])", &h, 40), -1.0);
    // delta: samples at 10..50 in (−10, 50]: raw 1, first gap 20s ≥ 1.1×10s → +5s, end 0 → ×45/40.
    assert!(close(one("delta(x[1m])", &h, 50), 1.0 * 45.0 / 40.0));
    let line = source(&[("y", &[], &[(0, 0.0), (10, 20.0), (20, 40.0)])]);
    assert!(close(one("deriv(y[1m])", &line, 20), 2.0));
    assert!(close(one("predict_linear(y[1m], 30)", &line, 20), 100.0));
}

#[test]
fn rate_and_increase_handle_counter_resets() {
    // Counter 10, 20, 5 (reset), 15 at 15s steps; window (0, 60].
    let h = source(&[(
        "c",
        &[],
        &[(0, 0.0), (15, 10.0), (30, 20.0), (45, 5.0), (60, 15.0)],
    )]);
    // Raw increase 15 - 10 + 20 (reset) = 25 over 45s, extrapolated 15s to the window start
    // (under 1.1 × the 15s spacing, and before the counter's zero point at 18s) → × 60/45.
    assert!(close(one("increase(c[1m])", &h, 60), 25.0 * 60.0 / 45.0));
    assert!(close(one("rate(c[1m])", &h, 60), 25.0 / 45.0));
    assert!(close(one("irate(c[1m])", &h, 60), 10.0 / 15.0));
    assert!(
        close(one("irate(c[1m])", &h, 45), 5.0 / 15.0),
        "reset counts from zero"
    );
    // One sample is not enough for a rate.
    assert_eq!(values("rate(c[10s])", &h, 60), Vec::<f64>::new());
}

#[test]
fn increase_does_not_extrapolate_below_zero() {
    // Starts at 2 at t=30 with 10s spacing: the zero point is 2s before the first sample.
    let h = source(&[("c", &[], &[(30, 2.0), (40, 12.0), (50, 22.0), (60, 32.0)])]);
    assert!(close(one("increase(c[1m])", &h, 60), 30.0 * 32.0 / 30.0));
}

#[test]
fn absent_and_absent_over_time() {
    let h = source(&[("up", &[("job", "api")], &[(0, 1.0), (60, 1.0)])]);
    assert_eq!(
        values(r#"absent(up{job="api"})"#, &h, 60),
        Vec::<f64>::new()
    );
    assert_eq!(
        eval(r#"absent(up{job="db"})"#, &h, 60),
        [(r#"{job="db"}"#.into(), 1.0)]
    );
    assert_eq!(
        eval(r#"absent(nosuch{a=~"x"})"#, &h, 60),
        [("{}".into(), 1.0)]
    );
    assert_eq!(
        values(r#"absent_over_time(up{job="api"}[10m])"#, &h, 600),
        Vec::<f64>::new()
    );
    assert_eq!(
        eval(r#"absent_over_time(up{job="api"}[10m])"#, &h, 661),
        [(r#"{job="api"}"#.into(), 1.0)]
    );
    // The instant selector's 5m lookback ends too.
    assert_eq!(values("absent(up)", &h, 359), Vec::<f64>::new());
    assert_eq!(values("absent(up)", &h, 360), [1.0]);
}

#[test]
fn aggregations_by_and_without() {
    let h = source(&[
        ("cpu", &[("host", "a"), ("mode", "user")], &[(0, 1.0)]),
        ("cpu", &[("host", "a"), ("mode", "system")], &[(0, 3.0)]),
        ("cpu", &[("host", "b"), ("mode", "user")], &[(0, 5.0)]),
    ]);
    assert_eq!(
        eval("sum by (host) (cpu)", &h, 1),
        [(r#"{host="a"}"#.into(), 4.0), (r#"{host="b"}"#.into(), 5.0)]
    );
    assert_eq!(
        eval("sum(cpu) without (mode)", &h, 1),
        eval("sum by (host) (cpu)", &h, 1)
    );
    assert_eq!(eval("avg(cpu)", &h, 1), [("{}".into(), 3.0)]);
    assert_eq!(one("count(cpu)", &h, 1), 3.0);
    assert_eq!(one("min(cpu)", &h, 1), 1.0);
    assert_eq!(one("max(cpu)", &h, 1), 5.0);
    assert_eq!(one("quantile(0.5, cpu)", &h, 1), 3.0);
    assert!(close(one("stddev(cpu)", &h, 1), (8.0_f64 / 3.0).sqrt()));
    assert!(close(one("stdvar(cpu)", &h, 1), 8.0 / 3.0));
    assert_eq!(values("max by (host) (cpu) > 4", &h, 1), [5.0]);
}

#[test]
fn scalar_functions() {
    let h = source(&[("x", &[], &[(0, -2.6)])]);
    assert_eq!(one("abs(x)", &h, 1), 2.6);
    assert_eq!(one("ceil(x)", &h, 1), -2.0);
    assert_eq!(one("floor(x)", &h, 1), -3.0);
    assert_eq!(one("round(x)", &h, 1), -3.0);
    assert_eq!(one("round(x, 0.5)", &h, 1), -2.5);
    assert_eq!(one("clamp_min(x, 0)", &h, 1), 0.0);
    assert_eq!(one("clamp_max(x, -5)", &h, 1), -5.0);
    assert_eq!(one("clamp(x, -1, 1)", &h, 1), -1.0);
    assert_eq!(one("sqrt(abs(x) * 10 - 10)", &h, 1), 4.0);
    assert_eq!(one("sgn(x)", &h, 1), -1.0);
    assert_eq!(one("abs(-4)", &h, 1), 4.0);
    assert_eq!(one("timestamp(x)", &h, 100), 0.0);
}

#[test]
fn dotted_names_map_to_exported_names() {
    let h = source(&[("system_cpu_usage_percent", &[], &[(0, 95.0)])]);
    assert_eq!(values("system.cpu.usage_percent > 90", &h, 1), [95.0]);
    assert_eq!(
        values("avg(system.cpu.usage_percent[5m]) > 90", &h, 1),
        [95.0]
    );
}

#[test]
fn metric_names_window_and_text() {
    let expr = compile("rate(a[5m]) / b offset 10m + max_over_time(c[1h]) > 1").unwrap();
    assert_eq!(expr.metric_names(), ["a", "b", "c"]);
    assert_eq!(expr.max_window(), Duration::from_secs(3600));
    assert_eq!(
        expr.text(),
        "rate(a[5m]) / b offset 10m + max_over_time(c[1h]) > 1"
    );
    assert_eq!(
        compile("x offset 15m").unwrap().max_window(),
        Duration::from_secs(900)
    );
}

fn error_at(text: &str) -> (usize, String) {
    let err = compile(text).expect_err(text);
    (err.offset, err.message)
}

#[test]
fn compile_errors_carry_offsets() {
    let (offset, message) = error_at("x > foo(y)");
    assert_eq!(offset, 4);
    assert!(message.contains("unknown function \"foo\""), "{message}");
    let (offset, message) = error_at("avg_over_time(x[5q])");
    assert_eq!(offset, 16);
    assert!(message.contains("bad duration"), "{message}");
    let (offset, message) = error_at("rate(x)");
    assert_eq!(offset, 5);
    assert!(message.contains("range selector"), "{message}");
    let (offset, message) = error_at("1 + x[5m]");
    assert_eq!(offset, 4);
    assert!(message.contains("window function"), "{message}");
    let (offset, _) = error_at("sum by (a) (x[5m])");
    assert_eq!(offset, 0);
    let (offset, message) = error_at("quantile_over_time(y, x[5m])");
    assert_eq!(offset, 19);
    assert!(message.contains("number literal"), "{message}");
    let (offset, message) = error_at("(1 > 2) + x");
    assert_eq!(offset, 3);
    assert!(message.contains("bool"), "{message}");
    let (offset, message) = error_at("x and 1");
    assert_eq!(offset, 6);
    assert!(message.contains("vector"), "{message}");
    let (offset, message) = error_at("clamp_min(x)");
    assert_eq!(offset, 0);
    assert!(message.contains("takes 2"), "{message}");
    let (offset, _) = error_at("abs(x, y)");
    assert_eq!(offset, 0);
    let (offset, message) = error_at("clamp_max(x, y)");
    assert_eq!(offset, 13);
    assert!(message.contains("scalar"), "{message}");
    let (offset, message) = error_at(r#"x{a=~"("}"#);
    assert_eq!(offset, 2);
    assert!(message.contains("regex"), "{message}");
    let (offset, _) = error_at("p95(x)");
    assert_eq!(offset, 4);
    let (offset, _) = error_at("timestamp(x[5m])");
    assert_eq!(offset, 10);
    let (offset, _) = error_at("time(1)");
    assert_eq!(offset, 5);
}

/// A source implementing only `select`, to exercise the default `visit`.
struct OnlySelect;

impl SampleSource for OnlySelect {
    fn select(&self, metric: &str, _: &[Matcher], _: Duration, _: i64) -> Vec<SeriesSamples> {
        if metric != "x" {
            return Vec::new();
        }
        vec![SeriesSamples {
            labels: Labels::from_pairs([("a", "1")]),
            samples: vec![(0, 5.0)],
        }]
    }
}

#[test]
fn sources_with_only_select_work_through_the_default_visit() {
    let labels = Labels::from_pairs([("a", "1")]);
    let kept = compile("x > 1").unwrap().evaluate(&OnlySelect, S).unwrap();
    assert_eq!(kept, vec![(labels.clone(), 5.0)]);
    let summed = compile("x + x").unwrap().evaluate(&OnlySelect, S).unwrap();
    assert_eq!(summed, vec![(labels, 10.0)]);
    assert!(
        compile("x > 9")
            .unwrap()
            .evaluate(&OnlySelect, S)
            .unwrap()
            .is_empty()
    );
}
