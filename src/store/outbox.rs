//! The notification outbox and the last-sent records of every notification group.
//!
//! Durability design ("an alert that fired is never silently lost, even across `kill -9`"):
//! the rule engine's transition is committed to `alert_state` before anything else happens, and
//! `alert_state` keeps firing alerts and recently resolved ones. Grouping then delays the
//! notification by `group_wait`; when a group flushes, its outbox rows (one per integration of
//! the receiver) and the group's new `sent_records` row are committed in ONE transaction. A
//! crash before that commit loses nothing: at start-up every stored firing or resolved alert is
//! observed again and, compared with the restored sent records, produces exactly the
//! notification that was still owed (and no repeat of one already enqueued). A crash after it
//! leaves `pending` rows that the delivery loop resumes. A row turns `delivered` only after its
//! receiver accepted it and is never picked up again; it stays as history.

use super::{Store, StoreError};
use crate::notify::Message;
use crate::notify::dedup::SentRecord;
use crate::notify::group::GroupId;
use rusqlite::{OptionalExtension, Row, Transaction, params};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where an outbox row is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxState {
    /// Not yet accepted by the receiver.
    Pending,
    /// Accepted by the receiver.
    Delivered,
    /// Given up on (permanent failure, `max_attempts` or `max_age`).
    Dead,
}

impl OutboxState {
    /// `pending`, `delivered` or `dead`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "pending" => Ok(Self::Pending),
            "delivered" => Ok(Self::Delivered),
            "dead" => Ok(Self::Dead),
            other => Err(StoreError::Corrupt(format!("outbox state {other:?}"))),
        }
    }
}

/// One outbox row: one message for one integration of one receiver.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    /// `<message id>:<integration>`.
    pub id: String,
    /// The integration (`log`, `webhook`, ...).
    pub integration: String,
    /// The notification.
    pub message: Message,
    /// When the next attempt is due.
    pub next_attempt_at: SystemTime,
    /// Attempts made so far.
    pub attempts: u32,
    /// The last failure (never contains secrets).
    pub last_error: Option<String>,
    /// The state.
    pub state: OutboxState,
    /// When the state last changed.
    pub updated_at: SystemTime,
}

/// Filters of the history view; `None` means any.
#[derive(Clone, Debug, Default)]
pub struct HistoryFilter {
    /// Only this receiver.
    pub receiver: Option<String>,
    /// Only messages whose alert name is this.
    pub alertname: Option<String>,
    /// Only rows created at or after this time.
    pub since: Option<SystemTime>,
    /// At most this many rows, newest first.
    pub limit: u32,
}

/// Milliseconds since the epoch (0 before it).
pub fn to_millis(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The time `millis` after the epoch (the epoch for negative values).
pub fn from_millis(millis: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(millis).unwrap_or(0))
}

fn to_json<T: serde::Serialize>(value: &T, column: &'static str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Json { column, source })
}

fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    column: &'static str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|source| StoreError::Json { column, source })
}

/// Inserts `message` for `integration` as a pending row due now, inside `transaction`.
pub fn enqueue(
    transaction: &Transaction<'_>,
    message: &Message,
    integration: &str,
) -> Result<(), StoreError> {
    let created = to_millis(message.created_at);
    transaction.execute(
        "INSERT OR IGNORE INTO outbox (id, receiver, integration, group_key, alertname, message,
             reason, created_at, next_attempt_at, attempts, last_error, state, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, 0, NULL, 'pending', ?8)",
        params![
            format!("{}:{integration}", message.id),
            message.receiver,
            integration,
            message.group_key,
            message.alert_name(),
            to_json(message, "message")?,
            message.reason.as_str(),
            created,
        ],
    )?;
    Ok(())
}

/// Stores the group's last-sent record inside `transaction`.
pub fn save_sent_record(
    transaction: &Transaction<'_>,
    group: &GroupId,
    record: &SentRecord,
) -> Result<(), StoreError> {
    transaction.execute(
        "INSERT INTO sent_records (receiver, group_key, record) VALUES (?1, ?2, ?3)
         ON CONFLICT (receiver, group_key) DO UPDATE SET record = excluded.record",
        params![group.receiver, group.group_key, to_json(record, "record")?],
    )?;
    Ok(())
}

const ENTRY_COLUMNS: &str =
    "id, integration, message, next_attempt_at, attempts, last_error, state, updated_at";

type RawEntry = (
    String,
    String,
    String,
    i64,
    u32,
    Option<String>,
    String,
    i64,
);

fn read_entry(row: &Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
    ))
}

fn into_entry(raw: RawEntry) -> Result<OutboxEntry, StoreError> {
    let (id, integration, message, next, attempts, last_error, state, updated) = raw;
    Ok(OutboxEntry {
        id,
        integration,
        message: from_json(&message, "message")?,
        next_attempt_at: from_millis(next),
        attempts,
        last_error,
        state: OutboxState::parse(&state)?,
        updated_at: from_millis(updated),
    })
}

impl Store {
    /// Every stored last-sent record.
    pub fn load_sent_records(&self) -> Result<Vec<(GroupId, SentRecord)>, StoreError> {
        let mut statement = self
            .connection
            .prepare("SELECT receiver, group_key, record FROM sent_records")?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        let mut records = Vec::new();
        for row in rows {
            let (receiver, group_key, record) = row?;
            let record: SentRecord = from_json(&record, "record")?;
            records.push((
                GroupId {
                    receiver,
                    group_key,
                },
                record,
            ));
        }
        Ok(records)
    }

    /// Pending rows due at `now`, oldest first.
    pub fn due_outbox(&self, now: SystemTime) -> Result<Vec<OutboxEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?1
             ORDER BY next_attempt_at, id LIMIT 100"
        );
        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map([to_millis(now)], read_entry)?;
        rows.map(|row| into_entry(row?)).collect()
    }

    /// When the earliest pending row is due.
    pub fn next_outbox_attempt(&self) -> Result<Option<SystemTime>, StoreError> {
        let next: Option<i64> = self
            .connection
            .query_row(
                "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'",
                [],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        Ok(next.map(from_millis))
    }

    /// How many rows are pending.
    pub fn outbox_pending(&self) -> Result<u64, StoreError> {
        let count: i64 = self.connection.query_row(
            "SELECT COUNT(*) FROM outbox WHERE state = 'pending'",
            [],
            |row| row.get(0),
        )?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Records an attempt on row `id`: the new state, attempt count, next due time and error.
    pub fn finish_attempt(
        &self,
        id: &str,
        state: OutboxState,
        attempts: u32,
        next_attempt_at: SystemTime,
        last_error: Option<&str>,
        now: SystemTime,
    ) -> Result<(), StoreError> {
        self.connection.execute(
            "UPDATE outbox SET state = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5,
                 updated_at = ?6 WHERE id = ?1",
            params![
                id,
                state.as_str(),
                attempts,
                to_millis(next_attempt_at),
                last_error,
                to_millis(now)
            ],
        )?;
        Ok(())
    }

    /// History rows matching `filter`, newest first.
    pub fn notification_history(
        &self,
        filter: &HistoryFilter,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox
             WHERE (?1 IS NULL OR receiver = ?1) AND (?2 IS NULL OR alertname = ?2)
               AND created_at >= ?3
             ORDER BY created_at DESC, id DESC LIMIT ?4"
        );
        let mut statement = self.connection.prepare(&sql)?;
        let since = filter.since.map_or(0, to_millis);
        let rows = statement.query_map(
            params![filter.receiver, filter.alertname, since, filter.limit],
            read_entry,
        )?;
        rows.map(|row| into_entry(row?)).collect()
    }
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
