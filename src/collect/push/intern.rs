//! Label-set interning for compact series storage: each distinct label set is kept once (a
//! `Labels` is one shared string), so series of different metrics with the same labels, and
//! the published snapshots, share it. Sets no series uses any more are dropped by
//! `collect_garbage` (after expiry, a deleted group or a refused push).

use crate::model::Labels;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

/// An interned label set.
pub type LabelKey = Labels;

/// The set table behind every `LabelKey` of one store: sets by the hash of their encoding.
/// On a (64-bit) hash collision the second set is simply not shared.
#[derive(Debug, Default)]
pub struct Interner {
    sets: HashMap<u64, Labels>,
    hasher: RandomState,
    scratch: String,
}

impl Interner {
    /// The shared label set of `pairs` (any order; a later duplicate name wins), added on
    /// first use.
    pub fn key<'a>(
        &mut self,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
    ) -> LabelKey {
        if !Labels::encode_sorted(pairs.clone(), &mut self.scratch) {
            let labels = Labels::from_pairs(pairs);
            self.scratch.clear();
            self.scratch.push_str(labels.encoded());
        }
        let hash = self.hasher.hash_one(self.scratch.as_str());
        match self.sets.get(&hash) {
            Some(shared) if shared.encoded() == self.scratch => shared.clone(),
            Some(_) => Labels::from_encoded(&self.scratch),
            None => {
                let labels = Labels::from_encoded(&self.scratch);
                self.sets.insert(hash, labels.clone());
                labels
            }
        }
    }

    /// Drops sets no key refers to; returns how many were dropped.
    pub fn collect_garbage(&mut self) -> usize {
        let before = self.sets.len();
        self.sets.retain(|_, set| set.is_shared());
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
