//! Label-set interning for compact series storage: each distinct label set is kept once (a
//! `Labels` is one shared string), so series of different metrics with the same labels, and
//! the published snapshots, share it. Sets no series uses any more are dropped by
//! `collect_garbage` (after expiry, a deleted group or a refused push).

use crate::model::Labels;
use std::collections::HashSet;

/// An interned label set.
pub type LabelKey = Labels;

/// The set table behind every `LabelKey` of one store.
#[derive(Debug, Default)]
pub struct Interner {
    sets: HashSet<Labels>,
}

impl Interner {
    /// The shared label set of `pairs` (any order; a later duplicate name wins), added on
    /// first use.
    pub fn key<'a>(&mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> LabelKey {
        let labels = Labels::from_pairs(pairs);
        if let Some(shared) = self.sets.get(&labels) {
            return shared.clone();
        }
        self.sets.insert(labels.clone());
        labels
    }

    /// Drops sets no key refers to; returns how many were dropped.
    pub fn collect_garbage(&mut self) -> usize {
        let before = self.sets.len();
        self.sets.retain(Labels::is_shared);
        before - self.sets.len()
    }

    /// Number of distinct sets held.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// True when no set is held.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_sets_are_shared_and_garbage_is_collected() {
        let mut interner = Interner::default();
        let a = interner.key([("service", "web"), ("status", "200")]);
        let b = interner.key([("status", "500"), ("service", "web")]);
        let again = interner.key([("service", "web"), ("status", "200")]);
        assert!(a.same_allocation(&again));
        assert_eq!(interner.len(), 2);
        drop(b);
        assert_eq!(interner.collect_garbage(), 1);
        assert_eq!(interner.len(), 1);
        assert_eq!(a.get("service"), Some("web"));
    }
}
