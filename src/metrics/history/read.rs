//! Reading a [`History`]: which stored samples a selector at `now` over a window sees, and the
//! [`SampleSource`] implementation the rule engine calls.

use super::{History, Series, is_stale_marker, shard_of};
use crate::model::Labels;
use crate::model::matcher::{Matcher, matches_all};
use crate::model::source::{LOOKBACK, SampleSource, SeriesSamples, SeriesVisitor};
use std::sync::PoisonError;
use std::time::Duration;

/// Appends to `out` the samples of `series` a query at `now_ms` over `window_ms` sees.
fn visible_samples(series: &Series, window_ms: i64, now_ms: i64, out: &mut Vec<(i64, f64)>) {
    if window_ms > 0 {
        let start = now_ms - window_ms;
        out.extend(
            series
                .ring
                .iter()
                .filter(|&(t, v)| t > start && t <= now_ms && !is_stale_marker(v)),
        );
        return;
    }
    if series.stale_at_ms <= now_ms {
        return;
    }
    let lookback_start = now_ms - LOOKBACK.as_millis() as i64;
    out.extend(
        series
            .ring
            .iter()
            .rev()
            .find(|&(t, _)| t <= now_ms)
            .filter(|&(t, v)| t > lookback_start && !is_stale_marker(v)),
    );
}

fn window_millis(window: Duration) -> i64 {
    window.as_millis().min(i64::MAX as u128) as i64
}

impl SampleSource for History {
    fn select(
        &self,
        metric: &str,
        matchers: &[Matcher],
        window: Duration,
        now_ms: i64,
    ) -> Vec<SeriesSamples> {
        let mut rows = Vec::new();
        self.visit(metric, matchers, window, now_ms, &mut |labels, samples| {
            rows.push(SeriesSamples {
                labels: Labels::clone(labels),
                samples: samples.to_vec(),
            });
        });
        rows
    }

    fn visit(
        &self,
        metric: &str,
        matchers: &[Matcher],
        window: Duration,
        now_ms: i64,
        visitor: &mut SeriesVisitor<'_>,
    ) {
        let window_ms = window_millis(window);
        let shard = self.shards[shard_of(metric)]
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(map) = shard.metrics.get(metric) else {
            return;
        };
        let mut samples = Vec::new();
        for series in map.values() {
            if !matches_all(matchers, &series.labels) {
                continue;
            }
            samples.clear();
            visible_samples(series, window_ms, now_ms, &mut samples);
            if !samples.is_empty() {
                visitor(series.labels.as_ref(), &samples);
            }
        }
    }
}
