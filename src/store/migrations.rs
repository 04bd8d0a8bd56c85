//! Schema migrations, tracked in `PRAGMA user_version`; each step runs in its own transaction.

use rusqlite::Connection;

/// The migrations in order; index + 1 is the schema version after applying it.
const MIGRATIONS: &[&str] = &["CREATE TABLE alert_state (
        group_name        TEXT    NOT NULL,
        fingerprint       TEXT    NOT NULL,
        alertname         TEXT    NOT NULL,
        labels            TEXT    NOT NULL,
        annotations       TEXT    NOT NULL,
        state             TEXT    NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
        value             REAL,
        active_since      INTEGER NOT NULL,
        fired_at          INTEGER,
        resolved_at       INTEGER,
        resolved_value    REAL,
        keep_firing_since INTEGER,
        updated_at        INTEGER NOT NULL,
        PRIMARY KEY (group_name, fingerprint)
    );"];

/// Applies every migration newer than the database's `user_version`.
pub fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let current: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let current = usize::try_from(current).unwrap_or(0);
    for (version, sql) in (1_i64..).zip(MIGRATIONS).skip(current) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", version)?;
        transaction.commit()?;
    }
    Ok(())
}
