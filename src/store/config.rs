//! The store's own config sections under `storage:`: how many log entries are kept and for how
//! long (`storage.logs`), and how long metric history is kept per resolution
//! (`storage.retention`).

use crate::model::duration::serde_duration;
use serde::{Deserialize, Serialize};
use std::time::Duration;

const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

/// `storage.logs`: the bounds of the pushed-log table.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogStorageConfig {
    /// The most entries kept; the oldest go first (default 100000).
    pub max_entries: usize,
    /// Entries older than this are deleted (default 7d).
    #[serde(with = "serde_duration")]
    pub retention: Duration,
}

impl Default for LogStorageConfig {
    fn default() -> Self {
        Self {
            max_entries: 100_000,
            retention: Duration::from_secs(7 * DAY),
        }
    }
}

/// `storage.retention`: how long metric history is kept at each resolution.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistoryRetention {
    /// Minute rows (default 24h; at least 1h, the hour rows are built from them).
    #[serde(with = "serde_duration")]
    pub minute: Duration,
    /// Hour rows (default 30d; at least 1d, the day rows are built from them).
    #[serde(with = "serde_duration")]
    pub hour: Duration,
    /// Day rows (default 365d).
    #[serde(with = "serde_duration")]
    pub day: Duration,
}

impl Default for HistoryRetention {
    fn default() -> Self {
        Self {
            minute: Duration::from_secs(DAY),
            hour: Duration::from_secs(30 * DAY),
            day: Duration::from_secs(365 * DAY),
        }
    }
}

impl HistoryRetention {
    /// Problems of the section as `storage.retention.<key>: message` strings.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.minute < Duration::from_secs(HOUR) {
            problems.push("storage.retention.minute: must be at least 1h".to_owned());
        }
        if self.hour < Duration::from_secs(DAY) {
            problems.push("storage.retention.hour: must be at least 1d".to_owned());
        }
        if self.day < Duration::from_secs(DAY) {
            problems.push("storage.retention.day: must be at least 1d".to_owned());
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_short_retentions_are_reported() {
        assert!(HistoryRetention::default().problems().is_empty());
        let short: HistoryRetention =
            serde_yaml::from_str("{minute: 30m, hour: 2h}").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(short.day, Duration::from_secs(365 * DAY));
        assert_eq!(
            short.problems(),
            [
                "storage.retention.minute: must be at least 1h",
                "storage.retention.hour: must be at least 1d"
            ]
        );
        let logs: LogStorageConfig =
            serde_yaml::from_str("max_entries: 10").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(logs.retention, Duration::from_secs(7 * DAY));
        assert!(serde_yaml::from_str::<LogStorageConfig>("max_entry: 1").is_err());
    }
}
