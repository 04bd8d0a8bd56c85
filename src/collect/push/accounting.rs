//! Series accounting across every push source: which source owns each metric name (with its
//! type), how many series each name and the whole store hold, and the limit checks a push
//! must pass before anything is applied.

use super::config::PushLimits;
use super::error::{Limit, PushError};
use crate::metrics::MetricType;
use std::collections::HashMap;
use std::fmt;

/// Where a metric name comes from; a name belongs to exactly one source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PushSource {
    /// `POST /api/v1/metrics` (JSON).
    Api,
    /// `POST /api/v1/requests` (request tracking).
    Requests,
    /// `POST /api/v1/logs`.
    Logs,
    /// `PUT|POST|DELETE /metrics/job/...` (Pushgateway text format).
    Gateway,
}

impl PushSource {
    /// Every source, in registry order.
    pub const ALL: [Self; 4] = [Self::Api, Self::Requests, Self::Logs, Self::Gateway];

    /// The `metrics::Registry` source name to publish this source's families under.
    pub fn registry_name(self) -> &'static str {
        match self {
            Self::Api => "push/api",
            Self::Requests => "push/requests",
            Self::Logs => "push/logs",
            Self::Gateway => "push/gateway",
        }
    }
}

impl fmt::Display for PushSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Api => "the JSON metrics API",
            Self::Requests => "request tracking",
            Self::Logs => "log ingestion",
            Self::Gateway => "the Pushgateway API",
        })
    }
}

#[derive(Debug)]
struct NameEntry {
    source: PushSource,
    kind: MetricType,
    series: usize,
    reserved: bool,
}

/// A planned change of one name's series count.
#[derive(Debug)]
pub struct Delta<'a> {
    /// The metric name.
    pub name: &'a str,
    /// Its type after the push.
    pub kind: MetricType,
    /// Series the push removes (a replaced Pushgateway family).
    pub removed: usize,
    /// Series the push adds.
    pub added: usize,
}

/// Owners and series counts of every pushed metric name.
#[derive(Debug, Default)]
pub struct Accounting {
    names: HashMap<String, NameEntry>,
    total: usize,
}

impl Accounting {
    /// Series held in total.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Series held under `name`.
    pub fn series_of(&self, name: &str) -> usize {
        self.names.get(name).map_or(0, |entry| entry.series)
    }

    /// Refuses `name` when another source owns it or it exists with another type. A name
    /// whose every series the push itself removes may change type.
    pub fn check_owner(
        &self,
        name: &str,
        source: PushSource,
        kind: MetricType,
        removed: usize,
    ) -> Result<(), PushError> {
        let Some(entry) = self.names.get(name) else {
            return Ok(());
        };
        let conflict = |message: String| {
            Err(PushError::Conflict {
                name: name.to_owned(),
                message,
            })
        };
        if entry.source != source {
            return conflict(format!("already pushed through {}", entry.source));
        }
        if entry.kind != kind && entry.series > removed {
            return conflict(format!(
                "exists as a {}, pushed as a {}",
                entry.kind.as_str(),
                kind.as_str()
            ));
        }
        Ok(())
    }

    /// Checks the per-metric and total series limits for `deltas` (one per name).
    pub fn check_limits(&self, deltas: &[Delta<'_>], limits: &PushLimits) -> Result<(), PushError> {
        let mut total = self.total;
        for delta in deltas {
            let current = self.series_of(delta.name);
            let after = current.saturating_sub(delta.removed) + delta.added;
            if after > limits.max_series_per_metric && after > current {
                return Err(PushError::limit(
                    Limit::SeriesPerMetric,
                    limits.max_series_per_metric,
                    format!("{} would have {after} series", delta.name),
                ));
            }
            total = total.saturating_sub(delta.removed.min(current)) + delta.added;
        }
        if total > limits.max_series && total > self.total {
            return Err(PushError::limit(
                Limit::Series,
                limits.max_series,
                format!("the push would bring the store to {total} series"),
            ));
        }
        Ok(())
    }

    /// Records `deltas` after they were applied.
    pub fn commit(&mut self, source: PushSource, deltas: &[Delta<'_>]) {
        for delta in deltas {
            let entry = self
                .names
                .entry(delta.name.to_owned())
                .or_insert(NameEntry {
                    source,
                    kind: delta.kind,
                    series: 0,
                    reserved: false,
                });
            let removed = delta.removed.min(entry.series);
            entry.series = entry.series - removed + delta.added;
            entry.kind = delta.kind;
            self.total = self.total - removed + delta.added;
            if entry.series == 0 && !entry.reserved {
                self.names.remove(delta.name);
            }
        }
    }

    /// Reserves a built-in name (request and log metrics) for `source`.
    pub fn reserve(&mut self, name: &str, source: PushSource, kind: MetricType) {
        self.names.insert(
            name.to_owned(),
            NameEntry {
                source,
                kind,
                series: 0,
                reserved: true,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(name: &str, removed: usize, added: usize) -> Delta<'_> {
        Delta {
            name,
            kind: MetricType::Gauge,
            removed,
            added,
        }
    }

    #[test]
    fn limits_count_removed_series_before_added_ones() {
        let limits = PushLimits {
            max_series: 10,
            max_series_per_metric: 6,
            ..PushLimits::default()
        };
        let mut accounting = Accounting::default();
        accounting.commit(PushSource::Gateway, &[delta("a", 0, 6), delta("b", 0, 4)]);
        assert_eq!(accounting.total(), 10);
        assert!(
            accounting
                .check_limits(&[delta("a", 6, 6)], &limits)
                .is_ok()
        );
        let error = accounting.check_limits(&[delta("a", 5, 6)], &limits);
        assert_eq!(error.map_err(|e| e.reason()), Err("max_series_per_metric"));
        let error = accounting.check_limits(&[delta("c", 0, 1)], &limits);
        assert_eq!(error.map_err(|e| e.status()), Err(429));
        accounting.commit(PushSource::Gateway, &[delta("a", 6, 0)]);
        assert_eq!(accounting.total(), 4);
        assert_eq!(accounting.series_of("a"), 0);
    }

    #[test]
    fn names_belong_to_one_source_and_type() {
        let mut accounting = Accounting::default();
        accounting.commit(PushSource::Api, &[delta("a", 0, 1)]);
        let other_source = accounting.check_owner("a", PushSource::Gateway, MetricType::Gauge, 0);
        assert!(other_source.is_err_and(|e| e.to_string().contains("JSON metrics API")));
        let other_type = accounting.check_owner("a", PushSource::Api, MetricType::Counter, 0);
        assert!(other_type.is_err_and(|e| e.to_string().contains("exists as a gauge")));
        assert!(
            accounting
                .check_owner("a", PushSource::Api, MetricType::Counter, 1)
                .is_ok()
        );
    }
}
