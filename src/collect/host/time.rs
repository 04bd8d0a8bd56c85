//! The `time` collector: `node_time_seconds` and `node_time_zone_offset_seconds{time_zone}`
//! (the local zone's abbreviation and UTC offset from `localtime_r`, as Go's `time.Now().Zone()`).

use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::time::{SystemTime, UNIX_EPOCH};

/// The local time zone abbreviation and offset east of UTC in seconds at `unix_seconds`.
pub fn local_zone(unix_seconds: i64) -> (String, i64) {
    let t: libc::time_t = unix_seconds as libc::time_t;
    // SAFETY: an all-zero `tm` is a valid value; localtime_r writes it and does not keep it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call; localtime_r is the thread-safe variant.
    let result = unsafe { libc::localtime_r(&t, &mut tm) };
    if result.is_null() {
        return ("UTC".to_owned(), 0);
    }
    let zone = if tm.tm_zone.is_null() {
        "UTC".to_owned()
    } else {
        // SAFETY: tm_zone points at a NUL-terminated static string owned by libc.
        unsafe { std::ffi::CStr::from_ptr(tm.tm_zone) }
            .to_string_lossy()
            .into_owned()
    };
    (zone, tm.tm_gmtoff as i64)
}

/// Writes the two time families.
pub fn write_time(now: f64, zone: &str, offset: i64, batch: &mut Batch) {
    batch.gauge(
        "node_time_seconds",
        "System time in seconds since epoch (1970).",
        &[],
        now,
    );
    batch.gauge(
        "node_time_zone_offset_seconds",
        "System time zone offset in seconds.",
        &[("time_zone", zone)],
        offset as f64,
    );
}

/// Exports the system clock.
#[derive(Default)]
pub struct TimeCollector;

impl Collector for TimeCollector {
    fn name(&self) -> &'static str {
        "time"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| CollectError::Other(format!("system clock before 1970: {e}")))?;
        let (zone, offset) = local_zone(now.as_secs() as i64);
        write_time(now.as_secs_f64(), &zone, offset, batch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_time_and_zone() {
        let mut batch = Batch::new();
        write_time(1.5e9, "CET", 3600, &mut batch);
        assert_eq!(batch.families()[0].samples[0].value, 1.5e9);
        let zone = &batch.families()[1].samples[0];
        assert_eq!(zone.labels.get("time_zone"), Some("CET"));
        assert_eq!(zone.value, 3600.0);
    }

    #[test]
    fn local_zone_has_a_name_and_a_plausible_offset() {
        let (zone, offset) = local_zone(1_700_000_000);
        assert!(!zone.is_empty());
        assert!(offset.abs() <= 14 * 3600);
    }
}
