//! The read seam between the rule engine and stored samples: [`SampleSource`] and its rows.
//!
//! It lives in `model` so that `metrics::History` (which implements it) and `rules` (which
//! reads through it) both depend on `model` rather than on each other.

use crate::model::Labels;
use crate::model::matcher::Matcher;
use std::time::Duration;

/// How far back an instant selector (window 0) looks for the latest sample, as in Prometheus.
pub const LOOKBACK: Duration = Duration::from_secs(300);

/// The callback of [`SampleSource::visit`]: one series' labels and samples.
pub type SeriesVisitor<'a> = dyn FnMut(&Labels, &[(i64, f64)]) + 'a;

/// One series as returned by a [`SampleSource`].
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesSamples {
    /// The series' labels, without `__name__`.
    pub labels: Labels,
    /// `(timestamp ms, value)` pairs in time order.
    pub samples: Vec<(i64, f64)>,
}

/// What the engine reads. Implemented by `crate::metrics::History` and by test fixtures.
pub trait SampleSource {
    /// Series of `metric` whose labels satisfy `matchers`, each with its samples in
    /// `(now - window, now]` (window 0 = the latest sample at or before now, within the 5m
    /// [`LOOKBACK`], unless the series went stale). Series with no such sample are left out.
    fn select(
        &self,
        metric: &str,
        matchers: &[Matcher],
        window: Duration,
        now_ms: i64,
    ) -> Vec<SeriesSamples>;

    /// Calls `visitor` with the labels and samples of every series [`select`](Self::select)
    /// would return, without building owned rows (the hot path of rule evaluation). The
    /// visitor must not block; a source may hold a read lock while calling it.
    fn visit(
        &self,
        metric: &str,
        matchers: &[Matcher],
        window: Duration,
        now_ms: i64,
        visitor: &mut SeriesVisitor<'_>,
    ) {
        for series in self.select(metric, matchers, window, now_ms) {
            visitor(&series.labels, &series.samples);
        }
    }
}
