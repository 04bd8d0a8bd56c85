//! The `timex` collector: the kernel clock discipline state from a read-only `adjtimex(2)` call,
//! as node_exporter's `node_timex_*` series (same names, HELP texts and scaling).

use super::adjtimex::{TIME_ERROR, TimexReading, read_timex};
use crate::collect::{CollectError, Collector};
use crate::metrics::{Batch, MetricType};

/// `status` bit: offsets and jitter are in nanoseconds rather than microseconds (STA_NANO).
const STA_NANO: i64 = 0x2000;
/// Scale of `freq`, `ppsfreq` and `stabil`: parts per million with a 16-bit fraction.
const PPM16FRAC: f64 = 1_000_000.0 * 65536.0;
/// Microseconds per second.
const MICROS: f64 = 1e6;
/// An |offset| beyond this many seconds is a kernel overflow artefact (node_exporter #3764).
const OFFSET_OVERFLOW_SECONDS: f64 = 4.0;

/// Offsets and jitter are in nanoseconds with STA_NANO, else microseconds.
fn offset_divisor(t: &TimexReading) -> f64 {
    if t.status & STA_NANO != 0 {
        1e9
    } else {
        MICROS
    }
}

/// One exported series: name, HELP, type, value.
type TimexSeries = (&'static str, &'static str, MetricType, f64);

/// The `node_timex_*` series of one reading, in node_exporter's order.
pub(super) fn timex_series(t: &TimexReading, overflow_count: u64) -> Vec<TimexSeries> {
    use MetricType::{Counter, Gauge};
    let divisor = offset_divisor(t);
    let synced = if t.state == TIME_ERROR { 0.0 } else { 1.0 };
    vec![
        (
            "node_timex_sync_status",
            "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
            Gauge,
            synced,
        ),
        (
            "node_timex_offset_seconds",
            "Time offset in between local system and reference clock.",
            Gauge,
            t.offset as f64 / divisor,
        ),
        (
            "node_timex_offset_overflow_total",
            "Count of adjtimex() offset readings indicating kernel overflow (|offset| > 4s). See https://github.com/prometheus/node_exporter/issues/3764",
            Counter,
            overflow_count as f64,
        ),
        (
            "node_timex_frequency_adjustment_ratio",
            "Local clock frequency adjustment.",
            Gauge,
            1.0 + t.freq as f64 / PPM16FRAC,
        ),
        (
            "node_timex_maxerror_seconds",
            "Maximum error in seconds.",
            Gauge,
            t.maxerror as f64 / MICROS,
        ),
        (
            "node_timex_estimated_error_seconds",
            "Estimated error in seconds.",
            Gauge,
            t.esterror as f64 / MICROS,
        ),
        (
            "node_timex_status",
            "Value of the status array bits.",
            Gauge,
            t.status as f64,
        ),
        (
            "node_timex_loop_time_constant",
            "Phase-locked loop time constant.",
            Gauge,
            t.constant as f64,
        ),
        (
            "node_timex_tick_seconds",
            "Seconds between clock ticks.",
            Gauge,
            t.tick as f64 / MICROS,
        ),
        (
            "node_timex_pps_frequency_hertz",
            "Pulse per second frequency.",
            Gauge,
            t.ppsfreq as f64 / PPM16FRAC,
        ),
        (
            "node_timex_pps_jitter_seconds",
            "Pulse per second jitter.",
            Gauge,
            t.jitter as f64 / divisor,
        ),
        (
            "node_timex_pps_shift_seconds",
            "Pulse per second interval duration.",
            Gauge,
            t.shift as f64,
        ),
        (
            "node_timex_pps_stability_hertz",
            "Pulse per second stability, average of recent frequency changes.",
            Gauge,
            t.stabil as f64 / PPM16FRAC,
        ),
        (
            "node_timex_pps_jitter_total",
            "Pulse per second count of jitter limit exceeded events.",
            Counter,
            t.jitcnt as f64,
        ),
        (
            "node_timex_pps_calibration_total",
            "Pulse per second count of calibration intervals.",
            Counter,
            t.calcnt as f64,
        ),
        (
            "node_timex_pps_error_total",
            "Pulse per second count of calibration errors.",
            Counter,
            t.errcnt as f64,
        ),
        (
            "node_timex_pps_stability_exceeded_total",
            "Pulse per second count of stability limit exceeded events.",
            Counter,
            t.stbcnt as f64,
        ),
        (
            "node_timex_tai_offset_seconds",
            "International Atomic Time (TAI) offset.",
            Gauge,
            t.tai as f64,
        ),
    ]
}

/// Whether a reading's offset looks like the kernel overflow artefact.
fn offset_overflowed(t: &TimexReading) -> bool {
    let divisor = offset_divisor(t);
    (t.offset as f64 / divisor).abs() > OFFSET_OVERFLOW_SECONDS
}

/// Reads the clock state each run; counts offset overflow readings across runs.
#[derive(Default)]
pub struct TimexCollector {
    overflow_count: u64,
}

impl TimexCollector {
    /// A collector with a zero overflow count.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Collector for TimexCollector {
    fn name(&self) -> &'static str {
        "timex"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let Some(reading) = read_timex()? else {
            return Ok(());
        };
        if offset_overflowed(&reading) {
            self.overflow_count += 1;
        }
        for (name, help, kind, value) in timex_series(&reading, self.overflow_count) {
            batch
                .family(name, help, kind)
                .push(Default::default(), value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The development machine's clock: unsynchronised (status 0x40 = STA_UNSYNC), 16 s errors.
    fn unsynced() -> TimexReading {
        TimexReading {
            state: TIME_ERROR,
            maxerror: 16_000_000,
            esterror: 16_000_000,
            status: 0x40,
            constant: 2,
            tick: 10_000,
            ..TimexReading::default()
        }
    }

    fn value(series: &[TimexSeries], name: &str) -> f64 {
        series
            .iter()
            .find(|s| s.0 == name)
            .map(|s| s.3)
            .unwrap_or(f64::NAN)
    }

    #[test]
    fn scales_like_node_exporter() {
        let series = timex_series(&unsynced(), 0);
        assert_eq!(series.len(), 18);
        assert_eq!(value(&series, "node_timex_sync_status"), 0.0);
        assert_eq!(value(&series, "node_timex_maxerror_seconds"), 16.0);
        assert_eq!(value(&series, "node_timex_tick_seconds"), 0.01);
        assert_eq!(value(&series, "node_timex_frequency_adjustment_ratio"), 1.0);
        assert_eq!(value(&series, "node_timex_status"), 64.0);
    }

    #[test]
    fn nanosecond_mode_changes_the_offset_divisor() {
        let reading = TimexReading {
            state: 0,
            offset: 1_500_000,
            status: STA_NANO,
            freq: 65536 * 10,
            ..TimexReading::default()
        };
        let series = timex_series(&reading, 0);
        assert_eq!(value(&series, "node_timex_sync_status"), 1.0);
        assert_eq!(value(&series, "node_timex_offset_seconds"), 0.0015);
        assert!((value(&series, "node_timex_frequency_adjustment_ratio") - 1.00001).abs() < 1e-12);
        let micro = TimexReading {
            status: 0,
            ..reading
        };
        assert_eq!(
            value(&timex_series(&micro, 0), "node_timex_offset_seconds"),
            1.5
        );
    }

    #[test]
    fn large_offsets_count_as_overflow() {
        let mut reading = unsynced();
        assert!(!offset_overflowed(&reading));
        reading.offset = 5_000_000;
        assert!(offset_overflowed(&reading));
    }
}
