//! Store tests on a temporary database, including reopening it (a restart).

use super::*;
use crate::model::Labels;
use crate::rules::state::{ActiveSeries, AlertState, AlertStates};
use std::time::Duration;

fn series(instance: &str) -> ActiveSeries {
    let labels = Labels::from_pairs([("alertname", "Down"), ("instance", instance)]);
    ActiveSeries {
        fingerprint: labels.fingerprint(),
        annotations: Labels::from_pairs([("summary", format!("{instance} is down"))]),
        labels,
        value: 0.0,
    }
}

#[test]
fn open_creates_directory_and_uses_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/sub/watchpost.db");
    let store = Store::open(&path).unwrap();
    let mode: String = store
        .connection
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = store
        .connection
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "FULL");
    assert!(path.exists());
}

#[test]
fn firing_and_pending_alerts_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let mut states = AlertStates::new(Duration::from_secs(60), Duration::ZERO);
    {
        let mut store = Store::open(&path).unwrap();
        store
            .save_transitions("g", &states.step(1_000, vec![series("a")]))
            .unwrap();
        let events = states.step(61_000, vec![series("a"), series("b")]);
        store.save_transitions("g", &events).unwrap();
    }
    let store = Store::open(&path).unwrap();
    let stored = store.load_alert_states().unwrap();
    assert_eq!(stored.len(), 2);
    let a = stored
        .iter()
        .find(|s| s.alert.labels.get("instance") == Some("a"))
        .unwrap();
    assert_eq!(a.group, "g");
    assert_eq!(a.alert.state, AlertState::Firing);
    assert_eq!(a.alert.fired_at_ms, Some(61_000));
    assert_eq!(a.alert.active_since_ms, 1_000);
    assert_eq!(a.alert.annotations.get("summary"), Some("a is down"));
    let b = stored
        .iter()
        .find(|s| s.alert.labels.get("instance") == Some("b"))
        .unwrap();
    assert_eq!(
        (b.alert.state, b.alert.active_since_ms),
        (AlertState::Pending, 61_000)
    );
    // Restored, the firing alert does not fire again.
    let mut restored = AlertStates::new(Duration::from_secs(60), Duration::ZERO);
    restored.restore(stored.into_iter().map(|s| s.alert));
    let events = restored.step(121_000, vec![series("a"), series("b")]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].alert.labels.get("instance"), Some("b"));
}

#[test]
fn inactive_deletes_and_resolved_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.db")).unwrap();
    let mut pending = AlertStates::new(Duration::from_secs(60), Duration::ZERO);
    store
        .save_transitions("g", &pending.step(0, vec![series("p")]))
        .unwrap();
    store
        .save_transitions("g", &pending.step(1, vec![]))
        .unwrap();
    let mut firing = AlertStates::new(Duration::ZERO, Duration::ZERO);
    store
        .save_transitions("h", &firing.step(0, vec![series("f")]))
        .unwrap();
    store
        .save_transitions("h", &firing.step(5, vec![]))
        .unwrap();
    let stored = store.load_alert_states().unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].alert.state, AlertState::Resolved);
    let fingerprint = stored[0].alert.fingerprint;
    store
        .with_transaction(|tx| delete_alert(tx, "h", fingerprint))
        .unwrap();
    assert!(store.load_alert_states().unwrap().is_empty());
    assert_eq!(stored[0].alert.resolved_at_ms, Some(5));
    assert_eq!(stored[0].alert.resolved_value, Some(0.0));
}

#[test]
fn a_failed_transaction_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.db")).unwrap();
    let mut states = AlertStates::new(Duration::ZERO, Duration::ZERO);
    let events = states.step(0, vec![series("a")]);
    let result: Result<(), StoreError> = store.with_transaction(|tx| {
        save_transition(tx, "g", &events[0])?;
        tx.execute("INSERT INTO no_such_table VALUES (1)", [])?;
        Ok(())
    });
    assert!(result.is_err());
    assert!(store.load_alert_states().unwrap().is_empty());
}
