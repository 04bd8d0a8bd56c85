//! `Labels`: a label set kept sorted by name, so equal sets compare and hash equal.
//!
//! A set is one shared immutable string (`Arc<str>`): every name and value written as its byte
//! length (one char for any length a label has in practice) and its text, pairs in name
//! order. Cloning is a reference-count increment, a set
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

/// Lengths below this are written as the one char with that scalar value (one to three UTF-8
/// bytes); longer ones as this char, the decimal length and `:`.
const LONG_LENGTH: u32 = 0xD7FF;

/// Appends `text` as its length (see [`LONG_LENGTH`]) followed by the text itself.
fn encode_part(text: &str, out: &mut String) {
    match u32::try_from(text.len())
        .ok()
        .filter(|&len| len < LONG_LENGTH)
        .and_then(char::from_u32)
    {
        Some(length) => out.push(length),
        None => {
            use std::fmt::Write;
            out.push(char::from_u32(LONG_LENGTH).unwrap_or(char::MAX));
            // Writing into a String cannot fail.
            let _ = write!(out, "{}:", text.len());
        }
    }
    out.push_str(text);
}

/// Splits the next part off `rest`; None at the end (or, never for a string this module
/// wrote, on malformed input).
fn next_part<'a>(rest: &mut &'a str) -> Option<&'a str> {
    let mut chars = rest.chars();
    let length = u32::from(chars.next()?);
    let mut after = chars.as_str();
    let len = if length < LONG_LENGTH {
        length as usize
    } else {
        let colon = after.find(':')?;
        let len = after[..colon].parse().ok()?;
        after = &after[colon + 1..];
        len
    };
    let text = after.get(..len)?;
    *rest = &after[len..];
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
    fn encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> Self {
        // One char of length per part for any length under 128 bytes; more is a rare regrow.
        let size: usize = pairs
            .clone()
            .into_iter()
            .map(|(n, v)| n.len() + v.len() + 2)
            .sum();
        let mut text = String::with_capacity(size);
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

    /// Writes the encoding of `pairs` into `out` (cleared first) for [`Labels::from_encoded`];
    /// false when the pairs are not sorted by name with unique names (`out` is then of no use).
    pub fn encode_sorted<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        out: &mut String,
    ) -> bool {
        out.clear();
        let mut previous: Option<&str> = None;
        for (name, value) in pairs {
            if previous.is_some_and(|p| p >= name) {
                return false;
            }
            previous = Some(name);
            encode_part(name, out);
            encode_part(value, out);
        }
        true
    }

    /// The set `encoded` describes, as written by [`Labels::encode_sorted`] or returned by
    /// [`Labels::encoded`] (anything else reads as the pairs up to where it stops making sense).
    pub fn from_encoded(encoded: &str) -> Self {
        if encoded.is_empty() {
            Self(None)
        } else {
            Self(Some(Arc::from(encoded)))
        }
    }

    /// The set's encoding (equal sets, equal text): a key for hashing and interning.
    pub fn encoded(&self) -> &str {
        self.0.as_deref().unwrap_or("")
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
        Self::encode(unique.iter().copied())
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
        *self = Self::encode(pairs.iter().copied());
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
        for (n, v) in self.iter() {
            match n.cmp(name) {
                Ordering::Less => {}
                Ordering::Equal => return Some(v),
                Ordering::Greater => return None, // names are sorted: it is not further on
            }
        }
        None
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
        self.0
            .as_ref()
            .is_some_and(|text| Arc::strong_count(text) > 1)
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
    /// Pair by pair, names then values, as sorted `(name, value)` lists compare. Parts before
    /// the first differing byte are equal in both, so only the part holding it matters: when
    /// that byte is inside the text of parts of equal length it decides alone.
    fn cmp(&self, other: &Self) -> Ordering {
        if self.same_allocation(other) {
            return Ordering::Equal;
        }
        let (a, b) = (self.encoded(), other.encoded());
        let (bytes_a, bytes_b) = (a.as_bytes(), b.as_bytes());
        let Some(differs_at) = bytes_a.iter().zip(bytes_b).position(|(x, y)| x != y) else {
            return a.len().cmp(&b.len()); // one is the other plus whole pairs
        };
        let mut start = 0;
        loop {
            let header = bytes_a[start];
            if header < 0x80 {
                // A one-byte length: the common case, decoded without building slices.
                let end = start + 1 + usize::from(header);
                if differs_at > start && differs_at < end {
                    return bytes_a[differs_at].cmp(&bytes_b[differs_at]);
                }
                if differs_at >= end {
                    start = end;
                    continue;
                }
            }
            let (mut rest_a, mut rest_b) = (&a[start..], &b[start..]);
            let before = rest_a.len();
            let part_a = next_part(&mut rest_a);
            let end = start + (before - rest_a.len());
            if part_a.is_none() || differs_at < end {
                return part_a.cmp(&next_part(&mut rest_b));
            }
            start = end;
        }
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
        let long = "x".repeat(70_000);
        let odd = [
            ("a", ""),
            ("b", "12:x:3"),
            ("c", "ä\0\"}"),
            ("d", "4:"),
            ("e", &long),
        ];
        let labels = Labels::from_pairs(odd);
        assert_eq!(labels.iter().collect::<Vec<_>>(), odd);
        assert_eq!(labels.get("b"), Some("12:x:3"));
        assert_eq!(labels.get("e"), Some(long.as_str()));
        assert_eq!(labels.get("f"), None);
        let mut changed = labels.clone().with("bb", "1");
        assert_eq!(changed.len(), 6);
        assert_eq!(changed.remove("a"), Some(String::new()));
        assert_eq!(changed.iter().next(), Some(("b", "12:x:3")));
        let short = Labels::from_pairs([("a", "9")]);
        let long = Labels::from_pairs([("a", "10")]);
        assert!(
            long < short,
            "values compare as text, not by encoded length"
        );
        assert!(Labels::new() < short);
        assert_eq!(Labels::from_pairs([("x", "1")]).with("x", "2").len(), 1);
        let empty: [(&str, &str); 0] = [];
        assert!(Labels::from_pairs(empty).is_empty());
    }

    #[test]
    fn order_matches_sorted_pair_lists() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let parts = ["", "a", "ab", "b", "é", "a\0", "10", "9"];
        let mut sets = Vec::new();
        for _ in 0..300 {
            let pairs: Vec<(String, String)> = (0..next(4))
                .map(|_| {
                    let name = parts[next(parts.len() as u64) as usize].to_owned();
                    let value = parts[next(parts.len() as u64) as usize].repeat(next(3) as usize);
                    (name, value)
                })
                .collect();
            sets.push(Labels::from_pairs(pairs));
        }
        for a in &sets {
            for b in &sets {
                let (list_a, list_b): (Vec<_>, Vec<_>) = (a.iter().collect(), b.iter().collect());
                assert_eq!(a.cmp(b), list_a.cmp(&list_b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn duplicate_name_replaces() {
        let labels = Labels::from_pairs([("a", "1"), ("a", "2")]);
        assert_eq!(labels.get("a"), Some("2"));
        assert_eq!(labels.len(), 1);
    }
}
