//! JSON bodies for Alertmanager-compatible receivers: the webhook payload version 4 (so every
//! existing Alertmanager webhook receiver works) and the `POST /api/v2/alerts` body.

use super::alert::{Alert, format_elapsed, later, rfc3339, rfc3339_or_zero};
use super::message::Message;
use crate::model::Labels;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// Alertmanager's webhook message, version 4.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookPayload {
    /// Always `"4"`.
    pub version: &'static str,
    /// The group key.
    pub group_key: String,
    /// Alerts left out because of `max_alerts`.
    pub truncated_alerts: usize,
    /// `firing` or `resolved`.
    pub status: &'static str,
    /// The receiver name.
    pub receiver: String,
    /// The group labels.
    pub group_labels: Labels,
    /// Labels common to all alerts.
    pub common_labels: Labels,
    /// Annotations common to all alerts.
    pub common_annotations: BTreeMap<String, String>,
    /// watchpost's URL.
    #[serde(rename = "externalURL")]
    pub external_url: String,
    /// The alerts.
    pub alerts: Vec<WebhookAlert>,
}

/// One alert in a webhook payload.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAlert {
    /// `firing` or `resolved`.
    pub status: &'static str,
    /// Labels.
    pub labels: Labels,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339; `0001-01-01T00:00:00Z` while firing.
    pub ends_at: String,
    /// Link to the rule.
    #[serde(rename = "generatorURL")]
    pub generator_url: String,
    /// 16 hex digits.
    pub fingerprint: String,
}

/// Builds the webhook payload; `max_alerts` 0 means all alerts.
pub fn webhook_payload(message: &Message, max_alerts: usize) -> WebhookPayload {
    let keep = if max_alerts == 0 {
        message.alerts.len()
    } else {
        max_alerts.min(message.alerts.len())
    };
    WebhookPayload {
        version: "4",
        group_key: message.group_key.clone(),
        truncated_alerts: message.alerts.len() - keep,
        status: message.status().as_str(),
        receiver: message.receiver.clone(),
        group_labels: message.group_labels.clone(),
        common_labels: message.common_labels(),
        common_annotations: message.common_annotations(),
        external_url: message.external_url.clone(),
        alerts: message
            .alerts
            .iter()
            .take(keep)
            .map(webhook_alert)
            .collect(),
    }
}

/// The annotations of a webhook alert; a resolved one also gets `value_at_resolve` (`absent`
/// when the series was gone) and `fired_for`, unless the rule set those itself.
fn webhook_annotations(alert: &Alert) -> BTreeMap<String, String> {
    let mut annotations = alert.annotations.clone();
    if let Some(fired_for) = alert.fired_for().filter(|_| !alert.is_firing()) {
        annotations
            .entry("value_at_resolve".to_owned())
            .or_insert_with(|| alert.value_text());
        annotations
            .entry("fired_for".to_owned())
            .or_insert_with(|| format_elapsed(fired_for));
    }
    annotations
}

fn webhook_alert(alert: &Alert) -> WebhookAlert {
    WebhookAlert {
        status: alert.status.as_str(),
        labels: alert.labels.clone(),
        annotations: webhook_annotations(alert),
        starts_at: rfc3339(alert.starts_at),
        ends_at: rfc3339_or_zero(alert.ends_at),
        generator_url: alert.generator_url.clone(),
        fingerprint: alert.fingerprint.to_string(),
    }
}

/// One element of the Alertmanager `POST /api/v2/alerts` body.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableAlert {
    /// Labels.
    pub labels: Labels,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339: the resolve time, or `now + valid_for` while firing.
    pub ends_at: String,
    /// Link to the rule (omitted when empty: Alertmanager validates it as a URI).
    #[serde(rename = "generatorURL", skip_serializing_if = "String::is_empty")]
    pub generator_url: String,
}

/// The `/api/v2/alerts` body. Firing alerts get `endsAt = now + valid_for`, so Alertmanager
/// resolves them by itself if watchpost stops re-sending (as Prometheus does).
pub fn alertmanager_alerts(
    message: &Message,
    now: SystemTime,
    valid_for: Duration,
) -> Vec<PostableAlert> {
    message
        .alerts
        .iter()
        .map(|alert| PostableAlert {
            labels: alert.labels.clone(),
            annotations: alert.annotations.clone(),
            starts_at: rfc3339(alert.starts_at),
            ends_at: rfc3339(alert.ends_at.unwrap_or_else(|| later(now, valid_for))),
            generator_url: alert.generator_url.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::alert::tests::at;
    use crate::notify::message::tests::sample_message;
    use serde_json::{Value, json};

    fn to_json(value: impl Serialize) -> Value {
        serde_json::to_value(value).unwrap_or(Value::Null)
    }

    #[test]
    fn webhook_v4_shape() {
        let message = sample_message();
        let fingerprint = message.alerts[0].fingerprint.to_string();
        let expected = json!({
            "version": "4",
            "groupKey": "{}:{alertname=\"DiskFull\"}",
            "truncatedAlerts": 1,
            "status": "firing",
            "receiver": "ops",
            "groupLabels": {"alertname": "DiskFull"},
            "commonLabels": {"alertname": "DiskFull", "severity": "critical"},
            "commonAnnotations": {},
            "externalURL": "http://watchpost:39101",
            "alerts": [{
                "status": "firing",
                "labels": {"alertname": "DiskFull", "instance": "a", "severity": "critical"},
                "annotations": {"summary": "DiskFull on a"},
                "startsAt": "1970-01-01T00:16:40.000Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://watchpost:39101/api/v1/rules",
                "fingerprint": fingerprint,
            }],
        });
        assert_eq!(to_json(webhook_payload(&message, 1)), expected);
        let all = to_json(webhook_payload(&message, 0));
        assert_eq!(all["truncatedAlerts"], 0);
        assert_eq!(all["alerts"][1]["status"], "resolved");
        assert_eq!(all["alerts"][1]["endsAt"], "1970-01-01T00:21:40.000Z");
        let resolved = &all["alerts"][1]["annotations"];
        assert_eq!(resolved["value_at_resolve"], "12");
        assert_eq!(resolved["fired_for"], "5m");
        assert_eq!(all["alerts"][0]["annotations"].get("fired_for"), None);
    }

    #[test]
    fn alertmanager_v2_body() {
        let mut message = sample_message();
        message.alerts[1].generator_url.clear();
        let body = to_json(alertmanager_alerts(
            &message,
            at(1400),
            Duration::from_secs(240),
        ));
        assert_eq!(body[0]["endsAt"], "1970-01-01T00:27:20.000Z");
        assert_eq!(body[0]["startsAt"], "1970-01-01T00:16:40.000Z");
        assert_eq!(body[1]["endsAt"], "1970-01-01T00:21:40.000Z");
        assert_eq!(body[1].get("generatorURL"), None);
        assert_eq!(body[0]["labels"]["instance"], "a");
        assert_eq!(body.as_array().map(Vec::len), Some(2));
    }
}
