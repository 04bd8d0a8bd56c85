//! Label matchers: `=`, `!=`, `=~`, `!~`, regexes fully anchored as in PromQL and Alertmanager.
//!
//! Shared by rule selectors (`rules::expr`) and by notification routing, inhibition and
//! silences (`notify::matcher` parses Alertmanager's text forms into these).

use crate::model::Labels;
use regex::Regex;
use std::fmt;

/// The operator of a label matcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`: the label value equals the text.
    Equal,
    /// `!=`: the label value differs from the text.
    NotEqual,
    /// `=~`: the whole label value matches the regex.
    Regex,
    /// `!~`: the whole label value does not match the regex.
    NotRegex,
}

impl MatchOp {
    /// The operator as written in a selector.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equal => "=",
            Self::NotEqual => "!=",
            Self::Regex => "=~",
            Self::NotRegex => "!~",
        }
    }
}

/// A label matcher in a selector; a missing label matches as the empty string.
#[derive(Clone, Debug)]
pub struct Matcher {
    /// The label name.
    pub name: String,
    /// The operator.
    pub op: MatchOp,
    /// The text or regex source as written.
    pub value: String,
    /// The anchored regex (`^(?:value)$`) for `=~` and `!~`.
    regex: Option<Regex>,
}

impl Matcher {
    /// Builds a matcher, compiling the anchored regex for `=~`/`!~`.
    pub fn new(
        name: impl Into<String>,
        op: MatchOp,
        value: impl Into<String>,
    ) -> Result<Self, regex::Error> {
        let value = value.into();
        let regex = match op {
            MatchOp::Regex | MatchOp::NotRegex => Some(Regex::new(&format!("^(?:{value})$"))?),
            MatchOp::Equal | MatchOp::NotEqual => None,
        };
        Ok(Self {
            name: name.into(),
            op,
            value,
            regex,
        })
    }

    /// True when `value` (the label's value, `""` when absent) satisfies the matcher.
    pub fn matches_value(&self, value: &str) -> bool {
        match (self.op, &self.regex) {
            (MatchOp::Equal, _) => value == self.value,
            (MatchOp::NotEqual, _) => value != self.value,
            (MatchOp::Regex, Some(regex)) => regex.is_match(value),
            (MatchOp::NotRegex, Some(regex)) => !regex.is_match(value),
            (MatchOp::Regex | MatchOp::NotRegex, None) => false,
        }
    }

    /// True when `labels` satisfy the matcher.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.matches_value(labels.get(&self.name).unwrap_or(""))
    }
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{:?}", self.name, self.op.as_str(), self.value)
    }
}

/// True when `labels` satisfy every matcher.
pub fn matches_all(matchers: &[Matcher], labels: &Labels) -> bool {
    matchers.iter().all(|matcher| matcher.matches(labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels {
        Labels::from_pairs([("fstype", "ext4"), ("mountpoint", "/")])
    }

    #[test]
    fn equality_and_inequality() {
        let eq = Matcher::new("mountpoint", MatchOp::Equal, "/").unwrap();
        let ne = Matcher::new("mountpoint", MatchOp::NotEqual, "/").unwrap();
        assert!(eq.matches(&labels()));
        assert!(!ne.matches(&labels()));
    }

    #[test]
    fn regexes_are_fully_anchored() {
        let re = Matcher::new("fstype", MatchOp::Regex, "ext").unwrap();
        assert!(!re.matches(&labels()), "partial match must not count");
        let re = Matcher::new("fstype", MatchOp::Regex, "ext.|xfs").unwrap();
        assert!(re.matches(&labels()));
        let not = Matcher::new("fstype", MatchOp::NotRegex, "tmpfs|ramfs").unwrap();
        assert!(not.matches(&labels()));
        let not = Matcher::new("fstype", MatchOp::NotRegex, "ext4|tmpfs").unwrap();
        assert!(!not.matches(&labels()));
    }

    #[test]
    fn missing_label_matches_as_empty() {
        let empty = Matcher::new("device", MatchOp::Equal, "").unwrap();
        assert!(empty.matches(&labels()));
        let any = Matcher::new("device", MatchOp::Regex, ".+").unwrap();
        assert!(!any.matches(&labels()));
        assert!(matches_all(&[empty], &labels()));
    }

    #[test]
    fn bad_regex_is_an_error() {
        assert!(Matcher::new("a", MatchOp::Regex, "(").is_err());
    }
}
