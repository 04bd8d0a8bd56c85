//! The pushed-log table: batched inserts (one transaction per batch), bounded by
//! `storage.logs.max_entries` and retention age, queried newest first with filters, and the
//! error summary (counts per service, level and error type, top messages) over a window.
//!
//! Timestamps are Unix milliseconds. Metadata is stored as JSON text.

use super::{Store, StoreError};
use rusqlite::{ToSql, params, params_from_iter};
use serde::Serialize;
use std::collections::BTreeMap;

/// One stored log entry (the shape of seed 001's `logs[]`, timestamp as millis).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredLog {
    /// When it was logged (Unix milliseconds).
    pub timestamp_ms: i64,
    /// The normalised level (`info`, `error`...).
    pub level: String,
    /// The service that logged it.
    pub service: String,
    /// The message.
    pub message: String,
    /// Structured fields.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

impl StoredLog {
    /// An entry without metadata.
    pub fn new(timestamp_ms: i64, level: &str, service: &str, message: &str) -> Self {
        Self {
            timestamp_ms,
            level: level.to_owned(),
            service: service.to_owned(),
            message: message.to_owned(),
            metadata: serde_json::Map::new(),
        }
    }
}

/// Filters of `GET /api/v1/logs`; `None` or empty means any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogFilter {
    /// Only these levels.
    pub levels: Vec<String>,
    /// Only this service.
    pub service: Option<String>,
    /// Only entries at or after this time (millis).
    pub start_ms: Option<i64>,
    /// Only entries at or before this time (millis).
    pub end_ms: Option<i64>,
    /// At most this many entries.
    pub limit: usize,
}

/// One of the most frequent error messages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopMessage {
    /// The service that logged it.
    pub service: String,
    /// The message text.
    pub message: String,
    /// How often it was logged in the window.
    pub count: u64,
    /// The newest occurrence (millis).
    #[serde(skip)]
    pub last_seen_ms: i64,
}

/// Error counts over a window, from the stored entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorSummary {
    /// Error and fatal entries.
    pub total_errors: u64,
    /// Every entry in the window.
    pub total_entries: u64,
    /// Errors per `metadata.error_type` (or `type`), `unknown_error` without one.
    pub by_type: BTreeMap<String, u64>,
    /// Errors per service.
    pub by_service: BTreeMap<String, u64>,
    /// Errors per level (`error`, `fatal`).
    pub by_level: BTreeMap<String, u64>,
    /// The most frequent error messages, most frequent first.
    pub top_messages: Vec<TopMessage>,
}

/// The levels that count as errors.
const ERROR_LEVELS: &str = "('error', 'fatal')";

impl Store {
    /// Inserts `logs` in one transaction, then deletes entries older than `oldest_ms` and all
    /// but the newest `max_entries`; returns how many were deleted.
    pub fn insert_logs(
        &mut self,
        logs: &[StoredLog],
        max_entries: usize,
        oldest_ms: i64,
    ) -> Result<usize, StoreError> {
        self.with_transaction(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO logs (ts, level, service, message, metadata)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for log in logs {
                let metadata =
                    serde_json::to_string(&log.metadata).map_err(|source| StoreError::Json {
                        column: "metadata",
                        source,
                    })?;
                insert.execute(params![
                    log.timestamp_ms,
                    log.level,
                    log.service,
                    log.message,
                    metadata
                ])?;
            }
            let mut deleted = tx.execute("DELETE FROM logs WHERE ts < ?1", [oldest_ms])?;
            let keep = i64::try_from(max_entries).unwrap_or(i64::MAX);
            deleted += tx.execute(
                "DELETE FROM logs WHERE id <= (SELECT MAX(id) FROM logs) - ?1",
                [keep],
            )?;
            Ok(deleted)
        })
    }

    /// The entries matching `filter`, newest first, and how many match in all.
    pub fn query_logs(&self, filter: &LogFilter) -> Result<(Vec<StoredLog>, u64), StoreError> {
        let (clause, values) = where_clause(filter);
        let total: i64 = self.connection.query_row(
            &format!("SELECT COUNT(*) FROM logs{clause}"),
            params_from_iter(values.iter()),
            |row| row.get(0),
        )?;
        let limit = i64::try_from(filter.limit).unwrap_or(i64::MAX);
        let mut statement = self.connection.prepare(&format!(
            "SELECT ts, level, service, message, metadata FROM logs{clause}
             ORDER BY ts DESC, id DESC LIMIT {limit}"
        ))?;
        let rows = statement.query_map(params_from_iter(values.iter()), |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
            ))
        })?;
        let mut logs = Vec::new();
        for row in rows {
            let (timestamp_ms, level, service, message, metadata) = row?;
            let metadata = serde_json::from_str(&metadata).map_err(|source| StoreError::Json {
                column: "metadata",
                source,
            })?;
            logs.push(StoredLog {
                timestamp_ms,
                level,
                service,
                message,
                metadata,
            });
        }
        Ok((logs, u64::try_from(total).unwrap_or(0)))
    }

    /// Error counts of entries at or after `since_ms`, with the `top` most frequent messages.
    pub fn error_summary(&self, since_ms: i64, top: usize) -> Result<ErrorSummary, StoreError> {
        let mut summary = ErrorSummary {
            total_entries: self.count("SELECT COUNT(*) FROM logs WHERE ts >= ?1", since_ms)?,
            ..ErrorSummary::default()
        };
        let groups = [
            ("level", &mut summary.by_level),
            ("service", &mut summary.by_service),
            (
                "COALESCE(json_extract(metadata, '$.error_type'), \
                 json_extract(metadata, '$.type'), 'unknown_error')",
                &mut summary.by_type,
            ),
        ];
        for (column, into) in groups {
            let sql = format!(
                "SELECT CAST({column} AS TEXT), COUNT(*) FROM logs
                 WHERE ts >= ?1 AND level IN {ERROR_LEVELS} GROUP BY 1"
            );
            let mut statement = self.connection.prepare(&sql)?;
            let rows = statement.query_map([since_ms], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })?;
            for row in rows {
                let (key, count) = row?;
                *into.entry(key).or_default() += u64::try_from(count).unwrap_or(0);
            }
        }
        summary.total_errors = summary.by_level.values().sum();
        summary.top_messages = self.top_messages(since_ms, top)?;
        Ok(summary)
    }

    fn top_messages(&self, since_ms: i64, top: usize) -> Result<Vec<TopMessage>, StoreError> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT service, message, COUNT(*), MAX(ts) FROM logs
             WHERE ts >= ?1 AND level IN {ERROR_LEVELS}
             GROUP BY service, message ORDER BY 3 DESC, 4 DESC LIMIT ?2"
        ))?;
        let limit = i64::try_from(top).unwrap_or(i64::MAX);
        let rows = statement.query_map(params![since_ms, limit], |row| {
            Ok(TopMessage {
                service: row.get(0)?,
                message: row.get(1)?,
                count: u64::try_from(row.get::<_, i64>(2)?).unwrap_or(0),
                last_seen_ms: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes entries older than `before_ms`; returns how many.
    pub fn delete_logs_before(&self, before_ms: i64) -> Result<usize, StoreError> {
        Ok(self
            .connection
            .execute("DELETE FROM logs WHERE ts < ?1", [before_ms])?)
    }

    fn count(&self, sql: &str, value: i64) -> Result<u64, StoreError> {
        let count: i64 = self.connection.query_row(sql, [value], |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

/// ` WHERE ...` for `filter` (empty without conditions) and its bound values.
fn where_clause(filter: &LogFilter) -> (String, Vec<Box<dyn ToSql>>) {
    let mut conditions = Vec::new();
    let mut values: Vec<Box<dyn ToSql>> = Vec::new();
    if !filter.levels.is_empty() {
        let marks = vec!["?"; filter.levels.len()].join(", ");
        conditions.push(format!("level IN ({marks})"));
        values.extend(
            filter
                .levels
                .iter()
                .map(|l| Box::new(l.clone()) as Box<dyn ToSql>),
        );
    }
    if let Some(service) = &filter.service {
        conditions.push("service = ?".to_owned());
        values.push(Box::new(service.clone()));
    }
    if let Some(start) = filter.start_ms {
        conditions.push("ts >= ?".to_owned());
        values.push(Box::new(start));
    }
    if let Some(end) = filter.end_ms {
        conditions.push("ts <= ?".to_owned());
        values.push(Box::new(end));
    }
    if conditions.is_empty() {
        (String::new(), values)
    } else {
        (format!(" WHERE {}", conditions.join(" AND ")), values)
    }
}

#[cfg(test)]
#[path = "logs_tests.rs"]
mod tests;
