//! One rule-evaluation tick: 1,000 threshold rules over 100,000 series with 5-minute windows
//! sampled every 15 s, plus the history's memory per stored sample (measured with a counting
//! allocator, so it includes labels, maps and ring slack, not just the 12-byte slots). Two
//! threshold sets: the original (~30% of series pass) and a realistic one (~1% pass).

use criterion::{Criterion, criterion_group, criterion_main};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Duration;
use watchpost::metrics::{History, MetricFamily, MetricType};
use watchpost::model::Labels;
use watchpost::rules::expr::{CompiledExpr, compile};

/// Counts live heap bytes.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const METRICS: usize = 1_000;
const SERIES_PER_METRIC: usize = 100;
const STEP_MS: i64 = 15_000;
const STEPS: i64 = 21; // 0..=300 s: a full 5-minute window

fn families(step: i64) -> Vec<MetricFamily> {
    (0..METRICS)
        .map(|m| {
            let mut family = MetricFamily::new(format!("bench_metric_{m}"), "", MetricType::Gauge);
            for s in 0..SERIES_PER_METRIC {
                let labels = Labels::from_pairs([
                    ("instance", format!("host-{s:03}:9100")),
                    ("job", "node".to_owned()),
                ]);
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

fn filled_history() -> History {
    let before = LIVE.load(Ordering::Relaxed);
    let history = History::new(Duration::from_secs(300));
    for step in 0..STEPS {
        let batch = families(step);
        history.record(&batch, step * STEP_MS);
    }
    // Every batch has been dropped: what is still live belongs to the history.
    let bytes = LIVE.load(Ordering::Relaxed) - before;
    let stats = history.stats();
    println!(
        "history: {} series, {} samples, ring slots {:.2} B/sample, total heap {:.2} B/sample",
        stats.series,
        stats.samples,
        stats.sample_bytes as f64 / stats.samples as f64,
        bytes as f64 / stats.samples as f64,
    );
    history
}

fn bench_tick(c: &mut Criterion, name: &str, history: &History, thresholds: &Thresholds) {
    let rules = rules(thresholds);
    let now = (STEPS - 1) * STEP_MS;
    let firing: usize = rules
        .iter()
        .map(|r| r.evaluate(history, now).map_or(0, |rows| rows.len()))
        .sum();
    println!("{name}: {} rules, {firing} result series", rules.len());
    c.bench_function(name, |b| {
        b.iter(|| {
            let mut total = 0;
            for rule in &rules {
                total += rule
                    .evaluate(history, black_box(now))
                    .map_or(0, |r| r.len());
            }
            black_box(total)
        })
    });
}

fn tick(c: &mut Criterion) {
    let history = filled_history();
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
