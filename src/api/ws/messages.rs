//! The WebSocket protocol: what a client sends (`subscribe`, `unsubscribe`), what the server
//! sends (`heartbeat`, `subscribed`, `metric_update`, `alert_firing`, `alert_resolved`,
//! `error`), and the diff that turns a registry publication into `metric_update`s for the
//! series a client subscribed to whose value changed (or that are new).

use crate::app::GroupAlertEvent;
use crate::metrics::{MetricFamily, Publication, Snapshot};
use crate::model::Labels;
use crate::rules::state::EventKind;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, SystemTime};

/// At most this many metric names per subscription.
pub const MAX_SUBSCRIBED_METRICS: usize = 1000;

/// A message from the client.
#[derive(Debug, PartialEq)]
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

/// Parses a client message; the error is `(field, message)`, naming the field at fault.
pub fn parse_client_message(text: &str) -> Result<ClientMessage, (String, String)> {
    let problem = |field: &str, message: String| (field.to_owned(), message);
    let value: Value = serde_json::from_str(text)
        .map_err(|error| problem("type", format!("the message is not JSON: {error}")))?;
    let kind = value.get("type").and_then(Value::as_str);
    let subscribe = match kind {
        Some("subscribe") => true,
        Some("unsubscribe") => false,
        _ => {
            return Err(problem(
                "type",
                "must be \"subscribe\" or \"unsubscribe\"".to_owned(),
            ));
        }
    };
    let Some(items) = value.get("metrics").and_then(Value::as_array) else {
        return Err(problem(
            "metrics",
            "must be a list of metric names".to_owned(),
        ));
    };
    if items.len() > MAX_SUBSCRIBED_METRICS {
        return Err(problem(
            "metrics",
            format!("at most {MAX_SUBSCRIBED_METRICS} metric names per message"),
        ));
    }
    let mut metrics = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(name) if !name.is_empty() => metrics.push(name.to_owned()),
            _ => {
                return Err(problem(
                    &format!("metrics[{i}]"),
                    "must be a non-empty metric name".to_owned(),
                ));
            }
        }
    }
    Ok(if subscribe {
        ClientMessage::Subscribe { metrics }
    } else {
        ClientMessage::Unsubscribe { metrics }
    })
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

/// Which samples of a family a subscription wants: all of them (the family name is
/// subscribed) or those whose suffix completes a subscribed series name.
enum Wanted {
    All,
    Suffixes(Vec<String>),
}

impl Wanted {
    fn of(subscription: &BTreeSet<String>, family: &MetricFamily) -> Option<Self> {
        if subscription.contains(&family.name) {
            return Some(Self::All);
        }
        let suffixes: Vec<String> = subscription
            .range(family.name.clone()..)
            .take_while(|name| name.starts_with(family.name.as_str()))
            .map(|name| name[family.name.len()..].to_owned())
            .collect();
        (!suffixes.is_empty()).then_some(Self::Suffixes(suffixes))
    }

    fn wants(&self, suffix: &str) -> bool {
        match self {
            Self::All => true,
            Self::Suffixes(suffixes) => suffixes.iter().any(|s| s == suffix),
        }
    }
}

/// `metric_update`s for the subscribed series of `snapshot`, all of them (on subscribe).
pub fn current_updates(
    snapshot: &Snapshot,
    subscription: &BTreeSet<String>,
    out: &mut Vec<String>,
) {
    for family in &snapshot.families {
        let Some(wanted) = Wanted::of(subscription, family) else {
            continue;
        };
        for sample in family.samples.iter().filter(|s| wanted.wants(s.suffix)) {
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

/// `metric_update`s for the subscribed series whose value changed or that are new.
pub fn changed_updates(
    publication: &Publication,
    subscription: &BTreeSet<String>,
    out: &mut Vec<String>,
) {
    let current = &publication.current;
    for family in &current.families {
        let Some(wanted) = Wanted::of(subscription, family) else {
            continue;
        };
        let before: HashMap<(&str, &Labels), f64> = publication
            .previous
            .iter()
            .flat_map(|p| p.families.iter().filter(|f| f.name == family.name))
            .flat_map(|f| f.samples.iter().map(|s| ((s.suffix, &s.labels), s.value)))
            .collect();
        for sample in family.samples.iter().filter(|s| wanted.wants(s.suffix)) {
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
