//! The seed's alert shorthand, loaded unchanged:
//! `alerts: <category>: <name>: {metric, threshold, operator, duration_seconds, severity,
//! enabled, channels}`. Each category becomes a group (and a `category` label), each `<name>` an
//! alert named exactly so, with `expr: <metric, dots as underscores> <op> <threshold>`.

use super::file::{Checker, join};
use super::model::{AlertRule, CompareOp, RuleGroup};
use super::rule_parse::compile_at;
use super::template::Template;
use crate::model::Labels;
use serde::Deserialize;
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// One shorthand alert as written.
#[derive(Debug, Deserialize)]
struct ShorthandAlert {
    metric: String,
    threshold: f64,
    operator: String,
    #[serde(default)]
    duration_seconds: f64,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default = "enabled_by_default")]
    enabled: bool,
    #[serde(default)]
    channels: Vec<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

fn enabled_by_default() -> bool {
    true
}

/// `system.cpu.usage_percent` → `system_cpu_usage_percent`.
pub fn exported_metric_name(dotted: &str) -> String {
    dotted.replace(['.', '-'], "_")
}

/// Parses the `alerts:` mapping into one group per category.
pub fn parse_alerts(checker: &mut Checker<'_>, alerts: &Value, file: &Path) -> Vec<RuleGroup> {
    let Value::Mapping(categories) = alerts else {
        checker.at_value(
            "alerts",
            "alerts must be a mapping of category: name: alert",
        );
        return Vec::new();
    };
    let mut groups = Vec::new();
    for (category, entries) in categories {
        let category = category.as_str().unwrap_or_default().to_owned();
        let category_path = join("alerts", &category);
        let Value::Mapping(entries) = entries else {
            checker.at_value(
                &category_path,
                format!("alerts.{category} must be a mapping of alert names"),
            );
            continue;
        };
        let labels = Labels::from_pairs([("category", category.as_str())]);
        let mut rules = Vec::new();
        for (name, entry) in entries {
            let name = name.as_str().unwrap_or_default().to_owned();
            let path = join(&category_path, &name);
            if let Some((rule, true)) = parse_one(checker, entry, &path, &name, &labels) {
                rules.push(rule);
            }
        }
        groups.push(RuleGroup {
            name: category,
            file: file.to_owned(),
            interval: None,
            labels,
            rules,
        });
    }
    groups
}

const ALERT_KEYS: [&str; 9] = [
    "metric",
    "threshold",
    "operator",
    "duration_seconds",
    "severity",
    "enabled",
    "channels",
    "labels",
    "annotations",
];

fn deserialize(checker: &mut Checker<'_>, entry: &Value, path: &str) -> Option<ShorthandAlert> {
    let Value::Mapping(map) = entry else {
        checker.at_value(path, "an alert must be a mapping");
        return None;
    };
    checker.known_keys(map, path, &ALERT_KEYS, "an alert");
    let result: Result<ShorthandAlert, _> = serde_path_to_error::deserialize(entry.clone());
    match result {
        Ok(alert) => Some(alert),
        Err(e) => {
            let field = e.path().to_string();
            let at = if field == "." {
                path.to_owned()
            } else {
                join(path, &field)
            };
            checker.at_value(&at, format!("bad alert: {}", e.inner()));
            None
        }
    }
}

fn parse_one(
    checker: &mut Checker<'_>,
    entry: &Value,
    path: &str,
    name: &str,
    group_labels: &Labels,
) -> Option<(AlertRule, bool)> {
    let alert = deserialize(checker, entry, path)?;
    let Some(op) = CompareOp::parse(&alert.operator) else {
        let message = format!(
            "unknown operator {:?} (use gt, lt, gte, lte, eq or ne)",
            alert.operator
        );
        checker.at_value(&join(path, "operator"), message);
        return None;
    };
    if !(alert.duration_seconds.is_finite() && alert.duration_seconds >= 0.0) {
        checker.at_value(
            &join(path, "duration_seconds"),
            "duration_seconds must be a non-negative number",
        );
        return None;
    }
    let metric = exported_metric_name(&alert.metric);
    let expr_text = format!("{metric} {} {}", op.symbol(), alert.threshold);
    let expr = compile_at(checker, &expr_text, &join(path, "metric"))?;
    let literal = |text: &str| Template::parse(text, &[]).ok();
    let mut labels: Vec<(String, Template)> = group_labels
        .iter()
        .filter_map(|(k, v)| literal(v).map(|t| (k.to_owned(), t)))
        .collect();
    if let Some(severity) = &alert.severity {
        labels.extend(literal(severity).map(|t| ("severity".to_owned(), t)));
    }
    for (key, value) in &alert.labels {
        labels.retain(|(k, _)| k != key);
        labels.extend(literal(value).map(|t| (key.clone(), t)));
    }
    let mut annotations = Vec::new();
    for (key, value) in &alert.annotations {
        match Template::parse(value, &[]) {
            Ok(t) => annotations.push((key.clone(), t)),
            Err(e) => checker.at_value(
                &join(&join(path, "annotations"), key),
                format!("bad template: {}", e.message),
            ),
        }
    }
    if !alert.annotations.contains_key("summary") {
        let summary = format!(
            "{name}: {} = {{{{ $value }}}} ({} {})",
            alert.metric, alert.operator, alert.threshold
        );
        annotations.extend(literal(&summary).map(|t| ("summary".to_owned(), t)));
    }
    let rule = AlertRule {
        name: name.to_owned(),
        expr_text,
        expr,
        hold: Duration::from_secs_f64(alert.duration_seconds),
        keep_firing_for: Duration::ZERO,
        thresholds: Vec::new(),
        clear: None,
        values: Vec::new(),
        labels,
        annotations,
        channels: alert.channels,
        definition: format!(
            "{}{group_labels}",
            serde_yaml::to_string(entry).unwrap_or_default()
        ),
    };
    Some((rule, alert.enabled))
}
