//! The `time` collector: `node_time_seconds`, `node_time_zone_offset_seconds{time_zone}` (the
//! local zone's abbreviation and UTC offset from `localtime_r`, as Go's `time.Now().Zone()`) and
//! `node_time_clocksource_{available,current}_info{device,clocksource}` from
//! `<sysfs>/devices/system/clocksource/clocksource<N>/` (absent there: no series).

use super::read::{read_file, read_optional};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The clock sources of one `clocksource<N>` directory.
#[derive(Clone, Debug, PartialEq)]
pub struct ClockSources {
    /// N, the `device` label.
    pub device: String,
    /// `available_clocksource`, split on whitespace.
    pub available: Vec<String>,
    /// `current_clocksource`.
    pub current: String,
}

/// Parses the two clocksource files of device `device`.
pub fn parse_clocksources(device: &str, available: &str, current: &str) -> ClockSources {
    ClockSources {
        device: device.to_owned(),
        available: available
            .split_ascii_whitespace()
            .map(str::to_owned)
            .collect(),
        current: current.trim().to_owned(),
    }
}

/// Reads every `clocksource<N>` under `<sysfs>/devices/system/clocksource`.
pub fn read_clocksources(sysfs: &Path) -> Result<Vec<ClockSources>, CollectError> {
    let dir = sysfs.join("devices/system/clocksource");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut devices: Vec<String> = entries
        .filter_map(|e| {
            Some(
                e.ok()?
                    .file_name()
                    .to_str()?
                    .strip_prefix("clocksource")?
                    .to_owned(),
            )
        })
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    devices.sort();
    let mut out = Vec::new();
    for device in devices {
        let base = dir.join(format!("clocksource{device}"));
        let Some(available) = read_optional(&base.join("available_clocksource"))? else {
            continue;
        };
        let current = read_file(&base.join("current_clocksource"))?;
        out.push(parse_clocksources(&device, &available, &current));
    }
    Ok(out)
}

fn write_clocksources(sources: &[ClockSources], batch: &mut Batch) {
    for s in sources {
        for name in &s.available {
            batch.gauge(
                "node_time_clocksource_available_info",
                "Available clocksources read from '/sys/devices/system/clocksource'.",
                &[("device", &s.device), ("clocksource", name)],
                1.0,
            );
        }
        batch.gauge(
            "node_time_clocksource_current_info",
            "Current clocksource read from '/sys/devices/system/clocksource'.",
            &[("device", &s.device), ("clocksource", &s.current)],
            1.0,
        );
    }
}

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
pub struct TimeCollector {
    sysfs: PathBuf,
}

impl TimeCollector {
    /// A collector reading clock sources under `sysfs`.
    pub fn new(sysfs: &Path) -> Self {
        Self {
            sysfs: sysfs.to_path_buf(),
        }
    }
}

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
        write_clocksources(&read_clocksources(&self.sysfs)?, batch);
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
    fn clocksources_become_info_series() {
        let sources = [parse_clocksources("0", "kvm-clock tsc acpi_pm \n", "tsc\n")];
        assert_eq!(sources[0].available, ["kvm-clock", "tsc", "acpi_pm"]);
        let mut batch = Batch::new();
        write_clocksources(&sources, &mut batch);
        assert_eq!(batch.families()[0].samples.len(), 3);
        let current = &batch.families()[1].samples[0].labels;
        assert_eq!(current.get("clocksource"), Some("tsc"));
        assert_eq!(current.get("device"), Some("0"));
    }

    #[test]
    fn local_zone_has_a_name_and_a_plausible_offset() {
        let (zone, offset) = local_zone(1_700_000_000);
        assert!(!zone.is_empty());
        assert!(offset.abs() <= 14 * 3600);
    }
}
