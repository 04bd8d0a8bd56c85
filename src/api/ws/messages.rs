//! The WebSocket protocol: what a client sends (`subscribe`, `unsubscribe`), what the server
//! sends (`heartbeat`, `subscribed`, `metric_update`, `alert_firing`, `alert_resolved`,
//! `error`), and the diff that turns a registry publication into `metric_update`s for the
//! series a client subscribed to whose value changed (or that are new).

use crate::app::GroupAlertEvent;
use crate::metrics::{MetricFamily, Publication, Snapshot};
use crate::model::Labels;
use crate::rules::state::EventKind;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, SystemTime};

/// At most this many metric names per subscription.
pub const MAX_SUBSCRIBED_METRICS: usize = 1000;

/// A message from the client.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// Adds metric names (family names like `http_requests_total`, or series names like
    /// `http_request_duration_seconds_count`).
    Subscribe {
        /// The names.
        metrics: Vec<String>,
    },
    /// Removes metric names.
    Unsubscribe {
        /// The names.
        metrics: Vec<String>,
    },
}

/// Parses a client message; the error names the field at fault.
pub fn parse_client_message(text: &str) -> Result<ClientMessage, (String, String)> {
    let message: ClientMessage = serde_json::from_str(text).map_err(|error| {
        let field = if error.to_string().contains("metrics") {
            "metrics"
        } else {
            "type"
        };
        (
            field.to_owned(),
            format!(
                "invalid message: {error}; expected {{\"type\":\"subscribe\",\"metrics\":[...]}}"
            ),
        )
    })?;
    let (ClientMessage::Subscribe { metrics } | ClientMessage::Unsubscribe { metrics }) = &message;
    if metrics.len() > MAX_SUBSCRIBED_METRICS {
        return Err((
            "metrics".to_owned(),
            format!("at most {MAX_SUBSCRIBED_METRICS} metric names per message"),
        ));
    }
    if let Some((i, _)) = metrics.iter().enumerate().find(|(_, m)| m.is_empty()) {
        return Err((
            format!("metrics[{i}]"),
            "metric names must not be empty".to_owned(),
        ));
    }
    Ok(message)
}

/// RFC 3339 with milliseconds, UTC.
pub fn timestamp(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

/// `{"type":"heartbeat","timestamp":...}`.
pub fn heartbeat(now: SystemTime) -> String {
    json!({"type": "heartbeat", "timestamp": timestamp(now)}).to_string()
}

/// `{"type":"error","field":...,"message":...}`.
pub fn error(field: &str, message: &str) -> String {
    json!({"type": "error", "field": field, "message": message}).to_string()
}

/// `{"type":"subscribed","metrics":[...]}`: the whole subscription after a change.
pub fn subscribed(metrics: &BTreeSet<String>) -> String {
    json!({"type": "subscribed", "metrics": metrics}).to_string()
}

fn json_number(value: f64) -> Value {
    if value.is_finite() {
        json!(value)
    } else {
        let mut text = String::new();
        crate::metrics::format_value(value, &mut text);
        Value::String(text)
    }
}

fn metric_update(name: &str, labels: &Labels, value: f64, at: SystemTime) -> String {
    json!({
        "type": "metric_update",
        "metric": name,
        "labels": labels,
        "value": json_number(value),
        "timestamp": timestamp(at),
    })
    .to_string()
}

/// True when `family` (or one of its series names) is in `subscription`.
fn subscribed_to(subscription: &BTreeSet<String>, family: &MetricFamily, suffix: &str) -> bool {
    subscription.contains(&family.name)
        || subscription.contains(&format!("{}{suffix}", family.name))
}

/// `metric_update`s for the subscribed series of `snapshot`, all of them (on subscribe).
pub fn current_updates(
    snapshot: &Snapshot,
    subscription: &BTreeSet<String>,
    out: &mut Vec<String>,
) {
    for family in &snapshot.families {
        for sample in &family.samples {
            if subscribed_to(subscription, family, sample.suffix) {
                let name = format!("{}{}", family.name, sample.suffix);
                out.push(metric_update(
                    &name,
                    &sample.labels,
                    sample.value,
                    snapshot.collected_at,
                ));
            }
        }
    }
}

/// `metric_update`s for the subscribed series whose value changed or that are new.
pub fn changed_updates(
    publication: &Publication,
    subscription: &BTreeSet<String>,
    out: &mut Vec<String>,
) {
    let current = &publication.current;
    for family in &current.families {
        if !family
            .samples
            .iter()
            .any(|s| subscribed_to(subscription, family, s.suffix))
        {
            continue;
        }
        let before: HashMap<(&str, &Labels), f64> = publication
            .previous
            .iter()
            .flat_map(|p| p.families.iter().filter(|f| f.name == family.name))
            .flat_map(|f| f.samples.iter().map(|s| ((s.suffix, &s.labels), s.value)))
            .collect();
        for sample in &family.samples {
            if !subscribed_to(subscription, family, sample.suffix) {
                continue;
            }
            let old = before.get(&(sample.suffix, &sample.labels));
            if old.is_some_and(|old| old.to_bits() == sample.value.to_bits()) {
                continue;
            }
            let name = format!("{}{}", family.name, sample.suffix);
            out.push(metric_update(
                &name,
                &sample.labels,
                sample.value,
                current.collected_at,
            ));
        }
    }
}

/// `alert_firing` / `alert_resolved` for a transition (None for other transitions).
pub fn alert_event(event: &GroupAlertEvent) -> Option<String> {
    let kind = match event.event.kind {
        EventKind::Firing => "alert_firing",
        EventKind::Resolved => "alert_resolved",
        _ => return None,
    };
    let alert = &event.event.alert;
    let at = SystemTime::UNIX_EPOCH
        + Duration::from_millis(u64::try_from(event.event.at_ms).unwrap_or(0));
    Some(
        json!({
            "type": kind,
            "alertname": alert.labels.get("alertname"),
            "group": event.group,
            "severity": alert.labels.get("severity"),
            "labels": alert.labels,
            "annotations": alert.annotations,
            "value": json_number(alert.value),
            "timestamp": timestamp(at),
        })
        .to_string(),
    )
}
