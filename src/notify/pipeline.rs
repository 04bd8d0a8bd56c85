//! The pure step between a group flush and the outbox: drop muted alerts (silences,
//! inhibition), decide with `dedup::needs_update`, and build the `Message` plus the
//! `SentRecord` to store with it.
//!
//! The record is written in the same store transaction as the outbox row: once a message is in
//! the outbox it will be delivered (or dead-lettered), so the group counts as notified. Resolved
//! alerts the receiver never heard about firing are not sent.

use super::alert::Alert;
use super::dedup::{AlertSet, DedupPolicy, Reason, SentRecord, needs_update};
use super::group::Flush;
use super::inhibit::Inhibitor;
use super::message::Message;
use super::silence::{Silence, is_muted};
use std::time::SystemTime;

/// What muting needs: current silences, the inhibitor and every active alert.
#[derive(Clone, Copy, Debug)]
pub struct Mutes<'a> {
    /// Current silences.
    pub silences: &'a [Silence],
    /// Inhibition rules.
    pub inhibitor: &'a Inhibitor,
    /// Every alert the notifier knows (sources for inhibition).
    pub active: &'a [Alert],
}

/// A message to enqueue and the record to store with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// The notification.
    pub message: Message,
    /// The group's new last-sent record.
    pub record: SentRecord,
}

/// Plans the notification for `flush`; `None` when nothing is worth sending.
pub fn plan(
    id: &str,
    flush: &Flush,
    last_sent: Option<&SentRecord>,
    policy: &DedupPolicy,
    mutes: Mutes<'_>,
    external_url: &str,
    now: SystemTime,
) -> Option<Planned> {
    let told_firing = last_sent.map(|record| &record.firing);
    let kept: Vec<Alert> = flush
        .alerts
        .iter()
        .filter(|alert| match alert.is_firing() {
            true => {
                !is_muted(mutes.silences, alert, now)
                    && !mutes.inhibitor.is_muted(alert, mutes.active)
            }
            false => told_firing.is_some_and(|told| told.contains(&alert.fingerprint)),
        })
        .cloned()
        .collect();
    let firing: AlertSet = kept
        .iter()
        .filter(|a| a.is_firing())
        .map(|a| a.fingerprint)
        .collect();
    let resolved: AlertSet = kept
        .iter()
        .filter(|a| !a.is_firing())
        .map(|a| a.fingerprint)
        .collect();
    let reason: Reason = needs_update(
        last_sent,
        &firing,
        &resolved,
        flush.timing.repeat_interval,
        policy,
        now,
    )?;
    let unmuted = Flush {
        alerts: kept,
        ..flush.clone()
    };
    let message = Message::from_flush(
        id,
        &unmuted,
        reason,
        policy.send_resolved,
        external_url,
        now,
    );
    let record = SentRecord {
        sent_at: Some(now),
        firing,
        resolved,
    };
    Some(Planned { message, record })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::alert::tests::{at, firing, resolved};
    use crate::notify::config::InhibitRuleConfig;
    use crate::notify::group::GroupId;
    use crate::notify::route::Timing;
    use crate::notify::silence::SilenceSpec;

    fn flush(alerts: Vec<Alert>) -> Flush {
        Flush {
            id: GroupId {
                receiver: "ops".into(),
                group_key: "{}:{}".into(),
            },
            group_labels: crate::model::Labels::new(),
            timing: Timing::default(),
            alerts,
        }
    }

    fn policy() -> DedupPolicy {
        DedupPolicy {
            send_resolved: true,
            acknowledged: AlertSet::new(),
        }
    }

    fn no_mutes() -> (Vec<Silence>, Inhibitor) {
        (Vec::new(), Inhibitor::default())
    }

    #[test]
    fn first_then_resolved_then_nothing() {
        let (silences, inhibitor) = no_mutes();
        let alert = firing("DiskFull", "critical", "a", 0);
        let mutes = Mutes {
            silences: &silences,
            inhibitor: &inhibitor,
            active: &[],
        };
        let first = plan(
            "n1",
            &flush(vec![alert.clone()]),
            None,
            &policy(),
            mutes,
            "",
            at(10),
        );
        let first = first.unwrap_or_else(|| panic!("expected a first notification"));
        assert_eq!(first.message.reason, Reason::FirstNotification);
        let gone = flush(vec![resolved(alert, 50)]);
        let second = plan(
            "n2",
            &gone,
            Some(&first.record),
            &policy(),
            mutes,
            "",
            at(70),
        );
        let second = second.unwrap_or_else(|| panic!("expected a resolved notification"));
        assert_eq!(second.message.reason, Reason::AlertsResolved);
        assert_eq!(second.message.alerts[0].resolved_value, Some(12.0));
        assert_eq!(
            plan(
                "n3",
                &gone,
                Some(&second.record),
                &policy(),
                mutes,
                "",
                at(130)
            ),
            None
        );
    }

    #[test]
    fn muted_and_unseen_alerts_are_dropped() {
        let critical = firing("DiskFull", "critical", "a", 0);
        let warning = firing("DiskFull", "warning", "a", 0);
        let rule = InhibitRuleConfig {
            source_matchers: vec!["severity=critical".into()],
            target_matchers: vec!["severity=warning".into()],
            equal: vec!["instance".into()],
        };
        let inhibitor = Inhibitor::compile(&[rule]).unwrap_or_default();
        let spec = SilenceSpec {
            matchers: vec!["instance=b".into()],
            starts_at: at(0),
            ends_at: at(1000),
            created_by: "ana".into(),
            comment: "maintenance".into(),
        };
        let silences = vec![Silence::new("s1", spec).unwrap_or_else(|e| panic!("{e}"))];
        let silenced = firing("DiskFull", "warning", "b", 0);
        let unseen = resolved(firing("Other", "warning", "c", 0), 5);
        let active = [critical.clone(), warning.clone(), silenced.clone()];
        let mutes = Mutes {
            silences: &silences,
            inhibitor: &inhibitor,
            active: &active,
        };
        let group = flush(vec![critical.clone(), warning, silenced, unseen]);
        let planned = plan("n1", &group, None, &policy(), mutes, "", at(10));
        let planned = planned.unwrap_or_else(|| panic!("expected a notification"));
        assert_eq!(planned.message.alerts, vec![critical.clone()]);
        assert_eq!(
            planned.record.firing,
            AlertSet::from([critical.fingerprint])
        );
    }
}
