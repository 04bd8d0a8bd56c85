//! Heap bytes per pushed series, part by part, measured with a counting allocator (no
//! criterion: the figures are sizes, not times). 100,000 gauge series pushed as JSON in
//! batches of 1,000, shaped as `bench/push_load.py` shapes them (10 metric names, two labels,
//! each label set shared by the 10 metrics), then published into a registry with a sample
//! history, once with no rule reading them and once with every series read by a rule.
//!
//! The figures are live heap bytes as requested from the allocator; the RSS the process pays
//! on top (allocator headers and free lists) is what `bench/compare_push.sh` measures.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use watchpost::collect::push::{PushConfig, PushSource, PushStore, parse_json_push};
use watchpost::metrics::{History, Registry};

#[path = "common/counting.rs"]
mod counting;

const SERIES: usize = 100_000;
const BATCH: usize = 1_000;
const METRICS: usize = 10;

fn per_series(bytes: isize) -> f64 {
    bytes as f64 / SERIES as f64
}

/// The JSON bodies, built before anything is measured.
fn bodies() -> Vec<Vec<u8>> {
    (0..SERIES / BATCH)
        .map(|batch| {
            let metrics: Vec<String> = (0..BATCH)
                .map(|i| {
                    let n = batch * BATCH + i;
                    format!(
                        r#"{{"name":"bench.metric_{}","type":"gauge","value":{i},"labels":{{"series":"{}","source":"bench"}}}}"#,
                        n % METRICS,
                        n / METRICS
                    )
                })
                .collect();
            format!(r#"{{"metrics":[{}]}}"#, metrics.join(",")).into_bytes()
        })
        .collect()
}

/// A store holding the pushed series.
fn filled_store(bodies: &[Vec<u8>], now: SystemTime) -> PushStore {
    let mut config = PushConfig::default();
    config.limits.max_series = 10 * SERIES;
    config.limits.max_series_per_metric = 10 * SERIES;
    let mut store = PushStore::new(config);
    for body in bodies {
        let metrics = parse_json_push(body).expect("the bench's bodies parse");
        store
            .apply_metrics(&metrics, now)
            .expect("the bench's pushes are within the limits");
    }
    store
}

/// Publishes `store` into a fresh registry whose history records `recorded`; returns the
/// heap the publication added and the registry (kept alive until measured).
fn publish(store: &PushStore, recorded: HashSet<String>, now: SystemTime) -> (isize, Registry) {
    let history = Arc::new(History::new(Duration::from_secs(300)));
    history.record_only(Some(recorded));
    let registry = Registry::with_history(history);
    let before = counting::live_bytes();
    store.publish(&registry, &[PushSource::Api], now);
    (counting::live_bytes() - before, registry)
}

fn main() {
    let bodies = bodies();
    let now = SystemTime::now();
    let start = counting::live_bytes();
    let store = filled_store(&bodies, now);
    let store_bytes = counting::live_bytes() - start;

    let (unread, registry) = publish(&store, HashSet::new(), now);
    let text = registry
        .snapshot(PushSource::Api.registry_name())
        .map_or(0, |snapshot| snapshot.encoded.capacity());
    drop(registry);
    let every_name = (0..METRICS).map(|m| format!("bench_metric_{m}")).collect();
    let (read, registry) = publish(&store, every_name, now);
    let history = registry.history().map(|h| h.stats()).unwrap_or_default();
    drop(registry);

    println!("push_memory: {SERIES} pushed series, live heap bytes per series");
    println!(
        "  push store (values, label sets, interner): {:.0}",
        per_series(store_bytes)
    );
    println!(
        "  published snapshot, no rule reads them:    {:.0} (of which text {:.0})",
        per_series(unread),
        per_series(text as isize)
    );
    println!(
        "  total, no rule reads them:                 {:.0}",
        per_series(store_bytes + unread)
    );
    println!(
        "  published snapshot + history, a rule reads every series: {:.0} ({} series in the history)",
        per_series(read),
        history.series
    );
    println!(
        "  total, a rule reads every series:          {:.0}",
        per_series(store_bytes + read)
    );
    assert_eq!(
        history.series, SERIES,
        "the history holds every read series"
    );
}
