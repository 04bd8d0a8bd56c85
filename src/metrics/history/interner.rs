//! `LabelInterner`: one shared `Arc<Labels>` per distinct label set across every metric of a
//! [`super::History`].
//!
//! Exporter data repeats label sets across metrics (every `node_network_*` series of `eth0`,
//! every `node_filesystem_*` series of `/`), so series hold a pointer instead of their own copy.
//! A set is forgotten once no series holds it ([`LabelInterner::release_unused`]).

use super::PassThroughHasher;
use crate::model::Labels;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Mutex, PoisonError};

/// Distinct label sets by fingerprint. On a (64-bit) fingerprint collision the second set is
/// simply not shared: it gets its own unregistered copy.
#[derive(Default)]
pub(super) struct LabelInterner {
    sets: Mutex<HashMap<u64, Arc<Labels>, BuildHasherDefault<PassThroughHasher>>>,
}

impl LabelInterner {
    /// The shared copy of `labels` (whose fingerprint is `fingerprint`), adding it if new.
    pub fn intern(&self, fingerprint: u64, labels: &Labels) -> Arc<Labels> {
        let mut sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        let shared = sets
            .entry(fingerprint)
            .or_insert_with(|| Arc::new(labels.clone()));
        if **shared == *labels {
            Arc::clone(shared)
        } else {
            Arc::new(labels.clone())
        }
    }

    /// Forgets the sets of `fingerprints` that no series holds any more.
    pub fn release_unused(&self, fingerprints: &[u64]) {
        if fingerprints.is_empty() {
            return;
        }
        let mut sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        for fingerprint in fingerprints {
            if sets
                .get(fingerprint)
                .is_some_and(|set| Arc::strong_count(set) == 1)
            {
                sets.remove(fingerprint);
            }
        }
    }

    /// Distinct label sets held.
    pub fn len(&self) -> usize {
        self.sets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_sets_share_one_copy_until_released() {
        let interner = LabelInterner::default();
        let labels = Labels::from_pairs([("job", "node")]);
        let fingerprint = labels.fingerprint().0;
        let first = interner.intern(fingerprint, &labels);
        let second = interner.intern(fingerprint, &labels);
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(interner.len(), 1);
        drop((first, second));
        interner.release_unused(&[fingerprint]);
        assert_eq!(interner.len(), 0);
    }

    #[test]
    fn a_held_set_survives_release() {
        let interner = LabelInterner::default();
        let labels = Labels::from_pairs([("job", "node")]);
        let held = interner.intern(7, &labels);
        interner.release_unused(&[7]);
        assert_eq!(interner.len(), 1);
        let other = Labels::from_pairs([("job", "other")]);
        assert_eq!(
            *interner.intern(7, &other),
            other,
            "a collision is kept apart"
        );
        assert_eq!(*held, labels);
    }
}
