//! The read seam between the rule engine and stored samples: [`SampleSource`] and its rows.

use super::matcher::Matcher;
use crate::model::Labels;
use std::time::Duration;

/// How far back an instant selector (window 0) looks for the latest sample, as in Prometheus.
pub const LOOKBACK: Duration = Duration::from_secs(300);

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
}
