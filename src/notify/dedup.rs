//! The pure dedup decision: given what was last sent for a group and what the group holds now,
//! whether to notify and why (the reason goes into the payload log line and the history).
//!
//! Alertmanager's rules: notify the first time a group has firing alerts; when a firing alert
//! was not in the last notification; when every alert resolved after firing ones were sent;
//! when alerts resolved since the last send (if the receiver wants resolved); else only when
//! `repeat_interval` elapsed. Acknowledged alerts do not count for repeats.

use crate::model::Fingerprint;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, SystemTime};

/// A set of alert fingerprints.
pub type AlertSet = BTreeSet<Fingerprint>;

/// What was last sent to one receiver for one group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRecord {
    /// When the receiver accepted it.
    pub sent_at: Option<SystemTime>,
    /// Alerts that were firing in it.
    pub firing: AlertSet,
    /// Alerts that were resolved in it.
    pub resolved: AlertSet,
}

/// Why a notification was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The group had never been notified.
    FirstNotification,
    /// An alert started firing that the last notification did not include.
    NewAlertsInGroup,
    /// Alerts resolved since the last notification.
    AlertsResolved,
    /// Nothing changed but `repeat_interval` elapsed.
    RepeatIntervalElapsed,
    /// A test notification (`watchpost alerts test`).
    Test,
    /// Firing alerts posted again to Alertmanager every `resend_interval` (not in history).
    Resend,
}

impl Reason {
    /// The snake_case name stored in history.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstNotification => "first_notification",
            Self::NewAlertsInGroup => "new_alerts_in_group",
            Self::AlertsResolved => "alerts_resolved",
            Self::RepeatIntervalElapsed => "repeat_interval_elapsed",
            Self::Test => "test",
            Self::Resend => "resend",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Per-receiver knobs of the decision.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DedupPolicy {
    /// The receiver wants resolved notifications (a resolve of the whole group is always
    /// recorded, so the caller drops resolved alerts from the payload when this is false).
    pub send_resolved: bool,
    /// Acknowledged firing alerts: they never trigger a repeat.
    pub acknowledged: AlertSet,
}

/// Whether to notify now, and why; `None` means nothing worth sending.
pub fn needs_update(
    last_sent: Option<&SentRecord>,
    firing: &AlertSet,
    resolved: &AlertSet,
    repeat_interval: Duration,
    policy: &DedupPolicy,
    now: SystemTime,
) -> Option<Reason> {
    let Some(last) = last_sent else {
        return (!firing.is_empty()).then_some(Reason::FirstNotification);
    };
    if !firing.is_subset(&last.firing) {
        return Some(Reason::NewAlertsInGroup);
    }
    if firing.is_empty() {
        // Alerts that fired and resolved unseen within one interval are not news.
        return (!last.firing.is_empty()).then_some(Reason::AlertsResolved);
    }
    if policy.send_resolved && !resolved.is_subset(&last.resolved) {
        return Some(Reason::AlertsResolved);
    }
    if firing.is_subset(&policy.acknowledged) {
        return None;
    }
    let due = match last.sent_at {
        None => true,
        Some(sent_at) => now
            .duration_since(sent_at)
            .is_ok_and(|age| age >= repeat_interval),
    };
    due.then_some(Reason::RepeatIntervalElapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[u64]) -> AlertSet {
        ids.iter().map(|id| Fingerprint(*id)).collect()
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn record(firing: &[u64], resolved: &[u64], sent: u64) -> SentRecord {
        SentRecord {
            sent_at: Some(at(sent)),
            firing: set(firing),
            resolved: set(resolved),
        }
    }

    /// (last sent, firing, resolved, policy, now secs, expected).
    type Case<'a> = (
        Option<&'a SentRecord>,
        &'a [u64],
        &'a [u64],
        &'a DedupPolicy,
        u64,
        Option<Reason>,
    );

    #[test]
    fn decision_table() {
        let hour = Duration::from_secs(3600);
        let policy = DedupPolicy {
            send_resolved: true,
            acknowledged: set(&[]),
        };
        let acked = DedupPolicy {
            send_resolved: true,
            acknowledged: set(&[1, 2]),
        };
        let quiet = DedupPolicy {
            send_resolved: false,
            acknowledged: set(&[]),
        };
        let old = record(&[1, 2], &[], 0);
        let cases: [Case; 9] = [
            (
                None,
                &[1],
                &[],
                &policy,
                10,
                Some(Reason::FirstNotification),
            ),
            (None, &[], &[1], &policy, 10, None),
            (
                Some(&old),
                &[1, 2, 3],
                &[],
                &policy,
                10,
                Some(Reason::NewAlertsInGroup),
            ),
            (Some(&old), &[1, 2], &[], &policy, 10, None),
            (
                Some(&old),
                &[1],
                &[2],
                &policy,
                10,
                Some(Reason::AlertsResolved),
            ),
            (Some(&old), &[1], &[2], &quiet, 10, None),
            (
                Some(&old),
                &[],
                &[1, 2],
                &quiet,
                10,
                Some(Reason::AlertsResolved),
            ),
            (
                Some(&old),
                &[1, 2],
                &[],
                &policy,
                3600,
                Some(Reason::RepeatIntervalElapsed),
            ),
            (Some(&old), &[1, 2], &[], &acked, 3600, None),
        ];
        for (i, (last, firing, resolved, policy, now, expected)) in cases.into_iter().enumerate() {
            let got = needs_update(last, &set(firing), &set(resolved), hour, policy, at(now));
            assert_eq!(got, expected, "case {i}");
        }
    }

    #[test]
    fn fired_and_resolved_unseen_is_not_news() {
        let empty = record(&[], &[1], 0);
        let policy = DedupPolicy {
            send_resolved: true,
            acknowledged: set(&[]),
        };
        let got = needs_update(
            Some(&empty),
            &set(&[]),
            &set(&[1, 2]),
            Duration::ZERO,
            &policy,
            at(9),
        );
        assert_eq!(got, None);
        assert_eq!(
            Reason::RepeatIntervalElapsed.to_string(),
            "repeat_interval_elapsed"
        );
    }
}
