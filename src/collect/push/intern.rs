//! Label-set interning for compact series storage: every distinct label name and value is kept
//! once as an `Arc<str>`; a series' label set is a boxed slice of those (`[name, value, ...]`,
//! sorted by name), 16 bytes per string instead of a `String` each. Strings no series uses any
//! more are dropped by `collect_garbage` (after expiry or a refused push).

use crate::model::Labels;
use std::collections::HashSet;
use std::sync::Arc;

/// An interned label set: names and values interleaved, sorted by name.
pub type LabelKey = Box<[Arc<str>]>;

/// The string table behind every `LabelKey` of one store.
#[derive(Debug, Default)]
pub struct Interner {
    strings: HashSet<Arc<str>>,
}

impl Interner {
    /// The shared copy of `text`, added on first use.
    pub fn intern(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.strings.get(text) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(text);
        self.strings.insert(Arc::clone(&shared));
        shared
    }

    /// The key of `pairs`, which must already be sorted by name with unique names.
    pub fn key<'a>(&mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> LabelKey {
        let pairs = pairs.into_iter();
        let mut parts = Vec::with_capacity(pairs.size_hint().0 * 2);
        for (name, value) in pairs {
            parts.push(self.intern(name));
            parts.push(self.intern(value));
        }
        parts.into_boxed_slice()
    }

    /// Drops strings no key refers to; returns how many were dropped.
    pub fn collect_garbage(&mut self) -> usize {
        let before = self.strings.len();
        self.strings.retain(|s| Arc::strong_count(s) > 1);
        before - self.strings.len()
    }

    /// Number of distinct strings held.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// True when no string is held.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

/// The `(name, value)` pairs of a key.
pub fn key_pairs(key: &[Arc<str>]) -> impl Iterator<Item = (&str, &str)> {
    key.chunks_exact(2).map(|pair| (&*pair[0], &*pair[1]))
}

/// The key as `Labels`, plus `extra` pairs (which win over the key's own).
pub fn key_labels(key: &[Arc<str>], extra: &[(&str, &str)]) -> Labels {
    let mut labels = Labels::from_pairs(key_pairs(key));
    for (name, value) in extra {
        labels.insert(*name, *value);
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_are_shared_and_garbage_is_collected() {
        let mut interner = Interner::default();
        let a = interner.key([("service", "web"), ("status", "200")]);
        let b = interner.key([("service", "web"), ("status", "500")]);
        assert!(Arc::ptr_eq(&a[1], &b[1]));
        assert_eq!(interner.len(), 5);
        drop(b);
        assert_eq!(interner.collect_garbage(), 1);
        assert_eq!(interner.len(), 4);
        let labels = key_labels(&a, &[("job", "x")]);
        assert_eq!(labels.get("service"), Some("web"));
        assert_eq!(labels.get("job"), Some("x"));
    }
}
