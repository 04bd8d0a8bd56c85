//! Re-sending firing alerts to Alertmanager, as Prometheus's notifier does: every
//! `resend_interval` (default 1m) each firing alert already notified to an `alertmanager`
//! receiver is posted again with `endsAt = now + 4 × max(resend_interval, evaluation
//! interval)`, so Alertmanager does not resolve a long-firing alert by itself; a resolved
//! alert is sent once, through the outbox, with its real `endsAt`.
//!
//! Pure: the timer and the validity window take `now` and intervals as parameters.

use super::alert::later;
use std::time::{Duration, SystemTime};

/// Prometheus's default `--rules.alert.resend-delay`.
pub const DEFAULT_RESEND_INTERVAL: Duration = Duration::from_secs(60);

/// How many resend (or evaluation) intervals a firing alert stays valid in Alertmanager.
pub const VALID_FOR_INTERVALS: u32 = 4;

/// `4 × max(resend_interval, evaluation_interval)`: how long after a post Alertmanager keeps a
/// firing alert active without hearing from watchpost again.
pub fn valid_for(resend_interval: Duration, evaluation_interval: Duration) -> Duration {
    resend_interval
        .max(evaluation_interval)
        .saturating_mul(VALID_FOR_INTERVALS)
}

/// When the next resend of one receiver is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResendTimer {
    interval: Duration,
    next_at: SystemTime,
}

impl ResendTimer {
    /// A timer whose first resend is one `interval` after `now` (a zero interval counts as the
    /// default, so a resend loop can never spin).
    pub fn new(interval: Duration, now: SystemTime) -> Self {
        let interval = if interval.is_zero() {
            DEFAULT_RESEND_INTERVAL
        } else {
            interval
        };
        Self {
            interval,
            next_at: later(now, interval),
        }
    }

    /// When the next resend is due.
    pub fn next_at(&self) -> SystemTime {
        self.next_at
    }

    /// True when a resend is due at `now`; then the next one is planned one interval after
    /// `now` (a late wake-up does not cause a burst of catch-up resends).
    pub fn take_due(&mut self, now: SystemTime) -> bool {
        if now < self.next_at {
            return false;
        }
        self.next_at = later(now, self.interval);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn valid_for_is_four_times_the_longer_interval() {
        let minute = Duration::from_secs(60);
        assert_eq!(
            valid_for(minute, Duration::from_secs(15)),
            Duration::from_secs(240)
        );
        assert_eq!(
            valid_for(minute, Duration::from_secs(120)),
            Duration::from_secs(480)
        );
        assert_eq!(
            valid_for(Duration::from_secs(1), Duration::ZERO),
            Duration::from_secs(4)
        );
    }

    #[test]
    fn resends_every_interval_without_catch_up_bursts() {
        let mut timer = ResendTimer::new(Duration::from_secs(60), at(1000));
        assert_eq!(timer.next_at(), at(1060));
        assert!(!timer.take_due(at(1059)));
        assert!(timer.take_due(at(1060)));
        assert!(!timer.take_due(at(1060)));
        assert_eq!(timer.next_at(), at(1120));
        // Woken five minutes late: one resend, the next a full interval later.
        assert!(timer.take_due(at(1420)));
        assert!(!timer.take_due(at(1421)));
        assert_eq!(timer.next_at(), at(1480));
    }

    #[test]
    fn a_zero_interval_falls_back_to_the_default() {
        let timer = ResendTimer::new(Duration::ZERO, at(0));
        assert_eq!(timer.next_at(), at(60));
    }
}
