//! `Message`: one notification for one receiver, built from a group flush and a dedup reason.
//!
//! It is what the outbox stores and what every `Notifier` renders into its own payload; it
//! carries everything the payloads need (status, group and common labels, alerts, links).

use super::alert::{Alert, AlertStatus};
use super::dedup::Reason;
use super::group::Flush;
use crate::model::Labels;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::SystemTime;

/// One notification to one receiver.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The outbox id; also seeds retry jitter.
    pub id: String,
    /// The receiver name.
    pub receiver: String,
    /// The group key (`route:{labels}`).
    pub group_key: String,
    /// The group labels.
    pub group_labels: Labels,
    /// Why it is sent.
    pub reason: Reason,
    /// The alerts, firing first, then resolved.
    pub alerts: Vec<Alert>,
    /// watchpost's external URL (links).
    pub external_url: String,
    /// When it was created (entered the outbox).
    pub created_at: SystemTime,
}

impl Message {
    /// Builds the message for a flush; drops resolved alerts when `send_resolved` is off.
    pub fn from_flush(
        id: impl Into<String>,
        flush: &Flush,
        reason: Reason,
        send_resolved: bool,
        external_url: &str,
        now: SystemTime,
    ) -> Self {
        let mut alerts: Vec<Alert> = flush
            .alerts
            .iter()
            .filter(|alert| send_resolved || alert.is_firing())
            .cloned()
            .collect();
        alerts.sort_by_key(|alert| !alert.is_firing());
        Self {
            id: id.into(),
            receiver: flush.id.receiver.clone(),
            group_key: flush.id.group_key.clone(),
            group_labels: flush.group_labels.clone(),
            reason,
            alerts,
            external_url: external_url.to_owned(),
            created_at: now,
        }
    }

    /// True when there is nothing to send (everything resolved, receiver skips resolved).
    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }

    /// `firing` if any alert fires, else `resolved`.
    pub fn status(&self) -> AlertStatus {
        if self.alerts.iter().any(Alert::is_firing) {
            AlertStatus::Firing
        } else {
            AlertStatus::Resolved
        }
    }

    /// The firing alerts.
    pub fn firing(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().filter(|a| a.is_firing())
    }

    /// The resolved alerts.
    pub fn resolved(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().filter(|a| !a.is_firing())
    }

    /// Labels with the same value on every alert.
    pub fn common_labels(&self) -> Labels {
        let maps: Vec<BTreeMap<String, String>> = self
            .alerts
            .iter()
            .map(|a| a.labels.clone().into())
            .collect();
        Labels::from(common_pairs(&maps))
    }

    /// Annotations with the same value on every alert.
    pub fn common_annotations(&self) -> BTreeMap<String, String> {
        let maps: Vec<BTreeMap<String, String>> =
            self.alerts.iter().map(|a| a.annotations.clone()).collect();
        common_pairs(&maps)
    }

    /// The alert name shared by the group, or the first alert's.
    pub fn alert_name(&self) -> String {
        let common = self.common_labels();
        match common.get("alertname") {
            Some(name) => name.to_owned(),
            None => self
                .alerts
                .first()
                .map(|a| a.name().to_owned())
                .unwrap_or_default(),
        }
    }

    /// A one-line title such as `[FIRING:2] HighCpu` or `[RESOLVED] HighCpu`.
    pub fn title(&self) -> String {
        match self.status() {
            AlertStatus::Firing => {
                format!("[FIRING:{}] {}", self.firing().count(), self.alert_name())
            }
            AlertStatus::Resolved => format!("[RESOLVED] {}", self.alert_name()),
        }
    }
}

fn common_pairs(maps: &[BTreeMap<String, String>]) -> BTreeMap<String, String> {
    let Some((first, rest)) = maps.split_first() else {
        return BTreeMap::new();
    };
    first
        .iter()
        .filter(|(name, value)| rest.iter().all(|other| other.get(*name) == Some(value)))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::notify::alert::tests::{at, firing, resolved};
    use crate::notify::group::GroupId;
    use crate::notify::route::Timing;

    /// A message with a firing critical on `a` and a resolved critical on `b`.
    pub(crate) fn sample_message() -> Message {
        let flush = Flush {
            id: GroupId {
                receiver: "ops".to_owned(),
                group_key: r#"{}:{alertname="DiskFull"}"#.to_owned(),
            },
            group_labels: Labels::from_pairs([("alertname", "DiskFull")]),
            timing: Timing::default(),
            alerts: vec![
                resolved(firing("DiskFull", "critical", "b", 1000), 1300),
                firing("DiskFull", "critical", "a", 1000),
            ],
        };
        Message::from_flush(
            "n-1",
            &flush,
            Reason::AlertsResolved,
            true,
            "http://watchpost:39101",
            at(1400),
        )
    }

    #[test]
    fn status_common_labels_and_title() {
        let message = sample_message();
        assert!(message.alerts[0].is_firing());
        assert_eq!(message.status(), AlertStatus::Firing);
        assert_eq!(
            message.common_labels(),
            Labels::from_pairs([("alertname", "DiskFull"), ("severity", "critical")])
        );
        assert!(message.common_annotations().is_empty());
        assert_eq!(message.title(), "[FIRING:1] DiskFull");
    }

    #[test]
    fn send_resolved_off_drops_resolved_alerts() {
        let message = sample_message();
        let flush = Flush {
            id: GroupId {
                receiver: "ops".to_owned(),
                group_key: message.group_key.clone(),
            },
            group_labels: message.group_labels.clone(),
            timing: Timing::default(),
            alerts: message.resolved().cloned().collect(),
        };
        let quiet = Message::from_flush("n-2", &flush, Reason::AlertsResolved, false, "", at(0));
        assert!(quiet.is_empty());
        let loud = Message::from_flush("n-3", &flush, Reason::AlertsResolved, true, "", at(0));
        assert_eq!(loud.title(), "[RESOLVED] DiskFull");
    }
}
