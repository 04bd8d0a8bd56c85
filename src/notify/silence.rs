//! Silences: label matchers over a time window that mute matching alerts.
//!
//! `is_muted(alert, now)` is pure; storing, listing and expiring silences belong to the store
//! and the API.

use super::alert::Alert;
use super::matcher::{Matcher, MatcherError, parse_matcher};
use serde::{Deserialize, Serialize};
use std::time::SystemTime;

/// A silence as the API receives and the store keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SilenceSpec {
    /// Matchers like `alertname=DiskFull`; all must match.
    pub matchers: Vec<String>,
    /// When it starts muting.
    pub starts_at: SystemTime,
    /// When it stops muting.
    pub ends_at: SystemTime,
    /// Who created it.
    pub created_by: String,
    /// Why.
    pub comment: String,
}

/// Why a silence is invalid.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SilenceError {
    /// A matcher did not parse.
    #[error("silence matchers[{index}]: {error}")]
    Matcher {
        /// Which matcher.
        index: usize,
        /// The parse error.
        error: MatcherError,
    },
    /// There is no matcher at all (it would mute everything).
    #[error("silence needs at least one matcher")]
    NoMatchers,
    /// `ends_at` is not after `starts_at`.
    #[error("silence ends_at must be after starts_at")]
    EndsBeforeStart,
}

/// A validated silence with compiled matchers.
#[derive(Clone, Debug)]
pub struct Silence {
    /// Its id (assigned by the store).
    pub id: String,
    /// What it was created from.
    pub spec: SilenceSpec,
    matchers: Vec<Matcher>,
}

impl Silence {
    /// Validates and compiles `spec`.
    pub fn new(id: impl Into<String>, spec: SilenceSpec) -> Result<Self, SilenceError> {
        if spec.matchers.is_empty() {
            return Err(SilenceError::NoMatchers);
        }
        if spec.ends_at <= spec.starts_at {
            return Err(SilenceError::EndsBeforeStart);
        }
        let matchers = spec
            .matchers
            .iter()
            .enumerate()
            .map(|(index, text)| {
                parse_matcher(text).map_err(|error| SilenceError::Matcher { index, error })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            id: id.into(),
            spec,
            matchers,
        })
    }

    /// True between `starts_at` (inclusive) and `ends_at` (exclusive).
    pub fn is_active(&self, now: SystemTime) -> bool {
        self.spec.starts_at <= now && now < self.spec.ends_at
    }

    /// True when active and every matcher matches the alert.
    pub fn mutes(&self, alert: &Alert, now: SystemTime) -> bool {
        self.is_active(now) && self.matchers.iter().all(|m| m.matches(&alert.labels))
    }
}

/// The ids of every silence muting `alert` at `now` (empty: not muted).
pub fn silenced_by<'a>(silences: &'a [Silence], alert: &Alert, now: SystemTime) -> Vec<&'a str> {
    silences
        .iter()
        .filter(|s| s.mutes(alert, now))
        .map(|s| s.id.as_str())
        .collect()
}

/// True when some silence mutes `alert` at `now`.
pub fn is_muted(silences: &[Silence], alert: &Alert, now: SystemTime) -> bool {
    silences.iter().any(|s| s.mutes(alert, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::alert::tests::{at, firing};

    fn spec(matchers: &[&str], from: u64, to: u64) -> SilenceSpec {
        SilenceSpec {
            matchers: matchers.iter().map(|m| (*m).to_owned()).collect(),
            starts_at: at(from),
            ends_at: at(to),
            created_by: "ana".to_owned(),
            comment: "maintenance".to_owned(),
        }
    }

    #[test]
    fn mutes_inside_its_window_only() {
        let silence = Silence::new("s1", spec(&["instance=a", "severity=~warn.*"], 100, 200));
        let silences = vec![silence.unwrap_or_else(|e| panic!("{e}"))];
        let alert = firing("DiskFull", "warning", "a", 0);
        assert!(!is_muted(&silences, &alert, at(99)));
        assert_eq!(silenced_by(&silences, &alert, at(100)), ["s1"]);
        assert!(!is_muted(&silences, &alert, at(200)));
        assert!(!is_muted(
            &silences,
            &firing("DiskFull", "warning", "b", 0),
            at(150)
        ));
    }

    #[test]
    fn rejects_invalid_silences() {
        assert_eq!(
            Silence::new("x", spec(&[], 0, 1)).err(),
            Some(SilenceError::NoMatchers)
        );
        assert_eq!(
            Silence::new("x", spec(&["a=b"], 5, 5)).err(),
            Some(SilenceError::EndsBeforeStart)
        );
        assert!(matches!(
            Silence::new("x", spec(&["a"], 0, 1)),
            Err(SilenceError::Matcher { index: 0, .. })
        ));
    }
}
