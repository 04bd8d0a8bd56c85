//! The JSON metrics push body, `{"metrics":[{"name","type","value","labels","help"}]}`
//! (seed 004's `record_custom_metric`): serde types with `deny_unknown_fields`, and validation
//! that names the failing field with its index (`metrics[3].value: must be a finite number`).
//!
//! Dotted names map to underscores (`business.user_signups` → `business_user_signups`), in
//! metric and label names alike. `tags` is accepted as another spelling of `labels`.

use super::error::PushError;
use super::names::{label_name_problem, metric_name_problem, undot};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// The body of `POST /api/v1/metrics`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsBody {
    /// The pushed metrics, applied in order.
    pub metrics: Vec<JsonMetric>,
}

/// One pushed metric as it appears in the body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonMetric {
    /// The metric name; dots become underscores.
    pub name: String,
    /// `counter` (value is added), `gauge` (value is set, the default) or `histogram`
    /// (value is observed).
    #[serde(rename = "type", default)]
    pub kind: PushKind,
    /// The value to add, set or observe.
    pub value: f64,
    /// Labels of the series.
    #[serde(default, alias = "tags")]
    pub labels: BTreeMap<String, String>,
    /// The HELP text (the catalogue's, or empty, when missing).
    #[serde(default)]
    pub help: Option<String>,
}

/// How a pushed value is applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PushKind {
    /// Adds the value (must be >= 0).
    Counter,
    /// Sets the value.
    #[default]
    Gauge,
    /// Observes the value into buckets.
    Histogram,
}

/// A validated pushed metric, ready for `PushStore::apply_metrics`.
#[derive(Clone, Debug, PartialEq)]
pub struct PushedMetric {
    /// The undotted, valid metric name.
    pub name: String,
    /// How the value is applied.
    pub kind: PushKind,
    /// A finite value (non-negative for counters).
    pub value: f64,
    /// Undotted, valid label names with their values, sorted by name.
    pub labels: Vec<(String, String)>,
    /// The HELP text, if the push gave one.
    pub help: Option<String>,
}

/// Decodes and validates a metrics push body. Never panics.
pub fn parse_json_push(body: &[u8]) -> Result<Vec<PushedMetric>, PushError> {
    let body: MetricsBody = decode_json(body)?;
    body.metrics
        .into_iter()
        .enumerate()
        .map(|(i, metric)| validate_metric(i, metric))
        .collect()
}

/// Decodes a JSON document into `T`, naming the failing path (`metrics[3].value`).
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, PushError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| PushError::Body {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })?;
    deserializer.end().map_err(|e| PushError::Body {
        path: ".".to_owned(),
        message: e.to_string(),
    })?;
    Ok(value)
}

fn validate_metric(i: usize, mut metric: JsonMetric) -> Result<PushedMetric, PushError> {
    let name = if metric.name.contains('.') {
        undot(&metric.name)
    } else {
        std::mem::take(&mut metric.name)
    };
    if let Some(problem) = metric_name_problem(&name) {
        let shown = if metric.name.is_empty() {
            &name
        } else {
            &metric.name
        };
        return Err(PushError::field(
            format!("metrics[{i}].name"),
            format!("invalid metric name {shown:?}: {problem}"),
        ));
    }
    if !metric.value.is_finite() {
        return Err(PushError::field(
            format!("metrics[{i}].value"),
            "must be a finite number",
        ));
    }
    if metric.kind == PushKind::Counter && metric.value < 0.0 {
        return Err(PushError::field(
            format!("metrics[{i}].value"),
            "a counter increment must not be negative",
        ));
    }
    let labels = validate_labels(&format!("metrics[{i}].labels"), metric.labels)?;
    Ok(PushedMetric {
        name,
        kind: metric.kind,
        value: metric.value,
        labels,
        help: metric.help,
    })
}

/// Undots and checks label names; two names that undot to the same one are refused.
pub fn validate_labels(
    field: &str,
    labels: BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, PushError> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(labels.len());
    let mut renamed = false;
    for (raw, value) in labels {
        renamed |= raw.contains('.');
        let name = if raw.contains('.') { undot(&raw) } else { raw };
        if let Some(problem) = label_name_problem(&name) {
            return Err(PushError::field(
                format!("{field}.{name}"),
                format!("invalid label name {name:?}: {problem}"),
            ));
        }
        out.push((name, value));
    }
    if renamed {
        out.sort_by(|a, b| a.0.cmp(&b.0));
    }
    if let Some(pair) = out.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(PushError::field(
            format!("{field}.{}", pair[0].0),
            "duplicate label after mapping dots to underscores",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(body: &str) -> String {
        parse_json_push(body.as_bytes())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn seed_custom_metric_is_accepted_and_undotted() {
        let body = r#"{"metrics":[{"name":"business.user_signups","value":5.0,
            "tags":{"source":"web"}},{"name":"jobs","type":"counter","value":2,
            "labels":{"a.b":"x"},"help":"Jobs."}]}"#;
        let metrics = parse_json_push(body.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(metrics[0].name, "business_user_signups");
        assert_eq!(metrics[0].kind, PushKind::Gauge);
        assert_eq!(metrics[0].labels, [("source".to_owned(), "web".to_owned())]);
        assert_eq!(metrics[1].kind, PushKind::Counter);
        assert_eq!(metrics[1].labels[0].0, "a_b");
        assert_eq!(metrics[1].help.as_deref(), Some("Jobs."));
    }

    #[test]
    fn field_errors_carry_the_index() {
        let ok = r#"{"name":"a","value":1}"#;
        assert_eq!(
            error_of(r#"{"metrics":[{"name":"9x","value":1}]}"#),
            "metrics[0].name: invalid metric name \"9x\": must start with a letter, '_' or ':'"
        );
        assert_eq!(
            error_of(&format!(
                r#"{{"metrics":[{ok},{ok},{ok},{{"name":"c","type":"counter","value":-1}}]}}"#
            )),
            "metrics[3].value: a counter increment must not be negative"
        );
        assert!(
            error_of(r#"{"metrics":[{"name":"a","value":1,"labels":{"__x":"1"}}]}"#)
                .starts_with("metrics[0].labels.__x: invalid label name")
        );
        assert!(
            error_of(r#"{"metrics":[{"name":"a","value":1,"labels":{"a.b":"1","a_b":"2"}}]}"#)
                .contains("duplicate label")
        );
    }

    #[test]
    fn shape_errors_name_the_path() {
        let message = error_of(r#"{"metrics":[{"name":"a","value":"x"}]}"#);
        assert!(
            message.starts_with("invalid body: metrics[0].value:"),
            "{message}"
        );
        let message = error_of(r#"{"metrics":[{"name":"a","value":1,"unit":"s"}]}"#);
        assert!(message.contains("unknown field `unit`"), "{message}");
        let message = error_of(r#"{"metrics":[{"name":"a","value":NaN}]}"#);
        assert!(message.starts_with("invalid body"), "{message}");
        let message = error_of(r#"{"metrics":[{"name":"a","type":"summary","value":1}]}"#);
        assert!(message.contains("metrics[0].type"), "{message}");
        assert!(error_of(r#"{"metrics":[]} trailing"#).starts_with("invalid body"));
    }
}
