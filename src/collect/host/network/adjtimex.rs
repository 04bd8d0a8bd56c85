//! The read-only `adjtimex(2)` call behind the `timex` collector, and the fields it returns.

use crate::collect::CollectError;

/// `adjtimex` return value when the clock is not synchronised.
pub(super) const TIME_ERROR: i32 = 5;

/// The fields of `struct timex` that are exported, widened to i64, and the call's return value.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct TimexReading {
    /// The clock state returned by `adjtimex` (TIME_OK, ..., TIME_ERROR).
    pub state: i32,
    /// Time offset (µs, or ns with STA_NANO).
    pub offset: i64,
    /// Frequency offset (scaled ppm).
    pub freq: i64,
    /// Maximum error (µs).
    pub maxerror: i64,
    /// Estimated error (µs).
    pub esterror: i64,
    /// Clock status bits.
    pub status: i64,
    /// PLL time constant.
    pub constant: i64,
    /// Microseconds between clock ticks.
    pub tick: i64,
    /// PPS frequency (scaled ppm).
    pub ppsfreq: i64,
    /// PPS jitter (µs, or ns with STA_NANO).
    pub jitter: i64,
    /// PPS interval duration (log2 seconds).
    pub shift: i64,
    /// PPS stability (scaled ppm).
    pub stabil: i64,
    /// PPS jitter limit exceeded count.
    pub jitcnt: i64,
    /// PPS calibration intervals.
    pub calcnt: i64,
    /// PPS calibration errors.
    pub errcnt: i64,
    /// PPS stability limit exceeded count.
    pub stbcnt: i64,
    /// TAI offset (s).
    pub tai: i64,
}

/// Calls `adjtimex` with `modes = 0`, which only reads the clock state.
///
/// `Ok(None)` when the call is not permitted (e.g. a seccomp profile forbids it).
// `c_long` is i64 here but i32 on 32-bit targets, so the widening `into()`s are not useless.
#[allow(clippy::useless_conversion)]
pub(super) fn read_timex() -> Result<Option<TimexReading>, CollectError> {
    // SAFETY: `timex` is a plain C struct of integers for which all-zero bytes are a valid value.
    let mut raw: libc::timex = unsafe { std::mem::zeroed() };
    raw.modes = 0;
    // SAFETY: `raw` is a valid, exclusively borrowed `timex`; with `modes == 0` the kernel only
    // writes the current state into it and changes nothing.
    let state = unsafe { libc::adjtimex(&mut raw) };
    if state == -1 {
        let error = std::io::Error::last_os_error();
        if error.raw_os_error() == Some(libc::EPERM) {
            return Ok(None);
        }
        return Err(CollectError::Other(format!("adjtimex: {error}")));
    }
    Ok(Some(TimexReading {
        state,
        offset: raw.offset.into(),
        freq: raw.freq.into(),
        maxerror: raw.maxerror.into(),
        esterror: raw.esterror.into(),
        status: raw.status.into(),
        constant: raw.constant.into(),
        tick: raw.tick.into(),
        ppsfreq: raw.ppsfreq.into(),
        jitter: raw.jitter.into(),
        shift: raw.shift.into(),
        stabil: raw.stabil.into(),
        jitcnt: raw.jitcnt.into(),
        calcnt: raw.calcnt.into(),
        errcnt: raw.errcnt.into(),
        stbcnt: raw.stbcnt.into(),
        tai: raw.tai.into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_the_running_kernel_gives_a_plausible_tick() {
        // A sandbox may forbid the call (`None`); a permitted call reports a positive tick.
        if let Some(reading) = read_timex().unwrap() {
            assert!(reading.tick > 0, "{reading:?}");
            assert!((0..=5).contains(&reading.state), "{reading:?}");
        }
    }
}
