//! `push.logs`: what happens to pushed log entries besides counting them — optional forwarding
//! to Loki's push API (`push.logs.loki`). Storing them is configured under `storage.logs`.

use crate::model::duration::serde_duration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// `push.logs`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogsPushConfig {
    /// Forward every accepted entry to Loki (off when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loki: Option<LokiConfig>,
}

/// `push.logs.loki`: batched, retried POSTs to `<url>/loki/api/v1/push`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LokiConfig {
    /// Loki's base URL (`http://loki:3100`); `/loki/api/v1/push` is appended.
    pub url: String,
    /// Entries per POST at most (default 500).
    pub batch_size: usize,
    /// How long the first entry of a batch waits for more (default 1s).
    #[serde(with = "serde_duration")]
    pub batch_wait: Duration,
    /// Static labels added to every stream (besides `service` and `level`).
    pub labels: BTreeMap<String, String>,
    /// Retries of a batch after 5xx, 429 or connection errors before it is dropped (default 5).
    pub max_retries: u32,
    /// Backoff after the first failure (default 500ms), doubling up to `max_backoff`.
    #[serde(with = "serde_duration")]
    pub min_backoff: Duration,
    /// Longest backoff (default 30s).
    #[serde(with = "serde_duration")]
    pub max_backoff: Duration,
    /// How long one POST may take (default 10s).
    #[serde(with = "serde_duration")]
    pub timeout: Duration,
    /// Entries waiting to be sent at most; more are dropped and counted (default 10000).
    pub queue_size: usize,
    /// Sent as `X-Scope-OrgID` (multi-tenant Loki) when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

impl Default for LokiConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            batch_size: 500,
            batch_wait: Duration::from_secs(1),
            labels: BTreeMap::new(),
            max_retries: 5,
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            queue_size: 10_000,
            tenant_id: None,
        }
    }
}

impl LogsPushConfig {
    /// Problems as `push.logs.loki.<key>: message` strings.
    pub fn problems(&self) -> Vec<String> {
        let Some(loki) = &self.loki else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        if !(loki.url.starts_with("http://") || loki.url.starts_with("https://")) {
            problems.push("push.logs.loki.url: must be an http:// or https:// URL".to_owned());
        }
        for (key, value) in [
            ("batch_size", loki.batch_size),
            ("queue_size", loki.queue_size),
        ] {
            if value == 0 {
                problems.push(format!("push.logs.loki.{key}: must be at least 1"));
            }
        }
        if loki.timeout.is_zero() {
            problems.push("push.logs.loki.timeout: must be greater than zero".to_owned());
        }
        for name in loki.labels.keys() {
            let valid = name
                .chars()
                .enumerate()
                .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
            if !valid || name.is_empty() || name == "service" || name == "level" {
                problems.push(format!(
                    "push.logs.loki.labels: {name:?} is not a label name (service and level are set per entry)"
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_problems() {
        let config: LogsPushConfig =
            serde_yaml::from_str("loki: {url: 'http://127.0.0.1:3100', labels: {job: wp}}")
                .unwrap_or_else(|e| panic!("{e}"));
        let loki = config.loki.clone().unwrap_or_default();
        assert_eq!((loki.batch_size, loki.max_retries), (500, 5));
        assert!(config.problems().is_empty(), "{:?}", config.problems());
        let bad: LogsPushConfig =
            serde_yaml::from_str("loki: {url: loki, batch_size: 0, labels: {level: x}}")
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bad.problems().len(), 3, "{:?}", bad.problems());
        assert!(LogsPushConfig::default().problems().is_empty());
    }
}
