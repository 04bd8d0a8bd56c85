//! History tests: minute rows roll up into hour and day rows, queries filter, retention cuts.

use super::*;
use crate::store::Store;

fn stats(requests: u64, errors: u64, ms: f64) -> PeriodStats {
    let mut stats = PeriodStats::default();
    for i in 0..requests {
        stats.record_request(if i < errors { 500 } else { 200 }, ms);
    }
    stats
}

fn one(service: &str, stats: PeriodStats) -> BTreeMap<String, PeriodStats> {
    BTreeMap::from([(service.to_owned(), stats)])
}

fn host(cpu: f64, mem: f64) -> HostUsage {
    HostUsage {
        cpu_percent_sum: cpu,
        cpu_samples: 1,
        mem_percent_sum: mem,
        mem_samples: 1,
    }
}

#[test]
fn alignment_and_names() {
    assert_eq!(Resolution::Hour.align(7_265), 7_200);
    assert_eq!(Resolution::Day.align(86_400 * 3 + 5), 86_400 * 3);
    assert_eq!(Resolution::parse("hour"), Some(Resolution::Hour));
    assert_eq!(Resolution::parse("week"), None);
    assert_eq!(Resolution::Day.finer(), Some(Resolution::Hour));
}

#[test]
fn minutes_roll_up_into_hours_and_days() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.db")).unwrap();
    let day = 86_400 * 100;
    store
        .save_minute(day, &one("web", stats(90, 0, 10.0)), &host(10.0, 50.0))
        .unwrap();
    store
        .save_minute(
            day + 60,
            &one("web", stats(10, 10, 1000.0)),
            &host(30.0, 70.0),
        )
        .unwrap();
    store
        .save_minute(
            day + 3_600,
            &one("api", stats(5, 1, 2.0)),
            &HostUsage::default(),
        )
        .unwrap();
    // Saving a minute again replaces it (idempotent rebuilds).
    store
        .save_minute(
            day + 60,
            &one("web", stats(10, 10, 1000.0)),
            &host(30.0, 70.0),
        )
        .unwrap();

    let minutes = store
        .service_history(Resolution::Minute, day, day + 86_400, None)
        .unwrap();
    assert_eq!(minutes.len(), 3);
    let hours = store
        .service_history(Resolution::Hour, day, day + 86_400, Some("web"))
        .unwrap();
    assert_eq!(hours.len(), 1);
    let web = &hours[0].stats;
    assert_eq!(
        (hours[0].start, web.requests, web.server_errors),
        (day, 100, 10)
    );
    assert_eq!(web.mean_ms(), Some(109.0));
    assert_eq!(web.quantile_ms(1.0), Some(1000.0));
    assert!((web.quantile_ms(0.5).unwrap() - 10.0).abs() < 0.1);
    let days = store
        .service_history(Resolution::Day, day, day + 86_400, None)
        .unwrap();
    assert_eq!(days.len(), 2, "api and web");
    assert_eq!(days[0].service, "api");
    assert_eq!(days[1].stats.requests, 100);
    let host_days = store
        .host_history(Resolution::Day, day, day + 86_400)
        .unwrap();
    assert_eq!(host_days.len(), 1);
    assert_eq!(host_days[0].1.cpu_percent(), Some(20.0));
    assert_eq!(host_days[0].1.memory_percent(), Some(60.0));
}

#[test]
fn retention_deletes_by_resolution_and_age() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.db")).unwrap();
    for minute in 0..3 {
        store
            .save_minute(minute * 60, &one("web", stats(1, 0, 1.0)), &host(1.0, 1.0))
            .unwrap();
    }
    // Two service rows and two host rows start before 120 s.
    assert_eq!(
        store
            .delete_history_before(Resolution::Minute, 120)
            .unwrap(),
        4
    );
    assert_eq!(
        store
            .service_history(Resolution::Minute, 0, 600, None)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .service_history(Resolution::Hour, 0, 600, None)
            .unwrap()[0]
            .stats
            .requests,
        3
    );
    assert_eq!(store.delete_history_before(Resolution::Hour, 1).unwrap(), 2);
}
