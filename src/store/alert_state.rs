//! The `alert_state` table: one row per pending, firing or recently resolved alert, written from
//! the rule engine's transitions and read back at start-up.

use super::{Store, StoreError};
use crate::model::{Fingerprint, Labels};
use crate::rules::state::{AlertEvent, AlertInstance, AlertState, EventKind};
use rusqlite::{Row, Transaction, params};

/// A stored alert and the group it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredAlert {
    /// The rule group's name.
    pub group: String,
    /// The instance as last saved.
    pub alert: AlertInstance,
}

fn json(labels: &Labels, column: &'static str) -> Result<String, StoreError> {
    serde_json::to_string(labels).map_err(|source| StoreError::Json { column, source })
}

/// Applies one transition inside `transaction`: upsert, or delete for inactive/forgotten.
pub fn save_transition(
    transaction: &Transaction<'_>,
    group: &str,
    event: &AlertEvent,
) -> Result<(), StoreError> {
    let alert = &event.alert;
    let fingerprint = alert.fingerprint.to_string();
    if matches!(event.kind, EventKind::Inactive | EventKind::Forgotten) {
        return delete_alert(transaction, group, alert.fingerprint);
    }
    transaction.execute(
        "INSERT INTO alert_state (group_name, fingerprint, alertname, labels, annotations, state,
             value, active_since, fired_at, resolved_at, resolved_value, keep_firing_since, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (group_name, fingerprint) DO UPDATE SET
             alertname = excluded.alertname, labels = excluded.labels,
             annotations = excluded.annotations, state = excluded.state, value = excluded.value,
             active_since = excluded.active_since, fired_at = excluded.fired_at,
             resolved_at = excluded.resolved_at, resolved_value = excluded.resolved_value,
             keep_firing_since = excluded.keep_firing_since, updated_at = excluded.updated_at",
        params![
            group,
            fingerprint,
            alert.labels.get("alertname").unwrap_or_default(),
            json(&alert.labels, "labels")?,
            json(&alert.annotations, "annotations")?,
            alert.state.as_str(),
            finite(alert.value),
            alert.active_since_ms,
            alert.fired_at_ms,
            alert.resolved_at_ms,
            alert.resolved_value.and_then(finite),
            alert.keep_firing_since_ms,
            event.at_ms,
        ],
    )?;
    Ok(())
}

/// Deletes one stored alert inside `transaction` (an orphan whose rule is gone).
pub fn delete_alert(
    transaction: &Transaction<'_>,
    group: &str,
    fingerprint: Fingerprint,
) -> Result<(), StoreError> {
    transaction.execute(
        "DELETE FROM alert_state WHERE group_name = ?1 AND fingerprint = ?2",
        params![group, fingerprint.to_string()],
    )?;
    Ok(())
}

/// SQLite stores NaN as NULL; keep that explicit.
fn finite(value: f64) -> Option<f64> {
    (!value.is_nan()).then_some(value)
}

/// One `alert_state` row as stored.
struct RawRow {
    group: String,
    fingerprint: String,
    labels: String,
    annotations: String,
    state: String,
    value: Option<f64>,
    active_since: i64,
    fired_at: Option<i64>,
    resolved_at: Option<i64>,
    resolved_value: Option<f64>,
    keep_firing_since: Option<i64>,
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        group: row.get(0)?,
        fingerprint: row.get(1)?,
        labels: row.get(2)?,
        annotations: row.get(3)?,
        state: row.get(4)?,
        value: row.get(5)?,
        active_since: row.get(6)?,
        fired_at: row.get(7)?,
        resolved_at: row.get(8)?,
        resolved_value: row.get(9)?,
        keep_firing_since: row.get(10)?,
    })
}

fn parse_labels(text: &str, column: &'static str) -> Result<Labels, StoreError> {
    serde_json::from_str(text).map_err(|source| StoreError::Json { column, source })
}

impl RawRow {
    fn into_stored(self) -> Result<StoredAlert, StoreError> {
        let fingerprint = u64::from_str_radix(&self.fingerprint, 16)
            .map_err(|_| StoreError::Corrupt(format!("fingerprint {:?}", self.fingerprint)))?;
        let state = AlertState::parse(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("state {:?}", self.state)))?;
        Ok(StoredAlert {
            group: self.group,
            alert: AlertInstance {
                fingerprint: Fingerprint(fingerprint),
                labels: parse_labels(&self.labels, "labels")?,
                annotations: parse_labels(&self.annotations, "annotations")?,
                state,
                value: self.value.unwrap_or(f64::NAN),
                active_since_ms: self.active_since,
                fired_at_ms: self.fired_at,
                resolved_at_ms: self.resolved_at,
                resolved_value: self.resolved_value,
                keep_firing_since_ms: self.keep_firing_since,
            },
        })
    }
}

impl Store {
    /// Saves every transition of one evaluation of `group` in ONE transaction.
    pub fn save_transitions(
        &mut self,
        group: &str,
        events: &[AlertEvent],
    ) -> Result<(), StoreError> {
        self.with_transaction(|transaction| {
            events
                .iter()
                .try_for_each(|event| save_transition(transaction, group, event))
        })
    }

    /// Every stored alert (pending, firing, resolved), by group then fingerprint.
    pub fn load_alert_states(&self) -> Result<Vec<StoredAlert>, StoreError> {
        let mut statement = self.connection.prepare(
            "SELECT group_name, fingerprint, labels, annotations, state, value, active_since,
                    fired_at, resolved_at, resolved_value, keep_firing_since
             FROM alert_state ORDER BY group_name, fingerprint",
        )?;
        let rows = statement.query_map([], read_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row?.into_stored()?);
        }
        Ok(out)
    }
}
