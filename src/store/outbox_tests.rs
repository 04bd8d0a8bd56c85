use super::*;
use crate::model::{Fingerprint, Labels};
use crate::notify::dedup::{AlertSet, Reason};
use crate::notify::group::GroupId;

fn message(id: &str, created_secs: u64) -> Message {
    Message {
        id: id.to_owned(),
        receiver: "log".to_owned(),
        group_key: "{}:{alertname=\"DiskFull\"}".to_owned(),
        group_labels: Labels::from_pairs([("alertname", "DiskFull")]),
        reason: Reason::FirstNotification,
        alerts: Vec::new(),
        external_url: String::new(),
        created_at: UNIX_EPOCH + Duration::from_secs(created_secs),
    }
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn pending_rows_survive_a_reopen_and_delivered_rows_are_not_due_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("watchpost.db");
    let group = GroupId {
        receiver: "log".into(),
        group_key: "g".into(),
    };
    let record = SentRecord {
        sent_at: Some(at(10)),
        firing: AlertSet::from([Fingerprint(7)]),
        resolved: AlertSet::new(),
    };
    {
        let mut store = Store::open(&path).unwrap();
        store
            .with_transaction(|tx| {
                enqueue(tx, &message("m1", 10), "log")?;
                enqueue(tx, &message("m2", 20), "log")?;
                save_sent_record(tx, &group, &record)
            })
            .unwrap();
        store
            .finish_attempt("m1:log", OutboxState::Delivered, 1, at(10), None, at(11))
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let due = store.due_outbox(at(100)).unwrap();
    assert_eq!(
        due.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["m2:log"]
    );
    assert_eq!(due[0].message, message("m2", 20));
    assert_eq!(store.outbox_pending().unwrap(), 1);
    assert_eq!(store.load_sent_records().unwrap(), vec![(group, record)]);
    let history = store.notification_history(&HistoryFilter {
        limit: 10,
        ..HistoryFilter::default()
    });
    let states: Vec<_> = history.unwrap().iter().map(|e| e.state).collect();
    assert_eq!(states, [OutboxState::Pending, OutboxState::Delivered]);
}

#[test]
fn retries_wait_for_their_time_and_dead_rows_stop() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.db")).unwrap();
    store
        .with_transaction(|tx| enqueue(tx, &message("m1", 10), "log"))
        .unwrap();
    store
        .finish_attempt(
            "m1:log",
            OutboxState::Pending,
            1,
            at(50),
            Some("500"),
            at(11),
        )
        .unwrap();
    assert!(store.due_outbox(at(49)).unwrap().is_empty());
    assert_eq!(store.next_outbox_attempt().unwrap(), Some(at(50)));
    let due = store.due_outbox(at(50)).unwrap();
    assert_eq!(
        (due[0].attempts, due[0].last_error.as_deref()),
        (1, Some("500"))
    );
    store
        .finish_attempt(
            "m1:log",
            OutboxState::Dead,
            2,
            at(50),
            Some("gave up"),
            at(50),
        )
        .unwrap();
    assert!(store.due_outbox(at(1000)).unwrap().is_empty());
    assert_eq!(store.next_outbox_attempt().unwrap(), None);
    let filter = HistoryFilter {
        receiver: Some("other".into()),
        limit: 10,
        ..HistoryFilter::default()
    };
    assert!(store.notification_history(&filter).unwrap().is_empty());
}
