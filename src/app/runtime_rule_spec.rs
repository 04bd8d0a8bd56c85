//! The body of `POST /api/v1/alerts/configure` (seed 001's shape, plus seed 004's shorthand
//! keys): parsed with the failing field named, turned into a rule-file entry of the `runtime`
//! group and validated by the rule-file loader itself, so a runtime rule is checked exactly like
//! one in a file.

use crate::model::duration::format_duration;
use crate::rules::RuleGroup;
use crate::rules::file::parse_rule_text;
use crate::rules::model::CompareOp;
use crate::rules::shorthand::exported_metric_name;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// The group (and file name) runtime rules are loaded into.
pub const RUNTIME_GROUP: &str = "runtime";

/// One runtime threshold rule as the API accepts and the store keeps it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeRuleSpec {
    /// The alert name (`alertname`).
    pub name: String,
    /// Seed 001's `type`; only `threshold`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A metric name (dots map to underscores), compared with `threshold`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// A whole expression instead of `metric` (compared with `threshold` when one is given).
    #[serde(default, alias = "expr", skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// The threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// `gt lt gte lte eq ne` or `> < >= <= == !=`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Seed 001's words: `greater_than`, `less_than`, `equal`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// How long the condition must hold, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    /// The same as a duration text (`5m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// The `severity` label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// False keeps the rule stored but not evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Receivers to notify directly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// Seed 001's `notify`: an object whose keys, a list or a string naming receivers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Value>,
    /// Extra labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations (templates allowed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// A bad runtime rule: the request field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SpecError {
    /// The field of the request body.
    pub field: String,
    /// What is wrong, lowercase.
    pub message: String,
}

fn bad(field: &str, message: impl Into<String>) -> SpecError {
    SpecError {
        field: field.to_owned(),
        message: message.into(),
    }
}

impl RuntimeRuleSpec {
    /// Parses a request body, naming the field of a type error or an unknown key.
    pub fn from_json(body: &Value) -> Result<Self, SpecError> {
        serde_path_to_error::deserialize(body).map_err(|error| {
            let message = error.inner().to_string();
            let path = error.path().to_string();
            let field = match message.strip_prefix("unknown field `") {
                Some(rest) if path == "." => rest.split('`').next().unwrap_or("body").to_owned(),
                _ if path == "." => "body".to_owned(),
                _ => path,
            };
            SpecError { field, message }
        })
    }

    /// Validates the spec the way a rule file is validated; the compiled `runtime` group.
    pub fn validate(&self) -> Result<RuleGroup, SpecError> {
        let entry = self.rule_entry()?;
        let mut groups = rule_group(vec![entry])?;
        groups
            .pop()
            .ok_or_else(|| bad("name", "the rule did not load"))
    }

    /// The rule-file entry (`alert`, `expr`, `for`, ...) of this spec.
    fn rule_entry(&self) -> Result<Value, SpecError> {
        check_name(&self.name)?;
        if self.kind.as_deref().is_some_and(|k| k != "threshold") {
            return Err(bad("type", "only \"threshold\" rules can be configured"));
        }
        let base = match (&self.metric, &self.expression) {
            (Some(metric), None) if !metric.trim().is_empty() => exported_metric_name(metric),
            (None, Some(expr)) if !expr.trim().is_empty() => format!("({expr})"),
            (Some(_), Some(_)) => {
                return Err(bad("expression", "give `metric` or `expression`, not both"));
            }
            _ => return Err(bad("metric", "is required (or `expression`)")),
        };
        let op = self.compare_op()?;
        let expr = match (op, self.threshold) {
            (Some(op), Some(t)) if t.is_finite() => format!("{base} {} {t}", op.symbol()),
            (_, Some(_)) => return Err(bad("threshold", "must be a finite number")),
            (Some(_), None) => return Err(bad("threshold", "is required with an operator")),
            (None, None) if self.expression.is_some() => base,
            (None, None) => return Err(bad("threshold", "is required")),
        };
        let mut labels: BTreeMap<String, String> = self.labels.clone();
        if let Some(severity) = &self.severity {
            labels.insert("severity".to_owned(), severity.clone());
        }
        let mut annotations = self.annotations.clone();
        if !annotations.contains_key("summary") {
            let watched = self.metric.as_deref().or(self.expression.as_deref());
            let condition =
                op.map(|op| format!(" ({} {})", op.symbol(), self.threshold.unwrap_or_default()));
            let summary = format!(
                "{}: {} = {{{{ $value }}}}{}",
                self.name,
                watched.unwrap_or_default(),
                condition.unwrap_or_default()
            );
            annotations.insert("summary".to_owned(), summary);
        }
        Ok(json!({
            "alert": self.name,
            "expr": expr,
            "for": format_duration(self.hold()?),
            "labels": labels,
            "annotations": annotations,
            "channels": self.receivers()?,
            "enabled": self.enabled.unwrap_or(true),
        }))
    }

    fn compare_op(&self) -> Result<Option<CompareOp>, SpecError> {
        let (field, text) = match (&self.operator, &self.condition) {
            (Some(text), _) => ("operator", text),
            (None, Some(text)) => ("condition", text),
            (None, None) if self.threshold.is_some() => {
                return Err(bad("operator", "is required (gt, lt, gte, lte, eq, ne)"));
            }
            (None, None) => return Ok(None),
        };
        let word = match text.trim() {
            "greater_than" | "above" => "gt",
            "less_than" | "below" => "lt",
            "greater_than_or_equal" | "greater_or_equal" => "gte",
            "less_than_or_equal" | "less_or_equal" => "lte",
            "equal" | "equals" | "equal_to" => "eq",
            "not_equal" | "not_equal_to" => "ne",
            other => other,
        };
        CompareOp::parse(word).map(Some).ok_or_else(|| {
            bad(field, format!("unknown operator {text:?} (use gt, lt, gte, lte, eq, ne or greater_than, less_than, ...)"))
        })
    }

    fn hold(&self) -> Result<Duration, SpecError> {
        match (self.duration_seconds, &self.duration) {
            (Some(seconds), _) if seconds.is_finite() && (0.0..=1e9).contains(&seconds) => {
                Ok(Duration::from_secs_f64(seconds))
            }
            (Some(_), _) => Err(bad(
                "duration_seconds",
                "must be a non-negative number of seconds",
            )),
            (None, Some(text)) => {
                crate::model::duration::parse_duration(text).map_err(|e| bad("duration", e))
            }
            (None, None) => Ok(Duration::ZERO),
        }
    }

    /// `channels` plus the receivers `notify` names.
    fn receivers(&self) -> Result<Vec<String>, SpecError> {
        let mut names = self.channels.clone();
        match &self.notify {
            None | Some(Value::Null) => {}
            Some(Value::String(name)) => names.push(name.clone()),
            Some(Value::Object(map)) => names.extend(map.keys().cloned()),
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let name = item
                        .as_str()
                        .ok_or_else(|| bad(&format!("notify[{i}]"), "must be a receiver name"))?;
                    names.push(name.to_owned());
                }
            }
            Some(_) => {
                return Err(bad(
                    "notify",
                    "must name receivers (an object, a list or a string)",
                ));
            }
        }
        names.dedup();
        Ok(names)
    }
}

/// A rule name usable as a label value and in a URL path.
fn check_name(name: &str) -> Result<(), SpecError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':');
    if name.is_empty() || name.len() > 128 || !name.chars().all(allowed) {
        return Err(bad(
            "name",
            "must be 1 to 128 characters of letters, digits, _ - . :",
        ));
    }
    Ok(())
}

/// The keys `rule_entry` writes.
const RULE_KEYS: [&str; 7] = [
    "alert",
    "expr",
    "for",
    "labels",
    "annotations",
    "channels",
    "enabled",
];

/// Loads rule entries as the `runtime` group through the rule-file loader; the first problem is
/// reported against the request field that produced it.
fn rule_group(entries: Vec<Value>) -> Result<Vec<RuleGroup>, SpecError> {
    let file = json!({"groups": [{"name": RUNTIME_GROUP, "rules": entries}]});
    let text = serde_yaml::to_string(&file).map_err(|e| bad("body", e.to_string()))?;
    parse_rule_text(Path::new(RUNTIME_GROUP), &text).map_err(|diagnostics| {
        let first = &diagnostics[0];
        let lines: Vec<&str> = text.lines().take(first.line).collect();
        let key_of = |line: &&str| {
            let key = line.trim_start().trim_start_matches("- ");
            key.split(':').next().unwrap_or_default().trim().to_owned()
        };
        let field = match lines
            .iter()
            .rev()
            .map(key_of)
            .find(|k| RULE_KEYS.contains(&k.as_str()))
        {
            Some(key) if key == "alert" => "name".to_owned(),
            Some(key) if key == "expr" => "metric".to_owned(),
            Some(key) if key == "for" => "duration_seconds".to_owned(),
            Some(key) => key,
            None => "body".to_owned(),
        };
        bad(&field, first.message.clone())
    })
}

/// The `runtime` group of every spec (empty when there are none); a spec that no longer loads is
/// skipped with a warning.
pub fn runtime_groups(specs: &[RuntimeRuleSpec]) -> Vec<RuleGroup> {
    let mut entries = Vec::new();
    for spec in specs {
        match spec
            .rule_entry()
            .and_then(|entry| rule_group(vec![entry.clone()]).map(|_| entry))
        {
            Ok(entry) => entries.push(entry),
            Err(error) => {
                tracing::warn!(rule = %spec.name, %error, "skipping a stored runtime rule")
            }
        }
    }
    if entries.is_empty() {
        return Vec::new();
    }
    rule_group(entries).unwrap_or_default()
}

#[cfg(test)]
#[path = "runtime_rule_spec_tests.rs"]
mod tests;
