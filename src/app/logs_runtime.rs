//! Pushed logs and request stats after a push is accepted: log entries go to an in-memory
//! buffer that a writer task commits to the store in batches (one transaction every
//! `FLUSH_EVERY`, or sooner when `FLUSH_AT` entries wait), and on to Loki when configured;
//! requests and logs are also added to the current minute's per-service stats, which the
//! history task (`history_runtime`) takes every minute.
//!
//! Loss window: an accepted entry is in memory until the next batch commits (at most about
//! `FLUSH_EVERY`); `kill -9` or a crash in that window loses it, a graceful stop flushes it.
//! The log connection runs `synchronous = NORMAL` (WAL), so a committed batch survives a
//! process crash but the last batches may be lost on power loss. A buffer over `MAX_PENDING`
//! entries (the disk is stuck) drops new entries and counts them in
//! `watchpost_log_store_dropped_entries_total`. Reads flush first, so a client reads its
//! own writes.

use super::loki::LokiForwarder;
use crate::collect::push::{LogEntry, TrackedRequest};
use crate::config::StorageConfig;
use crate::metrics::self_metrics::SelfMetrics;
use crate::model::latency::PeriodStats;
use crate::store::{Store, StoreError, StoredLog, to_millis};
use prometheus::IntCounter;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};
use tokio::sync::{Notify, watch};

/// How often buffered entries are committed.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// A buffer this full is committed at once.
const FLUSH_AT: usize = 1_000;
/// Entries buffered at most.
const MAX_PENDING: usize = 50_000;

struct Inner {
    store: Mutex<Store>,
    pending: Mutex<Vec<StoredLog>>,
    wake: Notify,
    storage: StorageConfig,
    minute: Mutex<BTreeMap<String, PeriodStats>>,
    loki: Option<LokiForwarder>,
    dropped: IntCounter,
}

/// A cloneable handle to the log store, the Loki forwarder and the minute stats.
#[derive(Clone)]
pub struct LogsHandle {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for LogsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogsHandle")
    }
}

impl LogsHandle {
    /// Opens its own connection to the store at `storage.path` and registers its counter.
    pub fn open(
        storage: &StorageConfig,
        loki: Option<LokiForwarder>,
        metrics: &SelfMetrics,
    ) -> anyhow::Result<Self> {
        let store = Store::open(&storage.path)?;
        store.relax_durability()?;
        let dropped = IntCounter::new(
            "watchpost_log_store_dropped_entries_total",
            "Pushed log entries not stored because the write buffer was full.",
        )?;
        metrics.registry().register(Box::new(dropped.clone()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                store: Mutex::new(store),
                pending: Mutex::default(),
                wake: Notify::new(),
                storage: storage.clone(),
                minute: Mutex::default(),
                loki,
                dropped,
            }),
        })
    }

    /// Buffers accepted `logs` (arrival time `now` where they carry none), forwards them to
    /// Loki and counts them in the minute stats.
    pub fn record_logs(&self, logs: &[LogEntry], now: SystemTime) {
        let stored: Vec<StoredLog> = logs
            .iter()
            .map(|log| StoredLog {
                timestamp_ms: to_millis(log.timestamp.unwrap_or(now)),
                level: log.level.as_str().to_owned(),
                service: log.service.clone(),
                message: log.message.clone(),
                metadata: log.metadata.clone(),
            })
            .collect();
        {
            let mut minute = lock(&self.inner.minute);
            for log in logs {
                minute
                    .entry(log.service.clone())
                    .or_default()
                    .record_log(log.level.is_error());
            }
        }
        if let Some(loki) = &self.inner.loki {
            loki.offer(&stored);
        }
        let mut pending = lock(&self.inner.pending);
        let room = MAX_PENDING.saturating_sub(pending.len());
        let dropped = stored.len().saturating_sub(room);
        pending.extend(stored.into_iter().take(room));
        let full = pending.len() >= FLUSH_AT;
        drop(pending);
        self.inner.dropped.inc_by(dropped as u64);
        if full {
            self.inner.wake.notify_one();
        }
    }

    /// Counts accepted tracked requests in the minute stats.
    pub fn record_requests(&self, requests: &[TrackedRequest]) {
        let mut minute = lock(&self.inner.minute);
        for request in requests {
            minute
                .entry(request.service.clone())
                .or_default()
                .record_request(request.status, request.duration_seconds * 1000.0);
        }
    }

    /// Takes the stats gathered since the last call.
    pub fn take_minute(&self) -> BTreeMap<String, PeriodStats> {
        std::mem::take(&mut *lock(&self.inner.minute))
    }

    /// The `storage` section it was opened with.
    pub fn storage(&self) -> &StorageConfig {
        &self.inner.storage
    }

    /// Commits the buffered entries in one transaction (blocking); returns how many.
    pub fn flush(&self) -> Result<usize, StoreError> {
        let mut store = lock(&self.inner.store);
        let batch = std::mem::take(&mut *lock(&self.inner.pending));
        if batch.is_empty() {
            return Ok(0);
        }
        let logs = &self.inner.storage.logs;
        let oldest = SystemTime::now()
            .checked_sub(logs.retention)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        store.insert_logs(&batch, logs.max_entries, to_millis(oldest))?;
        Ok(batch.len())
    }

    /// Runs `work` on the store after flushing the buffer (blocking: call from a blocking
    /// thread).
    pub fn read<T>(
        &self,
        work: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.flush()?;
        work(&mut lock(&self.inner.store))
    }

    /// Spawns the writer: a flush every `FLUSH_EVERY` or when woken, and a last one when
    /// `shutdown` turns true (await the handle to be sure it ran).
    pub fn spawn_writer(&self, mut shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        let handle = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            loop {
                let stop = tokio::select! {
                    _ = tick.tick() => false,
                    _ = handle.inner.wake.notified() => false,
                    _ = shutdown.wait_for(|stop| *stop) => true,
                };
                let writer = handle.clone();
                match tokio::task::spawn_blocking(move || writer.flush()).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(error)) => tracing::error!(%error, "storing pushed logs failed"),
                    Err(error) => tracing::error!(%error, "log writer task failed"),
                }
                if stop {
                    return;
                }
            }
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::push::{parse_json_logs, parse_json_requests};
    use crate::store::LogFilter;

    fn handle(dir: &std::path::Path) -> LogsHandle {
        let mut storage = StorageConfig {
            path: dir.join("w.db"),
            ..StorageConfig::default()
        };
        // Keep the 2024 entry below: retention cuts by age.
        storage.logs.retention = Duration::from_secs(100 * 365 * 86_400);
        LogsHandle::open(&storage, None, &SelfMetrics::new("0", "t").unwrap()).unwrap()
    }

    #[test]
    fn reads_see_buffered_entries_and_stats_are_per_service() {
        let dir = tempfile::tempdir().unwrap();
        let logs = handle(dir.path());
        let body = br#"{"logs":[{"level":"error","service":"db","message":"down"},
            {"timestamp":"2024-01-15T10:00:00Z","level":"info","service":"web","message":"ok"}]}"#;
        logs.record_logs(&parse_json_logs(body).unwrap(), SystemTime::now());
        let requests = br#"{"requests":[{"service":"web","endpoint":"/","method":"GET","status":503,"duration_ms":12}]}"#;
        logs.record_requests(&parse_json_requests(requests).unwrap());
        let filter = LogFilter {
            limit: 10,
            ..LogFilter::default()
        };
        let (found, total) = logs.read(|store| store.query_logs(&filter)).unwrap();
        assert_eq!(total, 2);
        assert_eq!(found[0].message, "down", "arrival time is newer than 2024");
        assert_eq!(found[1].timestamp_ms, 1_705_312_800_000);
        let minute = logs.take_minute();
        assert_eq!((minute["db"].log_entries, minute["db"].log_errors), (1, 1));
        assert_eq!(
            (minute["web"].requests, minute["web"].server_errors),
            (1, 1)
        );
        assert_eq!(minute["web"].latency_max_ms, Some(12.0));
        assert!(logs.take_minute().is_empty());
        assert_eq!(logs.flush().unwrap(), 0);
    }
}
