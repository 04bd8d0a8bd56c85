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
    "CREATE TABLE logs (
        id       INTEGER PRIMARY KEY,
        ts       INTEGER NOT NULL,
        level    TEXT    NOT NULL,
        service  TEXT    NOT NULL,
        message  TEXT    NOT NULL,
        metadata TEXT    NOT NULL
    );
    CREATE INDEX logs_ts ON logs (ts);
    CREATE INDEX logs_service_ts ON logs (service, ts);
    CREATE TABLE service_history (
        resolution     TEXT    NOT NULL CHECK (resolution IN ('minute', 'hour', 'day')),
        start          INTEGER NOT NULL,
        service        TEXT    NOT NULL,
        requests       INTEGER NOT NULL,
        server_errors  INTEGER NOT NULL,
        client_errors  INTEGER NOT NULL,
        timeout_errors INTEGER NOT NULL,
        latency_sum_ms REAL    NOT NULL,
        latency_min_ms REAL,
        latency_max_ms REAL,
        latency_sketch TEXT    NOT NULL,
        log_entries    INTEGER NOT NULL,
        log_errors     INTEGER NOT NULL,
        PRIMARY KEY (resolution, start, service)
    );
    CREATE TABLE host_history (
        resolution      TEXT    NOT NULL CHECK (resolution IN ('minute', 'hour', 'day')),
        start           INTEGER NOT NULL,
        cpu_percent_sum REAL    NOT NULL,
        cpu_samples     INTEGER NOT NULL,
        mem_percent_sum REAL    NOT NULL,
        mem_samples     INTEGER NOT NULL,
        PRIMARY KEY (resolution, start)
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
