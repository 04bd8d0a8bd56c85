//! `Labels`: a label set kept sorted by name, so equal sets compare and hash equal.
//!
//! A set is one shared immutable string (`Arc<str>`): every name and value written as
//! `<byte length>:<text>`, pairs in name order. Cloning is a reference-count increment, a set
//! costs one allocation whatever its size, and the empty set none. Changing a set builds a new
//! string (sets are small and mostly built once).

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// A set of `name="value"` pairs, sorted by name, names unique.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "BTreeMap<String, String>", into = "BTreeMap<String, String>")]
pub struct Labels(Option<Arc<str>>);

/// A stable 64-bit identity of a label set (used as series and alert id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Fingerprint(pub u64);

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// Appends `text` as `<byte length>:<text>`.
fn encode_part(text: &str, out: &mut String) {
    use std::fmt::Write;
    // Writing into a String cannot fail.
    let _ = write!(out, "{}:", text.len());
    out.push_str(text);
}

/// Splits the next `<byte length>:<text>` part off `rest`; None at the end (or, never for a
/// string this module wrote, on malformed input).
fn next_part<'a>(rest: &mut &'a str) -> Option<&'a str> {
    let colon = rest.find(':')?;
    let len: usize = rest[..colon].parse().ok()?;
    let text = rest.get(colon + 1..colon + 1 + len)?;
    *rest = &rest[colon + 1 + len..];
    Some(text)
}

/// The `(name, value)` pairs of an encoded set, in order.
#[derive(Clone, Debug)]
pub struct Pairs<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let name = next_part(&mut self.rest)?;
        let value = next_part(&mut self.rest)?;
        Some((name, value))
    }
}

impl Labels {
    /// The empty label set.
    pub fn new() -> Self {
        Self(None)
    }

    /// The set of `pairs`, which must be sorted by name with unique names.
    fn encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut text = String::new();
        for (name, value) in pairs {
            encode_part(name, &mut text);
            encode_part(value, &mut text);
        }
        if text.is_empty() {
            Self(None)
        } else {
            Self(Some(Arc::from(text)))
        }
    }

    /// Builds a label set from pairs; a later duplicate name replaces an earlier one.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut sorted: Vec<(K, V)> = pairs.into_iter().collect();
        sorted.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        let mut unique: Vec<(&str, &str)> = Vec::with_capacity(sorted.len());
        for (name, value) in &sorted {
            let pair = (name.as_ref(), value.as_ref());
            match unique.last_mut() {
                Some(last) if last.0 == pair.0 => *last = pair,
                _ => unique.push(pair),
            }
        }
        Self::encode(unique)
    }

    /// Sets `name` to `value`, keeping the set sorted.
    pub fn insert(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        let (name, value) = (name.as_ref(), value.as_ref());
        let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(self.len() + 1);
        let mut placed = false;
        for (n, v) in self.iter() {
            match n.cmp(name) {
                Ordering::Less => pairs.push((n, v)),
                Ordering::Equal => {
                    pairs.push((name, value));
                    placed = true;
                }
                Ordering::Greater => {
                    if !placed {
                        pairs.push((name, value));
                        placed = true;
                    }
                    pairs.push((n, v));
                }
            }
        }
        if !placed {
            pairs.push((name, value));
        }
        *self = Self::encode(pairs);
    }

    /// Returns a copy with `name` set to `value`.
    pub fn with(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.insert(name, value);
        self
    }

    /// Removes `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let removed = self.get(name)?.to_owned();
        *self = Self::encode(self.iter().filter(|(n, _)| *n != name));
        Some(removed)
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Iterates over `(name, value)` in name order.
    pub fn iter(&self) -> Pairs<'_> {
        Pairs {
            rest: self.0.as_deref().unwrap_or(""),
        }
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True when there are no labels.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// A stable hash of the set (FNV-1a over names and values, separated by 0xff).
    pub fn fingerprint(&self) -> Fingerprint {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut hash = OFFSET;
        for (name, value) in self.iter() {
            for byte in name
                .bytes()
                .chain([0xff])
                .chain(value.bytes())
                .chain([0xff])
            {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(PRIME);
            }
        }
        Fingerprint(hash)
    }

    /// A fast in-process hash (not stable across releases; use `fingerprint` for storage).
    pub fn quick_hash(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.hash(&mut hasher);
        hasher.finish()
    }

    /// True when another `Labels` shares this set's string (an interner keeps a set while
    /// something else holds it too). The empty set holds nothing and is never shared.
    pub fn is_shared(&self) -> bool {
        self.0.as_ref().is_some_and(|text| Arc::strong_count(text) > 1)
    }

    /// True when both are the same shared string (not merely equal).
    pub fn same_allocation(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl Ord for Labels {
    /// Pair by pair, names then values, as sorted `(name, value)` lists compare.
    fn cmp(&self, other: &Self) -> Ordering {
        if self.same_allocation(other) {
            return Ordering::Equal;
        }
        self.iter().cmp(other.iter())
    }
}

impl PartialOrd for Labels {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl From<BTreeMap<String, String>> for Labels {
    fn from(map: BTreeMap<String, String>) -> Self {
        Self::encode(map.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }
}

impl From<Labels> for BTreeMap<String, String> {
    fn from(labels: Labels) -> Self {
        labels
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect()
    }
}

impl fmt::Display for Labels {
    /// Formats as `{a="1", b="2"}` (PromQL style).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (name, value)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name}={value:?}")?;
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insertion_order_does_not_matter() {
        let a = Labels::from_pairs([("b", "2"), ("a", "1")]);
        let b = Labels::from_pairs([("a", "1"), ("b", "2")]);
        assert_eq!(a, b);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.iter().next(), Some(("a", "1")));
    }

    #[test]
    fn fingerprint_separates_names_from_values() {
        let a = Labels::from_pairs([("ab", "c")]);
        let b = Labels::from_pairs([("a", "bc")]);
        assert_ne!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn any_text_round_trips_and_order_is_by_pairs() {
        let odd = [("a", ""), ("b", "12:x:3"), ("c", "ä\0\"}"), ("d", "4:")];
        let labels = Labels::from_pairs(odd);
        assert_eq!(labels.iter().collect::<Vec<_>>(), odd);
        assert_eq!(labels.get("b"), Some("12:x:3"));
        assert_eq!(labels.get("e"), None);
        let mut changed = labels.clone().with("bb", "1");
        assert_eq!(changed.len(), 5);
        assert_eq!(changed.remove("a"), Some(String::new()));
        assert_eq!(changed.iter().next(), Some(("b", "12:x:3")));
        let short = Labels::from_pairs([("a", "9")]);
        let long = Labels::from_pairs([("a", "10")]);
        assert!(long < short, "values compare as text, not by encoded length");
        assert!(Labels::new() < short);
        assert_eq!(Labels::from_pairs([("x", "1")]).with("x", "2").len(), 1);
        let empty: [(&str, &str); 0] = [];
        assert!(Labels::from_pairs(empty).is_empty());
    }

    #[test]
    fn duplicate_name_replaces() {
        let labels = Labels::from_pairs([("a", "1"), ("a", "2")]);
        assert_eq!(labels.get("a"), Some("2"));
        assert_eq!(labels.len(), 1);
    }
}
