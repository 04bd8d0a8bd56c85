//! A table of families fed by JSON pushes, request tracking or logs: counters add, gauges set,
//! histograms observe into fixed buckets. Series are keyed by interned label sets in ordered
//! maps, so snapshots come out sorted without a sort, share the label sets with the store
//! (a histogram keeps its `le` sets), and each series costs a few dozen bytes beyond them.

use super::intern::LabelKey;
use crate::metrics::{MetricFamily, MetricType, Sample, format_value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A scalar series: its value and when it was last updated (Unix seconds).
#[derive(Debug)]
struct Scalar {
    value: f64,
    updated: u64,
}

/// A histogram series: per-bucket (non-cumulative) counts, the last one for `+Inf`, and each
/// bucket's label set (the series' labels plus `le`), built once.
#[derive(Debug)]
struct Histogram {
    counts: Box<[u64]>,
    bucket_labels: Box<[LabelKey]>,
    sum: f64,
    count: u64,
    updated: u64,
}

#[derive(Debug)]
enum Values {
    Scalar(BTreeMap<LabelKey, Scalar>),
    Histogram {
        bounds: Arc<[f64]>,
        series: BTreeMap<LabelKey, Histogram>,
    },
}

/// One family of a table.
#[derive(Debug)]
pub struct TableFamily {
    help: String,
    kind: MetricType,
    values: Values,
}

impl TableFamily {
    /// An empty counter or gauge family.
    pub fn scalar(help: &str, kind: MetricType) -> Self {
        Self {
            help: help.to_owned(),
            kind,
            values: Values::Scalar(BTreeMap::new()),
        }
    }

    /// An empty histogram family with `bounds` (finite, increasing; `+Inf` implied).
    pub fn histogram(help: &str, bounds: Arc<[f64]>) -> Self {
        Self {
            help: help.to_owned(),
            kind: MetricType::Histogram,
            values: Values::Histogram {
                bounds,
                series: BTreeMap::new(),
            },
        }
    }

    /// The family's type.
    pub fn kind(&self) -> MetricType {
        self.kind
    }

    /// Exposed series per label set: 1, or buckets + `+Inf` + `_sum` + `_count`.
    pub fn width(&self) -> usize {
        match &self.values {
            Values::Scalar(_) => 1,
            Values::Histogram { bounds, .. } => bounds.len() + 3,
        }
    }

    /// Exposed series in total.
    pub fn series_count(&self) -> usize {
        self.width() * self.len()
    }

    fn len(&self) -> usize {
        match &self.values {
            Values::Scalar(series) => series.len(),
            Values::Histogram { series, .. } => series.len(),
        }
    }

    /// True when the label set already has a series.
    pub fn contains(&self, key: &LabelKey) -> bool {
        match &self.values {
            Values::Scalar(series) => series.contains_key(key),
            Values::Histogram { series, .. } => series.contains_key(key),
        }
    }

    /// Applies a value: adds for counters, sets for gauges, observes for histograms.
    pub fn apply(&mut self, key: LabelKey, value: f64, now: u64) {
        let kind = self.kind;
        match &mut self.values {
            Values::Scalar(series) => {
                let slot = series.entry(key).or_insert(Scalar {
                    value: 0.0,
                    updated: now,
                });
                slot.value = if kind == MetricType::Counter {
                    slot.value + value
                } else {
                    value
                };
                slot.updated = now;
            }
            Values::Histogram { bounds, series } => {
                let slot = series.entry(key).or_insert_with_key(|key| Histogram {
                    counts: vec![0; bounds.len() + 1].into_boxed_slice(),
                    bucket_labels: bucket_labels(key, bounds),
                    sum: 0.0,
                    count: 0,
                    updated: now,
                });
                let bucket = bounds.partition_point(|&bound| bound < value);
                slot.counts[bucket] += 1;
                slot.sum += value;
                slot.count += 1;
                slot.updated = now;
            }
        }
    }

    /// Drops series not updated since `cutoff`; returns how many exposed series went.
    pub fn expire(&mut self, cutoff: u64) -> usize {
        let width = self.width();
        let before = self.len();
        match &mut self.values {
            Values::Scalar(series) => series.retain(|_, s| s.updated >= cutoff),
            Values::Histogram { series, .. } => series.retain(|_, s| s.updated >= cutoff),
        }
        (before - self.len()) * width
    }

    /// The family as exposed, with `name`.
    pub fn to_family(&self, name: &str) -> MetricFamily {
        let mut family = MetricFamily::new(name, self.help.as_str(), self.kind);
        family.samples.reserve_exact(self.series_count());
        match &self.values {
            Values::Scalar(series) => {
                for (key, slot) in series {
                    family.push(key.clone(), slot.value);
                }
            }
            Values::Histogram { series, .. } => {
                for (key, slot) in series {
                    push_histogram(&mut family, key, slot);
                }
            }
        }
        family
    }
}

/// The label sets of a histogram's buckets: `key` plus `le` for every bound and `+Inf`.
fn bucket_labels(key: &LabelKey, bounds: &[f64]) -> Box<[LabelKey]> {
    let mut text = String::new();
    (0..=bounds.len())
        .map(|i| {
            text.clear();
            match bounds.get(i) {
                Some(bound) => format_value(*bound, &mut text),
                None => text.push_str("+Inf"),
            }
            key.clone().with("le", &text)
        })
        .collect()
}

fn push_histogram(family: &mut MetricFamily, key: &LabelKey, slot: &Histogram) {
    let mut cumulative = 0;
    for (count, labels) in slot.counts.iter().zip(&slot.bucket_labels) {
        cumulative += count;
        family.samples.push(Sample {
            suffix: "_bucket",
            labels: labels.clone(),
            value: cumulative as f64,
        });
    }
    for (suffix, value) in [("_sum", slot.sum), ("_count", slot.count as f64)] {
        family.samples.push(Sample {
            suffix,
            labels: key.clone(),
            value,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::push::intern::Interner;

    #[test]
    fn counters_add_gauges_set_and_expire() {
        let mut interner = Interner::default();
        let mut counter = TableFamily::scalar("C.", MetricType::Counter);
        counter.apply(interner.key([("a", "1")]), 2.0, 10);
        counter.apply(interner.key([("a", "1")]), 3.0, 20);
        let mut gauge = TableFamily::scalar("G.", MetricType::Gauge);
        gauge.apply(interner.key([]), 2.0, 10);
        gauge.apply(interner.key([]), 3.0, 10);
        assert_eq!(counter.to_family("c").samples[0].value, 5.0);
        assert_eq!(gauge.to_family("g").samples[0].value, 3.0);
        assert_eq!(gauge.expire(15), 1);
        assert_eq!(counter.expire(15), 0);
        assert_eq!(counter.series_count(), 1);
    }

    #[test]
    fn histograms_observe_into_cumulative_buckets() {
        let mut interner = Interner::default();
        let mut histogram = TableFamily::histogram("H.", Arc::from([0.1, 1.0]));
        for value in [0.05, 0.1, 0.5, 7.0] {
            histogram.apply(interner.key([("s", "x")]), value, 1);
        }
        assert_eq!(histogram.width(), 5);
        let family = histogram.to_family("h");
        let values: Vec<f64> = family.samples.iter().map(|s| s.value).collect();
        assert_eq!(
            [values[0], values[1], values[2], values[4]],
            [2.0, 3.0, 4.0, 4.0]
        );
        assert!((values[3] - 7.65).abs() < 1e-9);
        assert_eq!(family.samples[0].labels.get("le"), Some("0.1"));
        assert_eq!(family.samples[2].labels.get("le"), Some("+Inf"));
        assert_eq!(family.samples[4].suffix, "_count");
    }
}
