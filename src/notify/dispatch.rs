//! `Dispatcher`: the whole pure pipeline in one state machine the app drives.
//!
//! Feed it alert events with `observe(alert, now)`; sleep until `next_deadline()`; call
//! `tick(now)` and put every returned `Planned` (message + sent record) into the outbox in one
//! store transaction (an empty message only updates the record). It keeps the routing tree,
//! the groups, the firing alerts (inhibition sources), silences, acknowledgements and the
//! last-sent record of every group; after a restart, `restore_sent` puts the stored records
//! back so nothing already sent repeats early.

use super::ack::{Acknowledgement, Acknowledgements};
use super::alert::Alert;
use super::config::NotifyConfig;
use super::dedup::{DedupPolicy, SentRecord};
use super::group::{GroupId, GroupScheduler};
use super::inhibit::Inhibitor;
use super::matcher::MatcherError;
use super::pipeline::{Mutes, Planned, plan};
use super::route::Route;
use super::silence::Silence;
use crate::model::Fingerprint;
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// The pure notification pipeline state.
#[derive(Debug)]
pub struct Dispatcher {
    root: Route,
    inhibitor: Inhibitor,
    send_resolved: BTreeMap<String, bool>,
    external_url: String,
    scheduler: GroupScheduler,
    firing: BTreeMap<Fingerprint, Alert>,
    sent: BTreeMap<GroupId, SentRecord>,
    silences: Vec<Silence>,
    acks: Acknowledgements,
    sequence: u64,
}

impl Dispatcher {
    /// Builds from a validated config.
    pub fn new(config: &NotifyConfig, external_url: &str) -> Result<Self, MatcherError> {
        let send_resolved = config
            .receivers_with_default()
            .into_iter()
            .map(|r| (r.name, r.send_resolved))
            .collect();
        Ok(Self {
            root: Route::compile_root(&config.route)?,
            inhibitor: Inhibitor::compile(&config.inhibit_rules)?,
            send_resolved,
            external_url: external_url.to_owned(),
            scheduler: GroupScheduler::new(),
            firing: BTreeMap::new(),
            sent: BTreeMap::new(),
            silences: Vec::new(),
            acks: Acknowledgements::new(),
            sequence: 0,
        })
    }

    /// Puts back last-sent records loaded from the store.
    pub fn restore_sent(&mut self, records: impl IntoIterator<Item = (GroupId, SentRecord)>) {
        self.sent.extend(records);
    }

    /// Replaces the current silences.
    pub fn set_silences(&mut self, silences: Vec<Silence>) {
        self.silences = silences;
    }

    /// The receivers `alert` would go to (its `channels`, else the routing tree), deduplicated.
    pub fn receivers_for(&self, alert: &Alert) -> Vec<String> {
        let mut names: Vec<String> = self
            .root
            .destinations(alert)
            .into_iter()
            .map(|d| d.receiver)
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Records an acknowledgement (repeats of that alert stop until it resolves).
    pub fn acknowledge(&mut self, ack: Acknowledgement) {
        self.acks.acknowledge(ack);
    }

    /// Takes one alert event (firing or resolved) into every group it routes to.
    pub fn observe(&mut self, alert: Alert, now: SystemTime) {
        self.acks.observe(&alert);
        if alert.is_firing() {
            self.firing.insert(alert.fingerprint, alert.clone());
        } else {
            self.firing.remove(&alert.fingerprint);
        }
        for destination in self.root.destinations(&alert) {
            self.scheduler.insert(&destination, alert.clone(), now);
        }
    }

    /// The alerts still firing that the last notification of some group of `receiver`
    /// carried (what an Alertmanager receiver re-posts every `resend_interval`).
    pub fn firing_sent_to(&self, receiver: &str) -> Vec<Alert> {
        let sent: std::collections::BTreeSet<Fingerprint> = self
            .sent
            .iter()
            .filter(|(group, _)| group.receiver == receiver)
            .flat_map(|(_, record)| record.firing.iter().copied())
            .collect();
        sent.iter()
            .filter_map(|fingerprint| self.firing.get(fingerprint).cloned())
            .collect()
    }

    /// When `tick` next has work.
    pub fn next_deadline(&self) -> Option<SystemTime> {
        self.scheduler.next_deadline()
    }

    /// Flushes due groups and returns what to enqueue; records them as sent. A `Planned` with
    /// an empty message (a receiver without `send_resolved`) only updates the stored record.
    pub fn tick(&mut self, now: SystemTime) -> Vec<Planned> {
        let active: Vec<Alert> = self.firing.values().cloned().collect();
        let mutes = Mutes {
            silences: &self.silences,
            inhibitor: &self.inhibitor,
            active: &active,
        };
        let mut planned = Vec::new();
        for flush in self.scheduler.due(now) {
            let policy = DedupPolicy {
                send_resolved: self
                    .send_resolved
                    .get(&flush.id.receiver)
                    .copied()
                    .unwrap_or(true),
                acknowledged: self.acks.fingerprints(),
            };
            self.sequence += 1;
            let millis = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
            let id = format!("{millis}-{}", self.sequence);
            let last = self.sent.get(&flush.id);
            if let Some(next) = plan(&id, &flush, last, &policy, mutes, &self.external_url, now) {
                self.sent.insert(flush.id.clone(), next.record.clone());
                planned.push(next);
            }
        }
        planned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::alert::tests::{at, firing, resolved};
    use crate::notify::dedup::Reason;

    fn dispatcher() -> Dispatcher {
        let yaml = "route: {group_by: [alertname], repeat_interval: 1h}\nreceivers: [{name: quiet, send_resolved: false, log: {}}]";
        let config: NotifyConfig = serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{e}"));
        Dispatcher::new(&config, "http://w").unwrap_or_else(|e| panic!("{e}"))
    }

    fn reasons(planned: &[Planned]) -> Vec<Reason> {
        planned.iter().map(|p| p.message.reason).collect()
    }

    #[test]
    fn fire_repeat_resolve_over_time() {
        let mut d = dispatcher();
        let alert = firing("DiskFull", "critical", "a", 0);
        d.observe(alert.clone(), at(0));
        assert!(d.tick(at(9)).is_empty());
        assert_eq!(reasons(&d.tick(at(10))), [Reason::FirstNotification]);
        d.observe(alert.clone(), at(30));
        assert!(d.tick(at(70)).is_empty());
        assert_eq!(reasons(&d.tick(at(3610))), [Reason::RepeatIntervalElapsed]);
        d.observe(resolved(alert, 3620), at(3620));
        let done = d.tick(at(3670));
        assert_eq!(reasons(&done), [Reason::AlertsResolved]);
        assert_eq!(done[0].message.alerts[0].resolved_value, Some(12.0));
        assert_eq!(d.next_deadline(), None);
    }

    #[test]
    fn acknowledged_alert_does_not_repeat_until_resolved() {
        let mut d = dispatcher();
        let alert = firing("DiskFull", "critical", "a", 0);
        d.observe(alert.clone(), at(0));
        assert_eq!(d.tick(at(10)).len(), 1);
        d.acknowledge(Acknowledgement {
            fingerprint: alert.fingerprint,
            acknowledged_by: "ana".into(),
            notes: String::new(),
            at: at(20),
        });
        assert!(d.tick(at(3610)).is_empty());
        d.observe(resolved(alert.clone(), 3620), at(3620));
        assert_eq!(reasons(&d.tick(at(3670))), [Reason::AlertsResolved]);
        d.observe(firing("DiskFull", "critical", "a", 4000), at(4000));
        assert_eq!(reasons(&d.tick(at(4010))), [Reason::NewAlertsInGroup]);
    }

    #[test]
    fn firing_sent_to_lists_notified_alerts_until_they_resolve() {
        let mut d = dispatcher();
        let alert = firing("DiskFull", "critical", "a", 0);
        d.observe(alert.clone(), at(0));
        assert!(d.firing_sent_to("log").is_empty(), "not sent yet");
        assert_eq!(d.tick(at(10)).len(), 1);
        let sent = d.firing_sent_to("log");
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].fingerprint, alert.fingerprint);
        assert!(d.firing_sent_to("quiet").is_empty());
        d.observe(resolved(alert, 20), at(20));
        assert!(d.firing_sent_to("log").is_empty());
    }

    #[test]
    fn receiver_without_resolved_gets_nothing_on_resolve() {
        let mut d = dispatcher();
        let mut alert = firing("DiskFull", "critical", "a", 0);
        alert.channels = vec!["quiet".into()];
        d.observe(alert.clone(), at(0));
        assert_eq!(d.tick(at(10))[0].message.receiver, "quiet");
        d.observe(resolved(alert, 20), at(20));
        let record_only = d.tick(at(70));
        assert!(record_only[0].message.is_empty());
        assert!(record_only[0].record.firing.is_empty());
        assert_eq!(d.next_deadline(), None);
    }
}
