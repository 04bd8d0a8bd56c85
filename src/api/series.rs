//! Reading series back out of the registry and the sample history for the JSON views:
//! the latest samples of a metric across every source, per-second rates over a recent window
//! (from the history's ring buffers), and `histogram_quantile` over cumulative buckets.

use crate::metrics::Registry;
use crate::model::Labels;
use crate::rules::expr::SampleSource;
use std::time::{Duration, SystemTime};

/// The window rates are computed over.
pub const RATE_WINDOW: Duration = Duration::from_secs(300);

/// The latest samples of series `name` (a family name plus suffix) in every snapshot.
pub fn latest(registry: &Registry, name: &str) -> Vec<(Labels, f64)> {
    let mut out = Vec::new();
    for snapshot in registry.snapshots() {
        for family in &snapshot.families {
            if !name.starts_with(family.name.as_str()) {
                continue;
            }
            let suffix = &name[family.name.len()..];
            out.extend(
                family
                    .samples
                    .iter()
                    .filter(|s| s.suffix == suffix)
                    .map(|s| (s.labels.clone(), s.value)),
            );
        }
    }
    out
}

/// The sum of the latest samples of `name` whose labels satisfy `keep`.
pub fn sum_where(registry: &Registry, name: &str, keep: impl Fn(&Labels) -> bool) -> f64 {
    latest(registry, name)
        .iter()
        .filter(|(labels, _)| keep(labels))
        .map(|(_, value)| value)
        .sum()
}

/// The counters the JSON views take rates of: the sample history keeps their windows whatever
/// the rules read (see `metrics::History::record_only`). `rate_where` takes only these.
pub const RATE_METRICS: &[&str] = &[
    crate::collect::push::store::REQUESTS_TOTAL,
    "node_cpu_seconds_total",
    "node_network_receive_bytes_total",
    "node_network_transmit_bytes_total",
];

/// The per-second increase of counter `name` (one of [`RATE_METRICS`]) summed over series
/// satisfying `keep`, over the last [`RATE_WINDOW`]; None without a history or with fewer
/// than two samples in any series.
pub fn rate_where(
    registry: &Registry,
    name: &str,
    now: SystemTime,
    keep: impl Fn(&Labels) -> bool,
) -> Option<f64> {
    debug_assert!(
        RATE_METRICS.contains(&name),
        "{name} is not in RATE_METRICS, so the history does not keep it"
    );
    let history = registry.history()?;
    let now_ms = crate::metrics::unix_millis(now);
    let mut total = None;
    for series in history.select(name, &[], RATE_WINDOW, now_ms) {
        if !keep(&series.labels) {
            continue;
        }
        if let Some(rate) = counter_rate(&series.samples) {
            *total.get_or_insert(0.0) += rate;
        }
    }
    total
}

/// The per-second increase over `samples` (time-ordered), counting resets as Prometheus does.
pub fn counter_rate(samples: &[(i64, f64)]) -> Option<f64> {
    let (first, last) = (samples.first()?, samples.last()?);
    let span_seconds = (last.0 - first.0) as f64 / 1000.0;
    if span_seconds <= 0.0 {
        return None;
    }
    let mut increase = 0.0;
    for pair in samples.windows(2) {
        let delta = pair[1].1 - pair[0].1;
        increase += if delta < 0.0 { pair[1].1 } else { delta };
    }
    Some(increase / span_seconds)
}

/// `histogram_quantile(q)` over cumulative `(upper bound, count)` buckets (any order; the
/// `+Inf` bucket included). None without observations.
pub fn histogram_quantile(q: f64, buckets: &[(f64, f64)]) -> Option<f64> {
    let mut sorted: Vec<(f64, f64)> = buckets.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total = sorted.last()?.1;
    if total <= 0.0 || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let rank = q * total;
    let mut previous = (0.0, 0.0);
    for &(bound, count) in &sorted {
        if count >= rank {
            if bound.is_infinite() {
                // Like Prometheus: the answer is the highest finite bound.
                return Some(previous.0);
            }
            let in_bucket = count - previous.1;
            if in_bucket <= 0.0 {
                return Some(bound);
            }
            return Some(previous.0 + (bound - previous.0) * (rank - previous.1) / in_bucket);
        }
        previous = (bound, count);
    }
    Some(previous.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Batch;

    #[test]
    fn quantiles_interpolate_inside_the_bucket() {
        let buckets = [
            (0.1, 50.0),
            (0.5, 90.0),
            (1.0, 100.0),
            (f64::INFINITY, 100.0),
        ];
        assert_eq!(histogram_quantile(0.5, &buckets), Some(0.1));
        let p95 = histogram_quantile(0.95, &buckets).unwrap();
        assert!((p95 - 0.75).abs() < 1e-9, "{p95}");
        assert_eq!(histogram_quantile(0.5, &[(f64::INFINITY, 0.0)]), None);
        assert_eq!(
            histogram_quantile(0.99, &[(1.0, 1.0), (f64::INFINITY, 9.0)]),
            Some(1.0)
        );
    }

    #[test]
    fn counter_rate_counts_resets() {
        assert_eq!(counter_rate(&[(0, 10.0), (10_000, 20.0)]), Some(1.0));
        assert_eq!(
            counter_rate(&[(0, 10.0), (5_000, 15.0), (10_000, 5.0)]),
            Some(1.0)
        );
        assert_eq!(counter_rate(&[(0, 10.0)]), None);
    }

    #[test]
    fn latest_matches_family_and_suffix() {
        let registry = Registry::new();
        let mut batch = Batch::new();
        batch.gauge("node_load1", "load", &[], 0.5);
        batch.gauge("node_load15", "load", &[], 0.7);
        registry.publish("loadavg", batch.into_families(), SystemTime::now());
        let load1 = latest(&registry, "node_load1");
        assert_eq!(load1.len(), 1);
        assert_eq!(load1[0].1, 0.5);
        assert_eq!(sum_where(&registry, "node_load15", |_| true), 0.7);
        let cpu = "node_cpu_seconds_total";
        assert!(rate_where(&registry, cpu, SystemTime::now(), |_| true).is_none());
    }
}
