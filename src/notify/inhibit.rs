//! Inhibition: a firing source alert mutes target alerts whose `equal` labels have the same
//! values (e.g. a critical alert mutes the warning for the same instance).
//!
//! As in Alertmanager, an alert never inhibits itself, and when a target also matches the
//! source side, only sources that do not match the target side can mute it.

use super::alert::Alert;
use super::config::InhibitRuleConfig;
use super::matcher::{Matcher, MatcherError, matches_all, parse_matcher};
use crate::model::Labels;

/// One compiled inhibition rule.
#[derive(Clone, Debug)]
pub struct InhibitRule {
    /// Matchers of the muting alert.
    pub source: Vec<Matcher>,
    /// Matchers of the muted alert.
    pub target: Vec<Matcher>,
    /// Labels that must be equal on both.
    pub equal: Vec<String>,
}

impl InhibitRule {
    /// Compiles a rule from config.
    pub fn compile(config: &InhibitRuleConfig) -> Result<Self, MatcherError> {
        let parse = |list: &[String]| {
            list.iter()
                .map(|t| parse_matcher(t))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Self {
            source: parse(&config.source_matchers)?,
            target: parse(&config.target_matchers)?,
            equal: config.equal.clone(),
        })
    }

    fn mutes(&self, target: &Labels, source: &Alert) -> bool {
        if !source.is_firing() || source.labels == *target {
            return false;
        }
        if !matches_all(&self.target, target) || !matches_all(&self.source, &source.labels) {
            return false;
        }
        let two_sided = matches_all(&self.source, target);
        if two_sided && matches_all(&self.target, &source.labels) {
            return false;
        }
        self.equal
            .iter()
            .all(|name| target.get(name) == source.labels.get(name))
    }
}

/// Every inhibition rule.
#[derive(Clone, Debug, Default)]
pub struct Inhibitor {
    rules: Vec<InhibitRule>,
}

impl Inhibitor {
    /// Compiles all rules.
    pub fn compile(configs: &[InhibitRuleConfig]) -> Result<Self, MatcherError> {
        let rules = configs
            .iter()
            .map(InhibitRule::compile)
            .collect::<Result<_, _>>()?;
        Ok(Self { rules })
    }

    /// True when some firing alert in `active` mutes `alert` through some rule.
    pub fn is_muted<'a>(
        &self,
        alert: &Alert,
        active: impl IntoIterator<Item = &'a Alert> + Clone,
    ) -> bool {
        self.rules.iter().any(|rule| {
            active
                .clone()
                .into_iter()
                .any(|source| rule.mutes(&alert.labels, source))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::alert::tests::{firing, resolved};

    fn inhibitor() -> Inhibitor {
        let config = InhibitRuleConfig {
            source_matchers: vec!["severity=critical".to_owned()],
            target_matchers: vec!["severity=warning".to_owned()],
            equal: vec!["instance".to_owned()],
        };
        Inhibitor::compile(&[config]).unwrap_or_default()
    }

    #[test]
    fn critical_mutes_warning_on_same_instance_only() {
        let critical = firing("DiskFull", "critical", "a", 0);
        let warning_a = firing("DiskFull", "warning", "a", 0);
        let warning_b = firing("DiskFull", "warning", "b", 0);
        let active = [critical.clone(), warning_a.clone(), warning_b.clone()];
        assert!(inhibitor().is_muted(&warning_a, &active));
        assert!(!inhibitor().is_muted(&warning_b, &active));
        assert!(!inhibitor().is_muted(&critical, &active));
    }

    #[test]
    fn resolved_source_does_not_mute() {
        let critical = resolved(firing("DiskFull", "critical", "a", 0), 10);
        let warning = firing("DiskFull", "warning", "a", 0);
        assert!(!inhibitor().is_muted(&warning, &[critical]));
    }

    #[test]
    fn two_sided_match_does_not_mute_itself() {
        let config = InhibitRuleConfig {
            source_matchers: vec!["team=ops".to_owned()],
            target_matchers: vec!["team=ops".to_owned()],
            equal: vec![],
        };
        let rule = Inhibitor::compile(&[config]).unwrap_or_default();
        let mut one = firing("A", "warning", "a", 0);
        one.labels.insert("team", "ops");
        let mut two = firing("B", "warning", "a", 0);
        two.labels.insert("team", "ops");
        assert!(!rule.is_muted(&one, &[one.clone(), two]));
    }
}
