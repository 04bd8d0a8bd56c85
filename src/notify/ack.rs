//! Acknowledgements: someone owns a firing alert, so repeats stop until it resolves.
//!
//! Pure bookkeeping; the API and the store persist them. A resolve clears the acknowledgement,
//! so the next firing of the same alert notifies again.

use super::alert::Alert;
use super::dedup::AlertSet;
use crate::model::Fingerprint;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::SystemTime;

/// One acknowledgement (`POST /api/v1/alerts/{id}/acknowledge`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// The acknowledged alert.
    pub fingerprint: Fingerprint,
    /// Who acknowledged it.
    pub acknowledged_by: String,
    /// Free text.
    pub notes: String,
    /// When.
    pub at: SystemTime,
}

/// Current acknowledgements by alert.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Acknowledgements {
    by_alert: BTreeMap<Fingerprint, Acknowledgement>,
}

impl Acknowledgements {
    /// None.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an acknowledgement (a later one replaces an earlier one).
    pub fn acknowledge(&mut self, ack: Acknowledgement) {
        self.by_alert.insert(ack.fingerprint, ack);
    }

    /// The acknowledgement of `fingerprint`, if any.
    pub fn get(&self, fingerprint: Fingerprint) -> Option<&Acknowledgement> {
        self.by_alert.get(&fingerprint)
    }

    /// Feeds an alert event: a resolve clears its acknowledgement (returned).
    pub fn observe(&mut self, alert: &Alert) -> Option<Acknowledgement> {
        if alert.is_firing() {
            None
        } else {
            self.by_alert.remove(&alert.fingerprint)
        }
    }

    /// The acknowledged fingerprints (the dedup policy's `acknowledged`).
    pub fn fingerprints(&self) -> AlertSet {
        self.by_alert.keys().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::alert::tests::{at, firing, resolved};

    #[test]
    fn resolve_clears_the_acknowledgement() {
        let alert = firing("DiskFull", "critical", "a", 0);
        let mut acks = Acknowledgements::new();
        acks.acknowledge(Acknowledgement {
            fingerprint: alert.fingerprint,
            acknowledged_by: "ana".to_owned(),
            notes: "on it".to_owned(),
            at: at(5),
        });
        assert_eq!(acks.observe(&alert), None);
        assert!(acks.fingerprints().contains(&alert.fingerprint));
        let cleared = acks.observe(&resolved(alert.clone(), 10));
        assert_eq!(cleared.map(|a| a.acknowledged_by), Some("ana".to_owned()));
        assert!(acks.get(alert.fingerprint).is_none());
    }
}
