//! `watchpost cleanup --days N`: deletes metric history, log entries and finished notification
//! history (delivered or dead outbox rows) older than a cut-off, in one transaction. Pending
//! notifications and alert state are never touched.

use super::history::Resolution;
use super::{Store, StoreError};
use serde::Serialize;

/// What a cleanup removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CleanupReport {
    /// History rows (service and host) of every resolution.
    pub history_rows: usize,
    /// Log entries.
    pub log_entries: usize,
    /// Delivered or dead notifications.
    pub notifications: usize,
}

impl Store {
    /// Deletes everything `CleanupReport` counts that is older than `before_ms` (Unix millis).
    pub fn cleanup_before(&mut self, before_ms: i64) -> Result<CleanupReport, StoreError> {
        let before_seconds = before_ms.div_euclid(1000);
        self.with_transaction(|tx| {
            let mut report = CleanupReport::default();
            for table in ["service_history", "host_history"] {
                report.history_rows += tx.execute(
                    &format!("DELETE FROM {table} WHERE start < ?1"),
                    [before_seconds],
                )?;
            }
            report.log_entries = tx.execute("DELETE FROM logs WHERE ts < ?1", [before_ms])?;
            report.notifications = tx.execute(
                "DELETE FROM outbox WHERE state IN ('delivered', 'dead') AND created_at < ?1",
                [before_ms],
            )?;
            Ok(report)
        })
    }

    /// Applies the configured history retention at `now_seconds`; returns rows deleted.
    pub fn apply_history_retention(
        &self,
        now_seconds: i64,
        retention: &super::HistoryRetention,
    ) -> Result<usize, StoreError> {
        let mut deleted = 0;
        for (resolution, keep) in [
            (Resolution::Minute, retention.minute),
            (Resolution::Hour, retention.hour),
            (Resolution::Day, retention.day),
        ] {
            let keep = i64::try_from(keep.as_secs()).unwrap_or(i64::MAX);
            deleted += self.delete_history_before(resolution, now_seconds.saturating_sub(keep))?;
        }
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::latency::PeriodStats;
    use crate::store::StoredLog;
    use std::collections::BTreeMap;

    #[test]
    fn cleanup_removes_old_history_and_logs_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.db")).unwrap();
        let mut stats = PeriodStats::default();
        stats.record_request(200, 5.0);
        let services = BTreeMap::from([("web".to_owned(), stats)]);
        let host = Default::default();
        store.save_minute(86_400 * 10, &services, &host).unwrap();
        store.save_minute(86_400 * 20, &services, &host).unwrap();
        let log = |ts| StoredLog::new(ts, "info", "web", "m");
        store
            .insert_logs(&[log(1_000), log(86_400_000 * 20)], 100, 0)
            .unwrap();
        let report = store.cleanup_before(86_400_000 * 15).unwrap();
        // minute, hour and day rows of day 10.
        assert_eq!(report.history_rows, 3);
        assert_eq!(report.log_entries, 1);
        assert_eq!(report.notifications, 0);
        let retention = super::super::HistoryRetention::default();
        // At day 21, day 20's minute row is older than 24h; hour and day rows stay.
        assert_eq!(
            store
                .apply_history_retention(86_400 * 21 + 60, &retention)
                .unwrap(),
            1
        );
    }
}
