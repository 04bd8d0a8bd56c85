//! Log table tests on a temporary database: bounds, filters, order and the error summary.

use super::*;
use crate::store::Store;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("w.db")).unwrap();
    (dir, store)
}

#[test]
fn newest_first_with_filters_and_total() {
    let (_dir, mut store) = store();
    let mut with_metadata = StoredLog::new(3_000, "error", "db", "timeout");
    with_metadata
        .metadata
        .insert("timeout_ms".into(), serde_json::json!(5000));
    let logs = [
        StoredLog::new(1_000, "info", "web", "a"),
        StoredLog::new(2_000, "error", "web", "b"),
        with_metadata.clone(),
        StoredLog::new(4_000, "info", "web", "d"),
    ];
    assert_eq!(store.insert_logs(&logs, 100, 0).unwrap(), 0);
    let all = LogFilter {
        limit: 2,
        ..LogFilter::default()
    };
    let (found, total) = store.query_logs(&all).unwrap();
    assert_eq!(total, 4);
    assert_eq!(
        found.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(),
        ["d", "timeout"]
    );
    assert_eq!(found[1], with_metadata);
    let errors_of_web = LogFilter {
        levels: vec!["error".into()],
        service: Some("web".into()),
        limit: 10,
        ..LogFilter::default()
    };
    let (found, total) = store.query_logs(&errors_of_web).unwrap();
    assert_eq!((found.len(), total, found[0].message.as_str()), (1, 1, "b"));
    let window = LogFilter {
        start_ms: Some(2_000),
        end_ms: Some(3_000),
        limit: 10,
        ..LogFilter::default()
    };
    assert_eq!(store.query_logs(&window).unwrap().1, 2);
}

#[test]
fn max_entries_and_retention_drop_the_oldest() {
    let (_dir, mut store) = store();
    let logs: Vec<StoredLog> = (0..10)
        .map(|i| StoredLog::new(i * 1000, "info", "s", "m"))
        .collect();
    assert_eq!(store.insert_logs(&logs, 6, 0).unwrap(), 4);
    let all = LogFilter {
        limit: 100,
        ..LogFilter::default()
    };
    let (found, total) = store.query_logs(&all).unwrap();
    assert_eq!(total, 6);
    assert_eq!(found.last().map(|l| l.timestamp_ms), Some(4_000));
    // The next batch's retention cut removes what is older than 7 s.
    assert_eq!(
        store
            .insert_logs(&[StoredLog::new(10_000, "info", "s", "m")], 6, 7_000)
            .unwrap(),
        3
    );
    assert_eq!(store.query_logs(&all).unwrap().1, 4);
    assert_eq!(store.delete_logs_before(9_500).unwrap(), 3);
}

#[test]
fn error_summary_counts_services_levels_types_and_top_messages() {
    let (_dir, mut store) = store();
    let mut typed = StoredLog::new(5_000, "error", "db", "connection timeout");
    typed
        .metadata
        .insert("error_type".into(), serde_json::json!("timeout_error"));
    let logs = [
        StoredLog::new(1_000, "error", "web", "old"),
        typed.clone(),
        typed,
        StoredLog::new(6_000, "fatal", "web", "crash"),
        StoredLog::new(7_000, "info", "web", "fine"),
    ];
    store.insert_logs(&logs, 100, 0).unwrap();
    let summary = store.error_summary(2_000, 1).unwrap();
    assert_eq!((summary.total_errors, summary.total_entries), (3, 4));
    assert_eq!(summary.by_service["db"], 2);
    assert_eq!(summary.by_service["web"], 1);
    assert_eq!(summary.by_level["fatal"], 1);
    assert_eq!(summary.by_type["timeout_error"], 2);
    assert_eq!(summary.by_type["unknown_error"], 1);
    assert_eq!(summary.top_messages.len(), 1);
    assert_eq!(summary.top_messages[0].message, "connection timeout");
    assert_eq!(summary.top_messages[0].count, 2);
}
