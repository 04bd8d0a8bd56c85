//! `PushStore`: the in-memory registry of everything pushed. JSON metrics, tracked requests
//! and logs land in ordered series tables; Pushgateway groups in `gateway`. Every apply checks
//! all limits and conflicts first and changes nothing when one fails; it returns the metric
//! names it changed so the rule engine can evaluate rules reading them at once.
//!
//! The store is `&mut self` and never reads the clock: the caller holds it behind a mutex and
//! passes `now`.

use super::accounting::{Accounting, PushSource};
use super::config::PushConfig;
use super::error::{Limit, PushError};
use super::gateway::Gateway;
use super::health::{HealthWindow, ServiceHealth, health_families};
use super::intern::{Interner, LabelKey};
use super::json::PushKind;
use super::plan::{check_op_labels, new_family};
use super::table::TableFamily;
use crate::metrics::{MetricFamily, MetricType, Registry};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::SystemTime;

/// The request counter fed by request tracking.
pub const REQUESTS_TOTAL: &str = "http_requests_total";
/// The request duration histogram fed by request tracking.
pub const REQUEST_DURATION: &str = "http_request_duration_seconds";
/// The log entry counter fed by log ingestion.
pub const LOG_ENTRIES_TOTAL: &str = "log_entries_total";

/// What an accepted push changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Applied {
    /// The sources whose families changed (publish these).
    pub sources: Vec<PushSource>,
    /// Metric names whose series changed, sorted (trigger rules that read them).
    pub changed_metric_names: Vec<String>,
    /// Exposed series the push added (net of those it replaced).
    pub series_added: usize,
}

/// One value to apply to a table family.
pub(super) struct Op<'a> {
    pub field: &'a str,
    pub index: usize,
    pub name: &'a str,
    pub kind: PushKind,
    pub help: &'a str,
    pub labels: Vec<(&'a str, &'a str)>,
    pub value: f64,
}

/// The push registry. See the module documentation.
#[derive(Debug)]
pub struct PushStore {
    pub(super) config: PushConfig,
    pub(super) interner: Interner,
    pub(super) accounting: Accounting,
    pub(super) tables: BTreeMap<PushSource, BTreeMap<String, TableFamily>>,
    pub(super) gateway: Gateway,
    pub(super) health: HealthWindow,
    pub(super) buckets: Arc<[f64]>,
}

impl PushStore {
    /// An empty store with `config` (validated with `PushConfig::problems` beforehand).
    pub fn new(config: PushConfig) -> Self {
        let mut accounting = Accounting::default();
        accounting.reserve(REQUESTS_TOTAL, PushSource::Requests, MetricType::Counter);
        accounting.reserve(
            REQUEST_DURATION,
            PushSource::Requests,
            MetricType::Histogram,
        );
        accounting.reserve(LOG_ENTRIES_TOTAL, PushSource::Logs, MetricType::Counter);
        for name in ["push_time_seconds", "push_failure_time_seconds"] {
            accounting.reserve(name, PushSource::Gateway, MetricType::Gauge);
        }
        let tables = [PushSource::Api, PushSource::Requests, PushSource::Logs]
            .into_iter()
            .map(|source| (source, BTreeMap::new()))
            .collect();
        Self {
            buckets: Arc::from(config.buckets.as_slice()),
            health: HealthWindow::new(config.health.window.as_secs()),
            config,
            interner: Interner::default(),
            accounting,
            tables,
            gateway: Gateway::default(),
        }
    }

    /// The configuration the store was built with.
    pub fn config(&self) -> &PushConfig {
        &self.config
    }

    /// Exposed series held in total.
    pub fn series_count(&self) -> usize {
        self.accounting.total()
    }

    /// Refuses a body over `limits.max_body_bytes` (413); the HTTP layer calls it first.
    pub fn check_body_size(&self, bytes: usize) -> Result<(), PushError> {
        let max = self.config.limits.max_body_bytes;
        if bytes > max {
            return Err(PushError::limit(
                Limit::BodyBytes,
                max,
                format!("the body is {bytes} bytes"),
            ));
        }
        Ok(())
    }

    /// Applies `ops` to the table of `source` whole, or not at all.
    pub(super) fn apply_ops(
        &mut self,
        source: PushSource,
        ops: &[Op<'_>],
        now: u64,
    ) -> Result<Applied, PushError> {
        let result = self.try_apply_ops(source, ops, now);
        if result.is_err() {
            self.interner.collect_garbage();
        }
        result
    }

    fn try_apply_ops(
        &mut self,
        source: PushSource,
        ops: &[Op<'_>],
        now: u64,
    ) -> Result<Applied, PushError> {
        for op in ops {
            check_op_labels(op, &self.config.limits)?;
        }
        let keys: Vec<LabelKey> = ops
            .iter()
            .map(|op| self.interner.key(op.labels.iter().copied()))
            .collect();
        let deltas = self.plan_ops(source, ops, &keys)?;
        self.accounting.check_limits(&deltas, &self.config.limits)?;
        let Self {
            tables,
            config,
            buckets,
            ..
        } = self;
        let table = tables.entry(source).or_default();
        for (op, key) in ops.iter().zip(keys) {
            if let Some(family) = table.get_mut(op.name) {
                family.apply(key, op.value, now);
                continue;
            }
            let mut family = new_family(config, buckets, op);
            family.apply(key, op.value, now);
            table.insert(op.name.to_owned(), family);
        }
        self.accounting.commit(source, &deltas);
        let changed: BTreeSet<&str> = ops.iter().map(|op| op.name).collect();
        Ok(Applied {
            sources: vec![source],
            changed_metric_names: changed.into_iter().map(str::to_owned).collect(),
            series_added: deltas.iter().map(|d| d.added).sum(),
        })
    }

    /// The families of one source, sorted by name, series sorted by labels.
    pub fn source_families(&self, source: PushSource) -> Vec<MetricFamily> {
        if source == PushSource::Gateway {
            return self.gateway.families();
        }
        self.tables.get(&source).map_or_else(Vec::new, |table| {
            table
                .iter()
                .map(|(name, family)| family.to_family(name))
                .collect()
        })
    }

    /// Every pushed family (all sources, without service health).
    pub fn snapshot(&self) -> Vec<MetricFamily> {
        PushSource::ALL
            .into_iter()
            .flat_map(|source| self.source_families(source))
            .collect()
    }

    /// Service health over the configured window at `now`.
    pub fn service_health(&self, now: SystemTime) -> Vec<ServiceHealth> {
        self.health.report(unix_seconds(now), &self.config.health)
    }

    /// Service health as metric families (published as `HEALTH_SOURCE`).
    pub fn health_families(&self, now: SystemTime) -> Vec<MetricFamily> {
        health_families(&self.service_health(now))
    }

    /// Publishes `sources` (each under its `registry_name`) and service health into
    /// `registry`. Encoding happens here, so call it on a tick rather than per push.
    pub fn publish(&self, registry: &Registry, sources: &[PushSource], now: SystemTime) {
        for &source in sources {
            registry.publish(source.registry_name(), self.source_families(source), now);
        }
        registry.publish(HEALTH_SOURCE, self.health_families(now), now);
    }
}

/// The registry source name service health is published under.
pub const HEALTH_SOURCE: &str = "push/health";

/// The metric type a push kind creates.
pub fn metric_type(kind: PushKind) -> MetricType {
    match kind {
        PushKind::Counter => MetricType::Counter,
        PushKind::Gauge => MetricType::Gauge,
        PushKind::Histogram => MetricType::Histogram,
    }
}

/// Seconds since the Unix epoch (0 before it).
pub fn unix_seconds(now: SystemTime) -> u64 {
    now.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
