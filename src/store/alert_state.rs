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
pub fn save_transition(transaction: &Transaction<'_>, group: &str, event: &AlertEvent) -> Result<(), StoreError> {
    let alert = &event.alert;
    let fingerprint = alert.fingerprint.to_string();
    if matches!(event.kind, EventKind::Inactive | EventKind::Forgotten) {
        transaction.execute(
            "DELETE FROM alert_state WHERE group_name = ?1 AND fingerprint = ?2",
            params![group, fingerprint],
        )?;
        return Ok(());
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

/// SQLite stores NaN as NULL; keep that explicit.
fn finite(value: f64) -> Option<f64> {
    (!value.is_nan()).then_some(value)
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<(String, String, String, String, String, Option<f64>, i64, Option<i64>, Option<i64>, Option<f64>, Option<i64>)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
        row.get(9)?,
        row.get(10)?,
    ))
}

impl Store {
    /// Saves every transition of one evaluation of `group` in ONE transaction.
    pub fn save_transitions(&mut self, group: &str, events: &[AlertEvent]) -> Result<(), StoreError> {
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
            let (group, fingerprint, labels, annotations, state, value, active_since, fired_at, resolved_at, resolved_value, keep_firing_since) = row?;
            let fingerprint = u64::from_str_radix(&fingerprint, 16)
                .map_err(|_| StoreError::Corrupt(format!("fingerprint {fingerprint:?}")))?;
            let state = AlertState::parse(&state).ok_or_else(|| StoreError::Corrupt(format!("state {state:?}")))?;
            let parse = |text: &str, column| serde_json::from_str::<Labels>(text).map_err(|source| StoreError::Json { column, source });
            out.push(StoredAlert {
                group,
                alert: AlertInstance {
                    fingerprint: Fingerprint(fingerprint),
                    labels: parse(&labels, "labels")?,
                    annotations: parse(&annotations, "annotations")?,
                    state,
                    value: value.unwrap_or(f64::NAN),
                    active_since_ms: active_since,
                    fired_at_ms: fired_at,
                    resolved_at_ms: resolved_at,
                    resolved_value,
                    keep_firing_since_ms: keep_firing_since,
                },
            });
        }
        Ok(out)
    }
}
