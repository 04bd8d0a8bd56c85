//! `MemorySource`: an in-memory `SampleSource` of explicit samples, for the unit-test runner
//! and tests. A `None` sample is a staleness marker (the series ended there).

use super::expr::{LOOKBACK, Matcher, SampleSource, SeriesSamples};
use crate::model::Labels;
use std::time::Duration;

/// One stored series: name, labels (without `__name__`), `(ms, value or stale)` in time order.
#[derive(Clone, Debug, Default)]
struct StoredSeries {
    name: String,
    labels: Labels,
    samples: Vec<(i64, Option<f64>)>,
}

/// Series held in memory.
#[derive(Clone, Debug, Default)]
pub struct MemorySource {
    series: Vec<StoredSeries>,
}

impl MemorySource {
    /// No series.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a series; samples must be in time order (`None` = stale marker).
    pub fn add_series(&mut self, name: &str, labels: Labels, samples: Vec<(i64, Option<f64>)>) {
        self.series.push(StoredSeries {
            name: name.to_owned(),
            labels,
            samples,
        });
    }

    /// Appends one sample to the series `name{labels}`, creating it.
    pub fn push(&mut self, name: &str, labels: &Labels, at_ms: i64, value: Option<f64>) {
        match self
            .series
            .iter_mut()
            .find(|s| s.name == name && s.labels == *labels)
        {
            Some(series) => series.samples.push((at_ms, value)),
            None => self.add_series(name, labels.clone(), vec![(at_ms, value)]),
        }
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl SampleSource for MemorySource {
    fn select(
        &self,
        metric: &str,
        matchers: &[Matcher],
        window: Duration,
        now_ms: i64,
    ) -> Vec<SeriesSamples> {
        let mut out = Vec::new();
        for series in &self.series {
            if series.name != metric || !matchers.iter().all(|m| m.matches(&series.labels)) {
                continue;
            }
            let samples: Vec<(i64, f64)> = if window.is_zero() {
                let start = now_ms - millis(LOOKBACK);
                let latest = series
                    .samples
                    .iter()
                    .rev()
                    .find(|(t, _)| *t <= now_ms && *t > start);
                match latest {
                    Some(&(t, Some(v))) => vec![(t, v)],
                    _ => Vec::new(),
                }
            } else {
                let start = now_ms - millis(window);
                series
                    .samples
                    .iter()
                    .filter(|(t, _)| *t > start && *t <= now_ms)
                    .filter_map(|&(t, v)| v.map(|v| (t, v)))
                    .collect()
            };
            if !samples.is_empty() {
                out.push(SeriesSamples {
                    labels: series.labels.clone(),
                    samples,
                });
            }
        }
        out
    }
}
