//! `RuleEngine`: every loaded group with its state — the one handle the app holds. Builds from
//! rule files, restores stored alerts, reloads keeping the state of unchanged rules, evaluates
//! a group (on its tick or because a push changed a series it reads), and summarises alerts.

use super::alerts_metrics::{alerts_families, rule_group_families};
use super::expr::SampleSource;
use super::file::{Diagnostic, load_rule_files};
use super::group::{Evaluation, GroupState};
use super::model::RuleGroup;
use super::state::{AlertInstance, AlertState};
use crate::metrics::MetricFamily;
use crate::store::StoredAlert;
use serde::Serialize;
use std::path::PathBuf;

/// Every group and its alerts.
#[derive(Debug, Default)]
pub struct RuleEngine {
    groups: Vec<GroupState>,
}

/// Counts for `/api/v1/alerts` (seed 001's shape).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AlertCounts {
    /// Pending plus firing alerts.
    pub active_count: usize,
    /// Firing alerts with `severity="critical"`.
    pub critical_count: usize,
    /// Firing alerts with `severity="warning"`.
    pub warning_count: usize,
}

impl RuleEngine {
    /// An engine over already loaded groups.
    pub fn new(groups: Vec<RuleGroup>) -> Self {
        Self {
            groups: groups.into_iter().map(GroupState::new).collect(),
        }
    }

    /// Loads `paths` (globs already expanded); every diagnostic on failure.
    pub fn load(paths: &[PathBuf]) -> Result<Self, Vec<Diagnostic>> {
        load_rule_files(paths).map(Self::new)
    }

    /// The groups, in file order.
    pub fn groups(&self) -> &[GroupState] {
        &self.groups
    }

    /// Puts back alerts loaded from the store; returns those whose group or rule is gone
    /// (the caller may delete them).
    pub fn restore(&mut self, stored: Vec<StoredAlert>) -> Vec<StoredAlert> {
        let mut orphans = Vec::new();
        let mut by_group: Vec<(String, Vec<AlertInstance>)> = Vec::new();
        for item in stored {
            match by_group.iter_mut().find(|(g, _)| *g == item.group) {
                Some((_, list)) => list.push(item.alert),
                None => by_group.push((item.group, vec![item.alert])),
            }
        }
        for (group, alerts) in by_group {
            let lost = match self.groups.iter_mut().find(|g| g.name() == group) {
                Some(state) => state.restore(alerts),
                None => alerts,
            };
            orphans.extend(lost.into_iter().map(|alert| StoredAlert {
                group: group.clone(),
                alert,
            }));
        }
        orphans
    }

    /// Replaces the rules with `groups`, keeping the alerts of rules whose definition is
    /// unchanged (same group name, same rule text). A failed load never gets here, so the old
    /// rules keep running on a bad reload.
    pub fn reload(&mut self, groups: Vec<RuleGroup>) {
        let mut old: Vec<GroupState> = std::mem::take(&mut self.groups);
        for group in groups {
            let mut state = GroupState::new(group);
            if let Some(i) = old.iter().position(|g| g.name() == state.name()) {
                state.carry_over(old.swap_remove(i));
            }
            self.groups.push(state);
        }
    }

    /// Evaluates group `index` at `now_ms` (its tick).
    pub fn evaluate_group(
        &mut self,
        index: usize,
        source: &dyn SampleSource,
        now_ms: i64,
    ) -> Option<Evaluation> {
        self.groups
            .get_mut(index)
            .map(|g| g.evaluate(source, now_ms))
    }

    /// Evaluates, in every group, the rules reading any of `metrics` (a push changed them);
    /// returns `(group name, evaluation)` for each group that had such a rule.
    pub fn evaluate_pushed(
        &mut self,
        source: &dyn SampleSource,
        now_ms: i64,
        metrics: &[String],
    ) -> Vec<(String, Evaluation)> {
        self.groups
            .iter_mut()
            .filter(|g| metrics.iter().any(|m| g.reads_metric(m)))
            .map(|g| {
                (
                    g.name().to_owned(),
                    g.evaluate_reading(source, now_ms, metrics),
                )
            })
            .collect()
    }

    /// `ALERTS` and `ALERTS_FOR_STATE` for every active alert.
    pub fn alerts_families(&self) -> Vec<MetricFamily> {
        alerts_families(&self.groups)
    }

    /// Per-group evaluation families (last evaluation, last duration, failures).
    pub fn rule_group_families(&self) -> Vec<MetricFamily> {
        rule_group_families(&self.groups)
    }

    /// Every pending or firing alert with its group name.
    pub fn active_alerts(&self) -> Vec<(&str, &AlertInstance)> {
        self.groups
            .iter()
            .flat_map(|g| g.active_alerts().map(move |(_, a)| (g.name(), a)))
            .collect()
    }

    /// Active, critical and warning counts.
    pub fn counts(&self) -> AlertCounts {
        let mut counts = AlertCounts::default();
        for (_, alert) in self.active_alerts() {
            counts.active_count += 1;
            if alert.state == AlertState::Firing {
                match alert.labels.get("severity") {
                    Some("critical") => counts.critical_count += 1,
                    Some("warning") => counts.warning_count += 1,
                    _ => {}
                }
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::History;
    use crate::model::Labels;
    use crate::rules::file::parse_rule_text;
    use std::path::Path;

    const RULES: &str = "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        severity: critical\n      - alert: Slow\n        expr: latency > 1\n        for: 1m\n        severity: warning\n";

    fn engine(text: &str) -> RuleEngine {
        RuleEngine::new(parse_rule_text(Path::new("r.yml"), text).unwrap())
    }

    fn source() -> History {
        let source = History::new(std::time::Duration::from_secs(3600));
        source.insert("up", &Labels::from_pairs([("job", "a")]), 0, 0.0);
        source.insert("latency", &Labels::new(), 0, 2.0);
        source
    }

    #[test]
    fn counts_and_families() {
        let mut engine = engine(RULES);
        engine.evaluate_group(0, &source(), 0).unwrap();
        let counts = engine.counts();
        assert_eq!(
            (
                counts.active_count,
                counts.critical_count,
                counts.warning_count
            ),
            (2, 1, 0)
        );
        assert_eq!(engine.alerts_families()[0].samples.len(), 2);
        let groups = engine.rule_group_families();
        assert_eq!(groups[0].samples[0].value, 0.0);
        assert_eq!(groups[2].samples[0].labels.get("rule_group"), Some("g"));
    }

    #[test]
    fn reload_keeps_unchanged_rules_only() {
        let mut engine = engine(RULES);
        engine.evaluate_group(0, &source(), 0).unwrap();
        let changed = RULES.replace("latency > 1", "latency > 0.5");
        engine.reload(parse_rule_text(Path::new("r.yml"), &changed).unwrap());
        let names: Vec<String> = engine
            .active_alerts()
            .iter()
            .map(|(_, a)| a.labels.get("alertname").unwrap_or("").to_owned())
            .collect();
        assert_eq!(names, ["Down"]);
    }

    #[test]
    fn push_evaluates_readers_and_restore_reports_orphans() {
        let mut engine = engine(RULES);
        let pushed = engine.evaluate_pushed(&source(), 0, &["latency".to_owned()]);
        assert_eq!(pushed.len(), 1);
        assert_eq!(pushed[0].1.events.len(), 1, "only Slow ran");
        let (_, alert) = engine.active_alerts()[0];
        let orphan = StoredAlert {
            group: "gone".into(),
            alert: alert.clone(),
        };
        assert_eq!(engine.restore(vec![orphan]).len(), 1);
    }
}
