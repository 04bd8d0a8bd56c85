//! Rule thresholds for dashboards: what each loaded rule compares, against which numbers, and
//! which metric it watches (the first metric its expression names), so a panel showing that
//! metric draws the rule's lines.

use super::panel::{Step, severity_color};
use crate::rules::RuleGroup;
use crate::rules::expr::promql::{PromqlOptions, metrics_in_order, to_promql};
use crate::rules::model::CompareOp;

/// One rule's numbers, ready for panels.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleThresholds {
    /// The alert name.
    pub rule: String,
    /// The metric the rule watches.
    pub metric: String,
    /// The value the rule compares, as PromQL with the dashboard's matchers.
    pub value_promql: String,
    /// The lines to draw.
    pub steps: Vec<Step>,
}

/// The selector matchers every dashboard query carries (the template variables).
pub fn dashboard_matchers() -> Vec<String> {
    vec![
        "job=~\"$job\"".to_owned(),
        "instance=~\"$instance\"".to_owned(),
    ]
}

/// Every rule that compares its value with numbers (thresholds, or `value OP number`).
pub fn rule_thresholds(groups: &[RuleGroup]) -> Vec<RuleThresholds> {
    let options = PromqlOptions {
        extra_matchers: dashboard_matchers(),
        scope_to_target: true,
    };
    let mut out = Vec::new();
    for rule in groups.iter().flat_map(|group| &group.rules) {
        let (Ok(translated), Ok(metrics)) = (
            to_promql(&rule.expr_text, &options),
            metrics_in_order(&rule.expr_text),
        ) else {
            continue;
        };
        let Some(metric) = metrics.into_iter().next() else {
            continue;
        };
        let (value_promql, steps) = if rule.thresholds.is_empty() {
            let Some((value, op, number)) = translated.comparison else {
                continue;
            };
            let severity = rule
                .labels
                .iter()
                .find(|(name, _)| name == "severity")
                .map_or("warning", |(_, template)| template.source());
            let below = matches!(op, "<" | "<=");
            (value, vec![step(number, severity, below)])
        } else {
            let steps = rule
                .thresholds
                .iter()
                .map(|t| {
                    let below = matches!(t.comparison.op, CompareOp::Less | CompareOp::LessOrEqual);
                    step(t.comparison.threshold, &t.severity, below)
                })
                .collect();
            (translated.promql, steps)
        };
        out.push(RuleThresholds {
            rule: rule.name.clone(),
            metric,
            value_promql,
            steps,
        });
    }
    out
}

fn step(value: f64, severity: &str, below: bool) -> Step {
    Step {
        value,
        color: severity_color(severity).to_owned(),
        below,
    }
}

/// The lines of every rule watching one of `metrics`.
pub fn steps_for(rules: &[RuleThresholds], metrics: &[&str]) -> Vec<Step> {
    rules
        .iter()
        .filter(|r| metrics.contains(&r.metric.as_str()))
        .flat_map(|r| r.steps.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::file::parse_rule_text;

    #[test]
    fn derives_lines_from_thresholds_and_comparisons() {
        let groups = parse_rule_text(
            std::path::Path::new("t.yml"),
            "groups:\n  - name: g\n    rules:\n      - alert: Cpu\n        expr: cpu_percent\n        \
             thresholds: {warning: \"> 80\", critical: \"> 95\"}\n      - alert: Few\n        \
             expr: sessions < 1\n        severity: warning\n",
        )
        .unwrap();
        let rules = rule_thresholds(&groups);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].metric, "cpu_percent");
        assert_eq!(
            rules[0].value_promql,
            "cpu_percent{job=~\"$job\",instance=~\"$instance\"}"
        );
        let cpu = steps_for(&rules, &["cpu_percent"]);
        assert_eq!(cpu.len(), 2);
        assert!(cpu.iter().any(|s| s.value == 95.0 && s.color == "red"));
        let few = steps_for(&rules, &["sessions"]);
        assert!(few[0].below && few[0].value == 1.0);
    }
}
