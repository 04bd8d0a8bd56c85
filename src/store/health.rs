//! Store health for `GET /api/v1/health/detailed`: a real `SELECT 1` round trip with its
//! latency, and the outbox counts by state (pending, dead).

use super::{Store, StoreError};
use std::time::{Duration, Instant};

/// Outbox rows by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutboxCounts {
    /// Not yet accepted by their receiver.
    pub pending: u64,
    /// Given up on (dead-lettered).
    pub dead: u64,
}

impl Store {
    /// Runs `SELECT 1` and returns how long the round trip took.
    pub fn ping(&self) -> Result<Duration, StoreError> {
        let start = Instant::now();
        let one: i64 = self
            .connection
            .query_row("SELECT 1", [], |row| row.get(0))?;
        if one != 1 {
            return Err(StoreError::Sqlite(rusqlite::Error::InvalidQuery));
        }
        Ok(start.elapsed())
    }

    /// Pending and dead outbox rows, counted in one query.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        let (pending, dead): (i64, i64) = self.connection.query_row(
            "SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'dead'), 0) FROM outbox",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(OutboxCounts {
            pending: u64::try_from(pending).unwrap_or(0),
            dead: u64::try_from(dead).unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_and_counts_on_an_empty_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("watchpost.db")).unwrap();
        assert!(store.ping().is_ok());
        assert_eq!(store.outbox_counts().unwrap(), OutboxCounts::default());
        store
            .connection
            .execute_batch(
                "INSERT INTO outbox (id, receiver, integration, group_key, alertname, message, reason, \
                 created_at, next_attempt_at, attempts, state, updated_at) VALUES \
                 ('a','r','log','g','A','{}','new',0,0,3,'dead',0), \
                 ('b','r','log','g','A','{}','new',0,0,0,'pending',0), \
                 ('c','r','log','g','A','{}','new',0,0,0,'pending',0)",
            )
            .unwrap();
        let counts = store.outbox_counts().unwrap();
        assert_eq!((counts.pending, counts.dead), (2, 1));
    }
}
