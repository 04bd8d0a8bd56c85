//! Evaluating one rule group at `now_ms` over a `SampleSource`: run each rule's expression,
//! apply `thresholds` and the `clear` hysteresis, render templates, and drive the per-series
//! state machine. Returns the transitions; holds the active alerts between evaluations.

use super::expr::{EvalError, SampleSource};
use super::model::{AlertRule, Clear, RuleGroup};
use super::resolve_value::fill_resolve_values;
use super::state::{ActiveSeries, AlertEvent, AlertInstance, AlertStates};
use super::template::{Template, TemplateContext};
use crate::model::Labels;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

/// One rule with its alert instances and its last evaluation.
#[derive(Debug)]
pub struct RuleState {
    /// The rule.
    pub rule: AlertRule,
    /// Its alert instances.
    pub alerts: AlertStates,
    /// The last evaluation error, cleared by a good evaluation.
    pub last_error: Option<String>,
    /// When it was last evaluated (ms), if ever.
    pub last_evaluation_ms: Option<i64>,
    /// How long the last evaluation took, in seconds.
    pub last_duration_seconds: f64,
}

/// What one evaluation produced.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// Every transition, in rule order.
    pub events: Vec<AlertEvent>,
    /// `(alert name, message)` of every rule that failed to evaluate (its alerts are unchanged).
    pub errors: Vec<(String, String)>,
    /// How long the evaluation took, in seconds (for `watchpost_rule_evaluation_duration_seconds`).
    pub duration_seconds: f64,
}

/// A group and the state of its rules.
#[derive(Debug)]
pub struct GroupState {
    /// The group definition.
    pub group: Arc<RuleGroup>,
    /// One entry per rule, in file order.
    pub rules: Vec<RuleState>,
    /// When the group was last evaluated (ms).
    pub last_evaluation_ms: Option<i64>,
    /// How long the last evaluation took, in seconds.
    pub last_duration_seconds: f64,
    /// Rule evaluations that failed since the group was loaded.
    pub evaluation_failures: u64,
}

impl GroupState {
    /// A group with no alerts yet.
    pub fn new(group: RuleGroup) -> Self {
        let rules = group
            .rules
            .iter()
            .map(|rule| RuleState {
                alerts: AlertStates::new(rule.hold, rule.keep_firing_for),
                rule: rule.clone(),
                last_error: None,
                last_evaluation_ms: None,
                last_duration_seconds: 0.0,
            })
            .collect();
        Self {
            group: Arc::new(group),
            rules,
            last_evaluation_ms: None,
            last_duration_seconds: 0.0,
            evaluation_failures: 0,
        }
    }

    /// The group's name.
    pub fn name(&self) -> &str {
        &self.group.name
    }

    /// Takes over the alerts of `old`'s rules whose definition did not change (for reload).
    pub fn carry_over(&mut self, old: GroupState) {
        for old_rule in old.rules {
            let same = self
                .rules
                .iter_mut()
                .find(|r| r.rule.definition == old_rule.rule.definition);
            if let Some(rule) = same {
                rule.alerts = old_rule.alerts;
                rule.last_error = old_rule.last_error;
                rule.last_evaluation_ms = old_rule.last_evaluation_ms;
            }
        }
        self.evaluation_failures = old.evaluation_failures;
    }

    /// Puts back stored instances (after a restart), by `alertname`; returns those of no rule.
    pub fn restore(&mut self, instances: Vec<AlertInstance>) -> Vec<AlertInstance> {
        let mut orphans = Vec::new();
        for instance in instances {
            let name = instance.labels.get("alertname").unwrap_or_default();
            match self.rules.iter_mut().find(|r| r.rule.name == name) {
                Some(rule) => rule.alerts.restore([instance]),
                None => orphans.push(instance),
            }
        }
        orphans
    }

    /// True when a rule of the group reads `metric` (for push-triggered evaluation).
    pub fn reads_metric(&self, metric: &str) -> bool {
        self.rules
            .iter()
            .any(|r| r.rule.metric_names().iter().any(|m| m == metric))
    }

    /// Evaluates every rule at `now_ms`.
    pub fn evaluate(&mut self, source: &dyn SampleSource, now_ms: i64) -> Evaluation {
        self.evaluate_where(source, now_ms, |_| true)
    }

    /// Evaluates the rules reading any of `metrics` (a push changed them).
    pub fn evaluate_reading(
        &mut self,
        source: &dyn SampleSource,
        now_ms: i64,
        metrics: &[String],
    ) -> Evaluation {
        self.evaluate_where(source, now_ms, |rule| {
            rule.metric_names().iter().any(|m| metrics.contains(m))
        })
    }

    fn evaluate_where(
        &mut self,
        source: &dyn SampleSource,
        now_ms: i64,
        wanted: impl Fn(&AlertRule) -> bool,
    ) -> Evaluation {
        let mut evaluation = Evaluation::default();
        let group_started = Instant::now();
        for state in self.rules.iter_mut().filter(|r| wanted(&r.rule)) {
            let started = Instant::now();
            match active_series(&state.rule, &state.alerts, source, now_ms) {
                Ok(active) => {
                    let mut events = state.alerts.step(now_ms, active);
                    fill_resolve_values(
                        &state.rule,
                        &mut state.alerts,
                        &mut events,
                        source,
                        now_ms,
                    );
                    evaluation.events.extend(events);
                    state.last_error = None;
                }
                Err(e) => {
                    state.last_error = Some(e.to_string());
                    evaluation
                        .errors
                        .push((state.rule.name.clone(), e.to_string()));
                }
            }
            state.last_evaluation_ms = Some(now_ms);
            state.last_duration_seconds = started.elapsed().as_secs_f64();
        }
        self.last_evaluation_ms = Some(now_ms);
        self.evaluation_failures += evaluation.errors.len() as u64;
        evaluation.duration_seconds = group_started.elapsed().as_secs_f64();
        self.last_duration_seconds = evaluation.duration_seconds;
        evaluation
    }

    /// Every pending or firing alert of the group.
    pub fn active_alerts(&self) -> impl Iterator<Item = (&AlertRule, &AlertInstance)> {
        self.rules
            .iter()
            .flat_map(|r| r.alerts.active().map(move |a| (&r.rule, a)))
    }
}

fn is_subset(small: &Labels, large: &Labels) -> bool {
    small.iter().all(|(k, v)| large.get(k) == Some(v))
}

/// The value of each named extra value for a series: exact labels, else a series whose labels
/// are all in `labels` (a coarser series, or one with no labels), else the first series
/// carrying all of `labels` (a finer one).
fn join_values(values: &[(String, Vec<(Labels, f64)>)], labels: &Labels) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (name, rows) in values {
        let found = rows
            .iter()
            .find(|(l, _)| l == labels)
            .or_else(|| rows.iter().find(|(l, _)| is_subset(l, labels)))
            .or_else(|| rows.iter().find(|(l, _)| is_subset(labels, l)));
        if let Some((_, value)) = found {
            out.insert(name.clone(), *value);
        }
    }
    out
}

fn render_all(templates: &[(String, Template)], context: &TemplateContext<'_>) -> Labels {
    Labels::from_pairs(
        templates
            .iter()
            .map(|(k, t)| (k.clone(), t.render(context))),
    )
}

/// The identity of an alert: its labels without `severity`.
fn identity(labels: &Labels) -> crate::model::Fingerprint {
    let mut without = labels.clone();
    without.remove("severity");
    without.fingerprint()
}

/// The series for which `rule`'s condition holds now, hysteresis applied.
fn active_series(
    rule: &AlertRule,
    alerts: &AlertStates,
    source: &dyn SampleSource,
    now_ms: i64,
) -> Result<Vec<ActiveSeries>, EvalError> {
    let rows = rule.expr.evaluate(source, now_ms)?;
    let mut values = Vec::new();
    for (name, expr) in &rule.values {
        values.push((name.clone(), expr.evaluate(source, now_ms)?));
    }
    let cleared = match &rule.clear {
        Some(Clear::Expr(expr)) => Some(expr.evaluate(source, now_ms)?),
        _ => None,
    };
    let clears = |labels: &Labels| {
        cleared
            .as_ref()
            .is_some_and(|rows| rows.iter().any(|(l, _)| is_subset(l, labels)))
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (series, value) in rows {
        let matched = rule.thresholds.iter().find(|t| t.comparison.holds(value));
        let mut template_labels = series.clone();
        let named = join_values(&values, &series);
        let mut labels = series.clone();
        labels.insert("alertname", rule.name.as_str());
        let context = TemplateContext {
            value,
            labels: &template_labels,
            values: &named,
        };
        for (key, text) in render_all(&rule.labels, &context).iter() {
            labels.insert(key, text);
        }
        let fingerprint = identity(&labels);
        if !rule.thresholds.is_empty() {
            let held = alerts.is_active(fingerprint)
                && match &rule.clear {
                    Some(Clear::Comparison(c)) => !c.holds(value),
                    Some(Clear::Expr(_)) => !clears(&labels),
                    None => false,
                };
            let severity = match (matched, alerts.get(fingerprint)) {
                (Some(threshold), _) => threshold.severity.clone(),
                (None, Some(previous)) if held => previous
                    .labels
                    .get("severity")
                    .unwrap_or_default()
                    .to_owned(),
                _ => continue,
            };
            labels.insert("severity", severity.as_str());
            template_labels.insert("severity", severity);
        }
        let context = TemplateContext {
            value,
            labels: &template_labels,
            values: &named,
        };
        seen.insert(fingerprint);
        out.push(ActiveSeries {
            fingerprint,
            annotations: render_all(&rule.annotations, &context),
            labels,
            value,
        });
    }
    if matches!(rule.clear, Some(Clear::Expr(_))) {
        for alert in alerts.active().filter(|a| !seen.contains(&a.fingerprint)) {
            if !clears(&alert.labels) {
                out.push(ActiveSeries {
                    fingerprint: alert.fingerprint,
                    labels: alert.labels.clone(),
                    annotations: alert.annotations.clone(),
                    value: alert.value,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "group_tests.rs"]
mod tests;
