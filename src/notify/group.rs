//! Aggregation groups and their scheduler, a pure state machine over `now`.
//!
//! A group is keyed by receiver, route and the values of the route's `group_by` labels. A new
//! group flushes `group_wait` after its first alert (at once if that alert is already older than
//! `group_wait`, as after a restart), then every `group_interval`. A flush hands out a snapshot
//! of the group; resolved alerts leave the group with it, and a group left empty is removed.
//! Nothing here reads the clock or sleeps: the app sleeps until `next_deadline()`.

use super::alert::{Alert, later};
use super::route::{Destination, Timing};
use crate::model::{Fingerprint, Labels};
use std::collections::BTreeMap;
use std::time::SystemTime;

/// A group's identity: Alertmanager's group key `ROUTE:{labels}` and the receiver.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupId {
    /// The receiver name.
    pub receiver: String,
    /// `route_key:{group labels}`, the webhook `groupKey`.
    pub group_key: String,
}

/// A group's alerts handed out for dedup and delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct Flush {
    /// Which group.
    pub id: GroupId,
    /// The group labels (`groupLabels`).
    pub group_labels: Labels,
    /// The route's timers (the dedup decision needs `repeat_interval`).
    pub timing: Timing,
    /// Every alert of the group, firing and resolved, in fingerprint order.
    pub alerts: Vec<Alert>,
}

#[derive(Clone, Debug)]
struct Group {
    group_labels: Labels,
    timing: Timing,
    alerts: BTreeMap<Fingerprint, Alert>,
    next_flush: SystemTime,
}

/// Every aggregation group and when each flushes next.
#[derive(Clone, Debug, Default)]
pub struct GroupScheduler {
    groups: BTreeMap<GroupId, Group>,
}

impl GroupScheduler {
    /// No groups.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or updates `alert` in the group of `destination`, creating it if needed.
    pub fn insert(&mut self, destination: &Destination, alert: Alert, now: SystemTime) -> GroupId {
        let group_labels = destination.group_by.group_labels(&alert.labels);
        let id = GroupId {
            receiver: destination.receiver.clone(),
            group_key: format!("{}:{group_labels}", destination.route_key),
        };
        let group = self.groups.entry(id.clone()).or_insert_with(|| {
            let waited_enough = later(alert.starts_at, destination.timing.group_wait) <= now;
            Group {
                group_labels,
                timing: destination.timing,
                alerts: BTreeMap::new(),
                next_flush: if waited_enough {
                    now
                } else {
                    later(now, destination.timing.group_wait)
                },
            }
        });
        group.alerts.insert(alert.fingerprint, alert);
        id
    }

    /// The earliest time any group wants to flush.
    pub fn next_deadline(&self) -> Option<SystemTime> {
        self.groups.values().map(|g| g.next_flush).min()
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// True when there are no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Snapshots every group due at `now`, reschedules it `group_interval` later, drops its
    /// resolved alerts, and removes groups left empty.
    pub fn due(&mut self, now: SystemTime) -> Vec<Flush> {
        let mut flushes = Vec::new();
        for (id, group) in &mut self.groups {
            if group.next_flush > now {
                continue;
            }
            flushes.push(Flush {
                id: id.clone(),
                group_labels: group.group_labels.clone(),
                timing: group.timing,
                alerts: group.alerts.values().cloned().collect(),
            });
            group.alerts.retain(|_, alert| alert.is_firing());
            group.next_flush = later(now, group.timing.group_interval);
        }
        self.groups.retain(|_, group| !group.alerts.is_empty());
        flushes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::alert::tests::{at, firing, resolved};
    use crate::notify::route::GroupBy;
    use std::time::Duration;

    fn destination() -> Destination {
        Destination {
            route_key: "{}".to_owned(),
            receiver: "ops".to_owned(),
            group_by: GroupBy::Labels(vec!["alertname".to_owned()]),
            timing: Timing {
                group_wait: Duration::from_secs(10),
                group_interval: Duration::from_secs(60),
                repeat_interval: Duration::from_secs(3600),
            },
        }
    }

    #[test]
    fn waits_then_flushes_every_interval() {
        let mut scheduler = GroupScheduler::new();
        let id = scheduler.insert(
            &destination(),
            firing("HighCpu", "warning", "a", 100),
            at(100),
        );
        assert_eq!(id.group_key, r#"{}:{alertname="HighCpu"}"#);
        scheduler.insert(
            &destination(),
            firing("HighCpu", "warning", "b", 105),
            at(105),
        );
        assert_eq!(scheduler.next_deadline(), Some(at(110)));
        assert!(scheduler.due(at(109)).is_empty());
        let flushes = scheduler.due(at(110));
        assert_eq!(flushes.len(), 1);
        assert_eq!(flushes[0].alerts.len(), 2);
        assert_eq!(scheduler.next_deadline(), Some(at(170)));
        assert!(scheduler.due(at(169)).is_empty());
        assert_eq!(scheduler.due(at(170)).len(), 1);
    }

    #[test]
    fn resolved_alerts_leave_with_the_flush_and_empty_groups_go() {
        let mut scheduler = GroupScheduler::new();
        let alert = firing("Disk", "critical", "a", 0);
        scheduler.insert(&destination(), alert.clone(), at(0));
        scheduler.due(at(10));
        scheduler.insert(&destination(), resolved(alert, 30), at(30));
        let flushes = scheduler.due(at(70));
        assert_eq!(flushes[0].alerts[0].resolved_value, Some(12.0));
        assert!(scheduler.is_empty());
        assert_eq!(scheduler.next_deadline(), None);
    }

    #[test]
    fn old_alert_in_new_group_flushes_at_once() {
        let mut scheduler = GroupScheduler::new();
        scheduler.insert(&destination(), firing("Old", "warning", "a", 0), at(500));
        assert_eq!(scheduler.due(at(500)).len(), 1);
        let other = firing("Other", "warning", "a", 500);
        scheduler.insert(&destination(), other, at(500));
        assert_eq!(scheduler.len(), 2);
    }
}
