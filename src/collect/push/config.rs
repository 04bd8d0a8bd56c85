//! `push:` in watchpost.yml: limits, TTL (default and per metric), histogram buckets, service
//! health thresholds, and the catalogue of expected metrics used by the dashboard generator.

use super::names::{metric_name_problem, undot};
use crate::model::duration::serde_duration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// The default request body limit (5 MiB); the HTTP layer enforces it.
pub const DEFAULT_MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// Prometheus's default histogram buckets.
pub const DEFAULT_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// `push`: everything the push store is built from.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushConfig {
    /// Size and cardinality limits.
    pub limits: PushLimits,
    /// How long a pushed series lives without updates (default 1h; `0` keeps it forever).
    #[serde(with = "serde_duration")]
    pub ttl: Duration,
    /// Per metric name TTLs (dotted names allowed), overriding `ttl`.
    pub ttl_overrides: BTreeMap<String, TtlOverride>,
    /// Histogram buckets for JSON histograms and `http_request_duration_seconds`.
    pub buckets: Vec<f64>,
    /// Service health from request tracking and logs.
    pub health: HealthConfig,
    /// The catalogue of metrics applications are expected to push.
    pub metrics: Vec<CatalogueEntry>,
    /// Pushed logs: forwarding to Loki.
    pub logs: super::logs_config::LogsPushConfig,
}

impl Default for PushConfig {
    fn default() -> Self {
        Self {
            limits: PushLimits::default(),
            ttl: Duration::from_secs(3600),
            ttl_overrides: BTreeMap::new(),
            buckets: DEFAULT_BUCKETS.to_vec(),
            health: HealthConfig::default(),
            metrics: Vec::new(),
            logs: Default::default(),
        }
    }
}

/// One TTL override (a newtype so durations are written as `10m`).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct TtlOverride(#[serde(with = "serde_duration")] pub Duration);

/// `push.limits`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushLimits {
    /// Largest accepted request body in bytes (enforced by the HTTP layer).
    pub max_body_bytes: usize,
    /// Series held in total across every push source.
    pub max_series: usize,
    /// Series of one metric name.
    pub max_series_per_metric: usize,
    /// Labels of one series (including `job` and grouping labels).
    pub max_labels_per_series: usize,
    /// Bytes of one label value.
    pub max_label_value_length: usize,
}

impl Default for PushLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_series: 100_000,
            max_series_per_metric: 10_000,
            max_labels_per_series: 32,
            max_label_value_length: 1024,
        }
    }
}

/// `push.health`: how service health is derived from requests and logs.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthConfig {
    /// The window error rates are computed over (default 5m).
    #[serde(with = "serde_duration")]
    pub window: Duration,
    /// Error rate at or above which a service is `warning` (default 0.05).
    pub warning_ratio: f64,
    /// Error rate above which a service is `critical` (default 0.10).
    pub critical_ratio: f64,
    /// Count 4xx responses as errors too (default: only 5xx).
    pub client_errors_count: bool,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(300),
            warning_ratio: 0.05,
            critical_ratio: 0.10,
            client_errors_count: false,
        }
    }
}

/// The type a catalogue entry declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CatalogueType {
    /// Pushed values add up.
    Counter,
    /// Pushed values replace the last one.
    Gauge,
    /// Pushed values are observations.
    Histogram,
}

/// `push.metrics[]`: a metric applications push, for help texts, type checks and dashboards.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// The metric name (dots become underscores).
    pub name: String,
    /// The declared type; pushes of another type are refused.
    #[serde(rename = "type")]
    pub kind: CatalogueType,
    /// The unit shown on dashboards (`seconds`, `bytes`, `USD`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The HELP text used when a push gives none.
    #[serde(default)]
    pub help: String,
    /// Buckets for this histogram, overriding `push.buckets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buckets: Option<Vec<f64>>,
}

impl PushConfig {
    /// Problems that parse but make no sense, as `push.<path>: message` strings.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = self.logs.problems();
        if let Some(problem) = buckets_problem(&self.buckets) {
            problems.push(format!("push.buckets: {problem}"));
        }
        let health = &self.health;
        if !(0.0..=1.0).contains(&health.warning_ratio)
            || !(health.warning_ratio..=1.0).contains(&health.critical_ratio)
        {
            problems.push("push.health: need 0 <= warning_ratio <= critical_ratio <= 1".to_owned());
        }
        for (i, entry) in self.metrics.iter().enumerate() {
            if let Some(problem) = metric_name_problem(&undot(&entry.name)) {
                problems.push(format!(
                    "push.metrics[{i}].name: {:?} {problem}",
                    entry.name
                ));
            }
            if let Some(problem) = entry.buckets.as_deref().and_then(buckets_problem) {
                problems.push(format!("push.metrics[{i}].buckets: {problem}"));
            }
        }
        for name in self.ttl_overrides.keys() {
            if let Some(problem) = metric_name_problem(&undot(name)) {
                problems.push(format!("push.ttl_overrides: {name:?} {problem}"));
            }
        }
        problems
    }

    /// The TTL of `name` (already undotted); `None` means it never expires.
    pub fn ttl_of(&self, name: &str) -> Option<Duration> {
        let ttl = self
            .ttl_overrides
            .iter()
            .find(|(key, _)| same_name(key, name))
            .map_or(self.ttl, |(_, ttl)| ttl.0);
        (!ttl.is_zero()).then_some(ttl)
    }

    /// The catalogue entry of `name` (already undotted).
    pub fn catalogue_entry(&self, name: &str) -> Option<&CatalogueEntry> {
        self.metrics
            .iter()
            .find(|entry| same_name(&entry.name, name))
    }
}

/// True when `configured` (maybe dotted) names the undotted metric `name`; no allocation.
fn same_name(configured: &str, name: &str) -> bool {
    configured.len() == name.len()
        && configured
            .bytes()
            .zip(name.bytes())
            .all(|(c, n)| c == n || (c == b'.' && n == b'_'))
}

fn buckets_problem(buckets: &[f64]) -> Option<&'static str> {
    if buckets.is_empty() {
        return Some("needs at least one bucket");
    }
    if buckets.iter().any(|b| !b.is_finite()) {
        return Some("buckets must be finite (+Inf is implied)");
    }
    if buckets.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Some("buckets must be strictly increasing");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_issue() {
        let config: PushConfig = serde_yaml::from_str("{}").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.limits.max_series, 100_000);
        assert_eq!(config.limits.max_series_per_metric, 10_000);
        assert_eq!(config.limits.max_labels_per_series, 32);
        assert_eq!(config.limits.max_label_value_length, 1024);
        assert_eq!(config.limits.max_body_bytes, 5 * 1024 * 1024);
        assert_eq!(config.ttl, Duration::from_secs(3600));
        assert_eq!(config.buckets.len(), 11);
        assert!(config.problems().is_empty());
    }

    #[test]
    fn full_config_parses_and_ttl_overrides_apply() {
        let yaml = "
limits: {max_series: 10}
ttl: 30m
ttl_overrides: {business.user_signups: 10m, keep: 0}
buckets: [0.1, 1]
metrics:
  - {name: business.ai_cost, type: counter, unit: USD, help: AI spend.}
";
        let config: PushConfig = serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.limits.max_series, 10);
        assert_eq!(config.limits.max_labels_per_series, 32);
        assert_eq!(
            config.ttl_of("business_user_signups"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(config.ttl_of("other"), Some(Duration::from_secs(1800)));
        assert_eq!(config.ttl_of("keep"), None);
        let entry = config.catalogue_entry("business_ai_cost");
        assert_eq!(entry.map(|e| e.kind), Some(CatalogueType::Counter));
    }

    #[test]
    fn the_documented_example_parses() {
        let doc = include_str!("../../../docs/push.md");
        let start = doc
            .find("```yaml\npush:\n")
            .map(|i| i + "```yaml\npush:\n".len());
        let block = start.and_then(|s| doc[s..].find("```").map(|e| &doc[s..s + e]));
        let block = block.unwrap_or_else(|| panic!("docs/push.md lost its yaml example"));
        let config: PushConfig = serde_yaml::from_str(block).unwrap_or_else(|e| panic!("{e}"));
        assert!(config.problems().is_empty(), "{:?}", config.problems());
        assert_eq!(config.metrics.len(), 2);
        assert_eq!(
            config.ttl_of("business_user_signups"),
            Some(Duration::from_secs(86_400))
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_reported() {
        assert!(serde_yaml::from_str::<PushConfig>("limits: {max_serie: 1}").is_err());
        let config = PushConfig {
            buckets: vec![1.0, 0.5],
            ..PushConfig::default()
        };
        assert_eq!(
            config.problems(),
            ["push.buckets: buckets must be strictly increasing"]
        );
    }
}
