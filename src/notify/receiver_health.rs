//! "A receiver keeps failing": counts consecutive failed delivery attempts per receiver and says
//! when watchpost's own `WatchpostReceiverFailing` alert must be raised (after N failures in a
//! row, or at once on a dead letter) and when it clears (the next accepted delivery). Pure.

use std::collections::BTreeMap;

/// The `alertname` of the built-in alert.
pub const RECEIVER_FAILING_ALERTNAME: &str = "WatchpostReceiverFailing";

/// The default number of consecutive failed attempts before the alert is raised.
pub const DEFAULT_FAILURES: u32 = 3;

/// How one delivery attempt ended, as far as receiver health goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptResult {
    /// The receiver accepted it.
    Delivered,
    /// It failed and will be retried.
    Failed,
    /// It failed for good (dead letter).
    Dead,
}

/// What changed for a receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthChange {
    /// The receiver started failing: raise the alert.
    Raise,
    /// A delivery succeeded after the alert was raised: resolve it.
    Clear,
}

#[derive(Clone, Copy, Debug, Default)]
struct Health {
    consecutive_failures: u32,
    raised: bool,
}

/// Per-receiver health.
#[derive(Clone, Debug)]
pub struct ReceiverHealth {
    after_failures: u32,
    receivers: BTreeMap<String, Health>,
}

impl ReceiverHealth {
    /// Raises after `after_failures` consecutive failures (at least 1).
    pub fn new(after_failures: u32) -> Self {
        Self {
            after_failures: after_failures.max(1),
            receivers: BTreeMap::new(),
        }
    }

    /// Records one attempt's result for `receiver`; the change, if any.
    pub fn record(&mut self, receiver: &str, result: AttemptResult) -> Option<HealthChange> {
        let health = self.receivers.entry(receiver.to_owned()).or_default();
        match result {
            AttemptResult::Delivered => {
                health.consecutive_failures = 0;
                let was_raised = std::mem::take(&mut health.raised);
                was_raised.then_some(HealthChange::Clear)
            }
            AttemptResult::Failed | AttemptResult::Dead => {
                health.consecutive_failures = health.consecutive_failures.saturating_add(1);
                let due = result == AttemptResult::Dead
                    || health.consecutive_failures >= self.after_failures;
                if due && !health.raised {
                    health.raised = true;
                    return Some(HealthChange::Raise);
                }
                None
            }
        }
    }

    /// Changes the threshold (a reload), keeping the counts.
    pub fn set_after_failures(&mut self, after_failures: u32) {
        self.after_failures = after_failures.max(1);
    }

    /// True while `receiver`'s alert is raised.
    pub fn is_failing(&self, receiver: &str) -> bool {
        self.receivers.get(receiver).is_some_and(|h| h.raised)
    }
}

#[cfg(test)]
mod tests {
    use super::AttemptResult::{Dead, Delivered, Failed};
    use super::*;

    #[test]
    fn raises_after_n_failures_in_a_row_once_and_clears_on_success() {
        let mut health = ReceiverHealth::new(3);
        assert_eq!(health.record("hook", Failed), None);
        assert_eq!(health.record("hook", Delivered), None);
        assert_eq!(health.record("hook", Failed), None);
        assert_eq!(health.record("hook", Failed), None);
        assert_eq!(health.record("hook", Failed), Some(HealthChange::Raise));
        assert!(health.is_failing("hook"));
        assert_eq!(health.record("hook", Failed), None);
        assert_eq!(health.record("other", Delivered), None);
        assert_eq!(health.record("hook", Delivered), Some(HealthChange::Clear));
        assert!(!health.is_failing("hook"));
        assert_eq!(health.record("hook", Delivered), None);
    }

    #[test]
    fn a_dead_letter_raises_at_once() {
        let mut health = ReceiverHealth::new(10);
        assert_eq!(health.record("mail", Dead), Some(HealthChange::Raise));
        assert_eq!(health.record("mail", Dead), None);
        assert_eq!(
            ReceiverHealth::new(0).record("x", Failed),
            Some(HealthChange::Raise)
        );
    }
}
