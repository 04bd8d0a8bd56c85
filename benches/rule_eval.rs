//! One rule-evaluation tick: 1,000 threshold rules over 100,000 series with 5-minute windows
//! sampled every 15 s, plus the history's memory per stored sample (measured with a counting
//! allocator, so it includes labels, maps and ring slack, not just the 12-byte slots). Two
//! threshold sets: the original (~30% of series pass) and a realistic one (~1% pass).
//!
//! Before criterion runs, the bench prints what the targets are judged on: total heap bytes per
//! stored sample (for the bench's data, whose 100 label sets repeat across the 1,000 metrics,
//! and for a variant where every series has its own label set), and per tick the median wall
//! time and the median thread CPU time of a few ticks run one after another on one thread,
//! with the machine's load average (the CPU time is the figure least inflated by other load).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::{Duration, Instant};
use watchpost::metrics::{History, MetricFamily, MetricType};
use watchpost::model::Labels;
use watchpost::rules::expr::{CompiledExpr, compile};

#[path = "common/counting.rs"]
mod counting;

const METRICS: usize = 1_000;
const SERIES_PER_METRIC: usize = 100;
const STEP_MS: i64 = 15_000;
const STEPS: i64 = 21; // 0..=300 s: a full 5-minute window

/// Ticks timed by hand before criterion runs.
const MANUAL_TICKS: usize = 15;

fn families(step: i64, unique_labels: bool) -> Vec<MetricFamily> {
    (0..METRICS)
        .map(|m| {
            let mut family = MetricFamily::new(format!("bench_metric_{m}"), "", MetricType::Gauge);
            for s in 0..SERIES_PER_METRIC {
                let mut labels = Labels::from_pairs([
                    ("instance", format!("host-{s:03}:9100")),
                    ("job", "node".to_owned()),
                ]);
                if unique_labels {
                    labels.insert("device", format!("dev{m}"));
                }
                let value = ((m * 7 + s * 13) as i64 + step * 3) % 100;
                family.push(
                    labels,
                    value as f64 + if m % 4 == 2 { step as f64 * 50.0 } else { 0.0 },
                );
            }
            family
        })
        .collect()
}

/// Thresholds for the four rule shapes (avg, max, rate, p95).
struct Thresholds {
    avg: f64,
    max: f64,
    rate: f64,
    p95: f64,
}

/// The original case: about 30% of series pass (30,000 result rows), far more than real alerting.
const BROAD: Thresholds = Thresholds {
    avg: 90.0,
    max: 99.0,
    rate: 3.3,
    p95: 97.0,
};

/// A realistic case: about 1% of series pass (1,000 result rows). The generated series' window
/// maxima and p95s cluster at 94..99, so the few-crossing thresholds for those two shapes lie
/// above every series; the avg and rate rules supply the 1%.
const REALISTIC: Thresholds = Thresholds {
    avg: 70.0,
    max: 100.0,
    rate: 6.8,
    p95: 99.0,
};

fn rules(thresholds: &Thresholds) -> Vec<CompiledExpr> {
    let Thresholds {
        avg,
        max,
        rate,
        p95,
    } = thresholds;
    (0..METRICS)
        .map(|m| {
            let text = match m % 4 {
                0 => format!("avg_over_time(bench_metric_{m}[5m]) > {avg}"),
                1 => format!("max_over_time(bench_metric_{m}{{job=\"node\"}}[5m]) >= {max}"),
                2 => format!("rate(bench_metric_{m}[5m]) > {rate}"),
                _ => format!("quantile_over_time(0.95, bench_metric_{m}[5m]) > {p95}"),
            };
            compile(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
        })
        .collect()
}

/// A history filled with 0..=300 s of the bench's series; prints its heap bytes per sample.
fn filled_history(unique_labels: bool) -> History {
    let before = counting::live_bytes();
    let history = History::new(Duration::from_secs(300));
    for step in 0..STEPS {
        let batch = families(step, unique_labels);
        history.record(&batch, step * STEP_MS);
    }
    // Every batch has been dropped: what is still live belongs to the history.
    let bytes = counting::live_bytes() - before;
    let stats = history.stats();
    let case = if unique_labels {
        "every series its own label set"
    } else {
        "bench data, label sets shared across metrics"
    };
    println!(
        "history ({case}): {} series, {} samples, {} label sets, ring slots {:.2} B/sample, \
         total heap {:.2} B/sample (target <= 20)",
        stats.series,
        stats.samples,
        stats.label_sets,
        stats.sample_bytes as f64 / stats.samples as f64,
        bytes as f64 / stats.samples as f64,
    );
    history
}

/// This thread's CPU time.
fn thread_cpu_time() -> Duration {
    let mut spec = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut spec) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(spec.tv_sec as u64, spec.tv_nsec as u32)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn median_ms(mut values: Vec<Duration>) -> f64 {
    values.sort();
    values[values.len() / 2].as_secs_f64() * 1000.0
}

/// One tick: every rule evaluated once; returns the result rows.
fn run_tick(rules: &[CompiledExpr], history: &History, now: i64) -> usize {
    rules
        .iter()
        .map(|rule| {
            rule.evaluate(history, black_box(now))
                .map_or(0, |r| r.len())
        })
        .sum()
}

/// Times [`MANUAL_TICKS`] ticks by hand: median wall and thread CPU milliseconds per tick.
fn print_manual_timing(name: &str, rules: &[CompiledExpr], history: &History, now: i64) {
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for _ in 0..MANUAL_TICKS {
        let (started, cpu_started) = (Instant::now(), thread_cpu_time());
        black_box(run_tick(rules, history, now));
        wall.push(started.elapsed());
        cpu.push(thread_cpu_time().saturating_sub(cpu_started));
    }
    println!(
        "{name}: {MANUAL_TICKS} ticks by hand: median {:.1} ms/tick wall, {:.1} ms/tick thread \
         CPU (target <= 50 ms); load average {}",
        median_ms(wall),
        median_ms(cpu),
        load_average(),
    );
}

fn bench_tick(c: &mut Criterion, name: &str, history: &History, thresholds: &Thresholds) {
    let rules = rules(thresholds);
    let now = (STEPS - 1) * STEP_MS;
    let firing = run_tick(&rules, history, now);
    println!("{name}: {} rules, {firing} result series", rules.len());
    print_manual_timing(name, &rules, history, now);
    c.bench_function(name, |b| {
        b.iter(|| black_box(run_tick(&rules, history, now)))
    });
}

fn tick(c: &mut Criterion) {
    drop(filled_history(true));
    let history = filled_history(false);
    bench_tick(
        c,
        "tick_1000_rules_100k_series_5m_windows",
        &history,
        &BROAD,
    );
    bench_tick(
        c,
        "tick_1000_rules_100k_series_5m_windows_1pct_firing",
        &history,
        &REALISTIC,
    );
}

criterion_group!(benches, tick);
criterion_main!(benches);
