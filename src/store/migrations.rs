//! Schema migrations, tracked in `PRAGMA user_version`; each step runs in its own transaction.

use rusqlite::Connection;

/// The migrations in order; index + 1 is the schema version after applying it.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE alert_state (
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
    );",
    "CREATE TABLE outbox (
        id              TEXT    PRIMARY KEY,
        receiver        TEXT    NOT NULL,
        integration     TEXT    NOT NULL,
        group_key       TEXT    NOT NULL,
        alertname       TEXT    NOT NULL,
        message         TEXT    NOT NULL,
        reason          TEXT    NOT NULL,
        created_at      INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        attempts        INTEGER NOT NULL,
        last_error      TEXT,
        state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
        updated_at      INTEGER NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
    CREATE INDEX outbox_created ON outbox (created_at);
    CREATE TABLE sent_records (
        receiver  TEXT NOT NULL,
        group_key TEXT NOT NULL,
        record    TEXT NOT NULL,
        PRIMARY KEY (receiver, group_key)
    );
    CREATE TABLE silences (
        id   TEXT PRIMARY KEY,
        spec TEXT NOT NULL
    );
    CREATE TABLE acks (
        fingerprint TEXT PRIMARY KEY,
        ack         TEXT NOT NULL
    );",
    "CREATE TABLE runtime_rules (
        name       TEXT    PRIMARY KEY,
        spec       TEXT    NOT NULL,
        updated_at INTEGER NOT NULL
    );",
];

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
