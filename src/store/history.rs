//! Metric history at minute, hour and day resolution: per-service request and log stats
//! (`service_history`, latency as a mergeable sketch) and host CPU/memory usage
//! (`host_history`, sums and sample counts so averages merge exactly).
//!
//! Downsampling recomputes a coarse row from the finer rows inside it (`rebuild`), so it is
//! idempotent and survives restarts; retention deletes rows by age per resolution. Row starts
//! are Unix seconds aligned to the resolution.

use super::{Store, StoreError};
use crate::model::latency::{LatencySketch, PeriodStats};
use rusqlite::{Row, Transaction, params};
use std::collections::BTreeMap;

/// A history resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resolution {
    /// One row per minute.
    Minute,
    /// One row per hour.
    Hour,
    /// One row per day (UTC).
    Day,
}

impl Resolution {
    /// Every resolution, finest first.
    pub const ALL: [Self; 3] = [Self::Minute, Self::Hour, Self::Day];

    /// `minute`, `hour` or `day`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Minute => "minute",
            Self::Hour => "hour",
            Self::Day => "day",
        }
    }

    /// Parses `as_str`'s names.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The width of one row in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            Self::Minute => 60,
            Self::Hour => 3600,
            Self::Day => 86_400,
        }
    }

    /// The start of the row holding `unix_seconds`.
    pub fn align(self, unix_seconds: i64) -> i64 {
        unix_seconds - unix_seconds.rem_euclid(self.seconds())
    }

    /// The next finer resolution (what a row of this one is built from).
    pub fn finer(self) -> Option<Self> {
        match self {
            Self::Minute => None,
            Self::Hour => Some(Self::Minute),
            Self::Day => Some(Self::Hour),
        }
    }
}

/// Host usage of one period: sums and counts, so averages merge exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HostUsage {
    /// Sum of CPU usage samples (percent).
    pub cpu_percent_sum: f64,
    /// CPU samples.
    pub cpu_samples: u64,
    /// Sum of memory usage samples (percent).
    pub mem_percent_sum: f64,
    /// Memory samples.
    pub mem_samples: u64,
}

impl HostUsage {
    /// Adds `other`.
    pub fn merge(&mut self, other: &Self) {
        self.cpu_percent_sum += other.cpu_percent_sum;
        self.cpu_samples += other.cpu_samples;
        self.mem_percent_sum += other.mem_percent_sum;
        self.mem_samples += other.mem_samples;
    }

    /// Mean CPU usage in percent.
    pub fn cpu_percent(&self) -> Option<f64> {
        (self.cpu_samples > 0).then(|| self.cpu_percent_sum / self.cpu_samples as f64)
    }

    /// Mean memory usage in percent.
    pub fn memory_percent(&self) -> Option<f64> {
        (self.mem_samples > 0).then(|| self.mem_percent_sum / self.mem_samples as f64)
    }
}

/// One service row.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRow {
    /// The row start (Unix seconds).
    pub start: i64,
    /// The service.
    pub service: String,
    /// What it did.
    pub stats: PeriodStats,
}

const SERVICE_COLUMNS: &str = "start, service, requests, server_errors, client_errors, \
     timeout_errors, latency_sum_ms, latency_min_ms, latency_max_ms, latency_sketch, \
     log_entries, log_errors";

fn service_row(row: &Row<'_>) -> rusqlite::Result<ServiceRow> {
    let count = |i| row.get::<_, i64>(i).map(|v| u64::try_from(v).unwrap_or(0));
    let sketch: String = row.get(9)?;
    Ok(ServiceRow {
        start: row.get(0)?,
        service: row.get(1)?,
        stats: PeriodStats {
            requests: count(2)?,
            server_errors: count(3)?,
            client_errors: count(4)?,
            timeout_errors: count(5)?,
            latency_sum_ms: row.get(6)?,
            latency_min_ms: row.get(7)?,
            latency_max_ms: row.get(8)?,
            sketch: LatencySketch::decode(&sketch).unwrap_or_default(),
            log_entries: count(10)?,
            log_errors: count(11)?,
        },
    })
}

fn upsert_service(
    tx: &Transaction<'_>,
    resolution: Resolution,
    start: i64,
    service: &str,
    stats: &PeriodStats,
) -> Result<(), StoreError> {
    let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO service_history (resolution, {SERVICE_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))?
    .execute(params![
        resolution.as_str(),
        start,
        service,
        int(stats.requests),
        int(stats.server_errors),
        int(stats.client_errors),
        int(stats.timeout_errors),
        stats.latency_sum_ms,
        stats.latency_min_ms,
        stats.latency_max_ms,
        stats.sketch.encode(),
        int(stats.log_entries),
        int(stats.log_errors),
    ])?;
    Ok(())
}

fn upsert_host(
    tx: &Transaction<'_>,
    resolution: Resolution,
    start: i64,
    usage: &HostUsage,
) -> Result<(), StoreError> {
    let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    tx.prepare_cached(
        "INSERT OR REPLACE INTO host_history
         (resolution, start, cpu_percent_sum, cpu_samples, mem_percent_sum, mem_samples)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        resolution.as_str(),
        start,
        usage.cpu_percent_sum,
        int(usage.cpu_samples),
        usage.mem_percent_sum,
        int(usage.mem_samples),
    ])?;
    Ok(())
}

fn service_rows_in(
    tx: &Transaction<'_>,
    resolution: Resolution,
    from: i64,
    to: i64,
) -> Result<Vec<ServiceRow>, StoreError> {
    let mut statement = tx.prepare_cached(&format!(
        "SELECT {SERVICE_COLUMNS} FROM service_history
         WHERE resolution = ?1 AND start >= ?2 AND start < ?3 ORDER BY start, service"
    ))?;
    let rows = statement.query_map(params![resolution.as_str(), from, to], service_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn host_rows_in(
    tx: &Transaction<'_>,
    resolution: Resolution,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, HostUsage)>, StoreError> {
    let mut statement = tx.prepare_cached(
        "SELECT start, cpu_percent_sum, cpu_samples, mem_percent_sum, mem_samples
         FROM host_history WHERE resolution = ?1 AND start >= ?2 AND start < ?3 ORDER BY start",
    )?;
    let rows = statement.query_map(params![resolution.as_str(), from, to], |row| {
        let count = |i| row.get::<_, i64>(i).map(|v| u64::try_from(v).unwrap_or(0));
        Ok((
            row.get(0)?,
            HostUsage {
                cpu_percent_sum: row.get(1)?,
                cpu_samples: count(2)?,
                mem_percent_sum: row.get(3)?,
                mem_samples: count(4)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Recomputes the `resolution` rows holding `unix_seconds` from the finer rows inside them.
fn rebuild(
    tx: &Transaction<'_>,
    resolution: Resolution,
    unix_seconds: i64,
) -> Result<(), StoreError> {
    let Some(finer) = resolution.finer() else {
        return Ok(());
    };
    let start = resolution.align(unix_seconds);
    let end = start + resolution.seconds();
    let mut services: BTreeMap<String, PeriodStats> = BTreeMap::new();
    for row in service_rows_in(tx, finer, start, end)? {
        services.entry(row.service).or_default().merge(&row.stats);
    }
    for (service, stats) in &services {
        upsert_service(tx, resolution, start, service, stats)?;
    }
    let mut host = HostUsage::default();
    let host_rows = host_rows_in(tx, finer, start, end)?;
    for (_, usage) in &host_rows {
        host.merge(usage);
    }
    if !host_rows.is_empty() {
        upsert_host(tx, resolution, start, &host)?;
    }
    Ok(())
}

impl Store {
    /// Saves the minute starting at `minute_start` (every service's stats and the host usage)
    /// and rebuilds the hour and day rows holding it, in one transaction.
    pub fn save_minute(
        &mut self,
        minute_start: i64,
        services: &BTreeMap<String, PeriodStats>,
        host: &HostUsage,
    ) -> Result<(), StoreError> {
        let start = Resolution::Minute.align(minute_start);
        self.with_transaction(|tx| {
            for (service, stats) in services {
                upsert_service(tx, Resolution::Minute, start, service, stats)?;
            }
            if host.cpu_samples + host.mem_samples > 0 {
                upsert_host(tx, Resolution::Minute, start, host)?;
            }
            rebuild(tx, Resolution::Hour, start)?;
            rebuild(tx, Resolution::Day, start)
        })
    }

    /// Service rows of `resolution` starting in `from..to`, by start then service, optionally
    /// of one service only.
    pub fn service_history(
        &mut self,
        resolution: Resolution,
        from: i64,
        to: i64,
        service: Option<&str>,
    ) -> Result<Vec<ServiceRow>, StoreError> {
        let rows = self.with_transaction(|tx| service_rows_in(tx, resolution, from, to))?;
        Ok(match service {
            Some(name) => rows.into_iter().filter(|r| r.service == name).collect(),
            None => rows,
        })
    }

    /// Host rows of `resolution` starting in `from..to`.
    pub fn host_history(
        &mut self,
        resolution: Resolution,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, HostUsage)>, StoreError> {
        self.with_transaction(|tx| host_rows_in(tx, resolution, from, to))
    }

    /// Deletes rows of `resolution` that started before `before` (Unix seconds); returns how
    /// many.
    pub fn delete_history_before(
        &self,
        resolution: Resolution,
        before: i64,
    ) -> Result<usize, StoreError> {
        let mut deleted = 0;
        for table in ["service_history", "host_history"] {
            deleted += self.connection.execute(
                &format!("DELETE FROM {table} WHERE resolution = ?1 AND start < ?2"),
                params![resolution.as_str(), before],
            )?;
        }
        Ok(deleted)
    }
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
