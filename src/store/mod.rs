//! The embedded store: one SQLite file (rusqlite, bundled) in WAL mode holding alert state, the
//! notification outbox (also the history), sent records, silences and acks, pushed log entries
//! and metric history (minute, hour and day rows).
//!
//! `Store::open` creates the parent directory, applies migrations and sets the pragmas.
//! `synchronous = FULL`: with WAL, NORMAL already survives a process crash (`kill -9`), but a
//! power loss or kernel crash could undo the last commits; the outbox promise ("nothing acknowledged
//! is sent twice, nothing committed is lost") needs the commit on disk, and alert transitions
//! are rare (one fsync per evaluation that changes something), so the cost is negligible.

mod alert_state;
mod cleanup;
mod config;
mod health;
mod history;
mod logs;
mod migrations;
mod notify_state;
mod outbox;
mod runtime_rules;

pub use alert_state::{StoredAlert, delete_alert, save_transition};
pub use cleanup::CleanupReport;
pub use config::{HistoryRetention, LogStorageConfig};
pub use health::OutboxCounts;
pub use history::{HostUsage, Resolution, ServiceRow};
pub use logs::{ErrorSummary, LogFilter, StoredLog, TopMessage};
pub use outbox::{
    HistoryFilter, OutboxEntry, OutboxState, enqueue, from_millis, save_sent_record, to_millis,
};

use rusqlite::{Connection, Transaction};
use std::path::{Path, PathBuf};

/// A store failure, with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The parent directory could not be created.
    #[error("creating store directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database could not be opened or configured.
    #[error("opening store {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// A statement failed.
    #[error("store query failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored JSON column could not be read or written.
    #[error("store json column {column}: {source}")]
    Json {
        /// The column.
        column: &'static str,
        /// The cause.
        source: serde_json::Error,
    },
    /// A stored row holds a value this version does not understand.
    #[error("store row is corrupt: {0}")]
    Corrupt(String),
}

/// The open database.
#[derive(Debug)]
pub struct Store {
    connection: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating) the database at `path`, migrated and in WAL mode.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_owned(),
                source,
            })?;
        }
        let open_error = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let mut connection = Connection::open(path).map_err(open_error)?;
        let mode: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(open_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            let message = format!("journal_mode is {mode}, wal was refused");
            return Err(open_error(rusqlite::Error::InvalidParameterName(message)));
        }
        connection
            .execute_batch(
                "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
            )
            .map_err(open_error)?;
        migrations::migrate(&mut connection).map_err(open_error)?;
        Ok(Self {
            connection,
            path: path.to_owned(),
        })
    }

    /// Relaxes this connection to `synchronous = NORMAL`: in WAL mode a commit then survives a
    /// process crash but may be lost on power loss. For the log and history connection, whose
    /// batches are not worth an fsync each.
    pub fn relax_durability(&self) -> Result<(), StoreError> {
        self.connection
            .execute_batch("PRAGMA synchronous = NORMAL;")?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` in one transaction, committed only if it returns `Ok`.
    pub fn with_transaction<T>(
        &mut self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let transaction = self.connection.transaction()?;
        let result = work(&transaction)?;
        transaction.commit()?;
        Ok(result)
    }
}

#[cfg(test)]
mod tests;
