//! The Slack incoming-webhook message: Block Kit blocks inside one attachment whose colour bar
//! is red (firing critical), amber (firing otherwise) or green (all resolved), posted to the
//! channel for the group's severity (seed 004: `channels: {default, critical}`).

use super::alert::{Alert, format_elapsed, format_value, rfc3339};
use super::config::SlackChannels;
use super::message::Message;
use serde_json::{Value, json};

/// Colour of a group with a firing critical alert.
pub const COLOR_CRITICAL: &str = "#d63232";
/// Colour of a firing group without critical alerts.
pub const COLOR_WARNING: &str = "#e8a317";
/// Colour of a resolved group.
pub const COLOR_RESOLVED: &str = "#2eb67d";
/// Most alerts shown as sections (Slack allows 50 blocks per message).
pub const MAX_ALERT_SECTIONS: usize = 10;

fn has_firing_critical(message: &Message) -> bool {
    message.firing().any(|alert| alert.severity() == "critical")
}

/// The colour bar for `message`.
pub fn color(message: &Message) -> &'static str {
    if has_firing_critical(message) {
        COLOR_CRITICAL
    } else if message.firing().next().is_some() {
        COLOR_WARNING
    } else {
        COLOR_RESOLVED
    }
}

/// The channel for `message`: `critical` when a critical alert fires (falling back to
/// `default`), else `default`; `None` means the webhook's own channel.
pub fn channel<'a>(message: &Message, channels: &'a SlackChannels) -> Option<&'a str> {
    let wanted = if has_firing_critical(message) && !channels.critical.is_empty() {
        &channels.critical
    } else {
        &channels.default
    };
    (!wanted.is_empty()).then_some(wanted.as_str())
}

/// Escapes `&`, `<`, `>` as Slack's mrkdwn requires.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn field(title: &str, value: &str) -> Value {
    json!({"type": "mrkdwn", "text": format!("*{title}*\n{}", escape(value))})
}

fn alert_section(alert: &Alert) -> Value {
    let mut fields = vec![
        field("Severity", alert.severity()),
        field("Instance", alert.labels.get("instance").unwrap_or("-")),
    ];
    match alert.fired_for() {
        Some(fired_for) if !alert.is_firing() => {
            fields.push(field("Value at resolve", &alert.value_text()));
            fields.push(field("Fired for", &format_elapsed(fired_for)));
        }
        _ => {
            fields.push(field("Value", &format_value(alert.value)));
            fields.push(field("Since", &rfc3339(alert.starts_at)));
        }
    }
    let status = if alert.is_firing() {
        "FIRING"
    } else {
        "RESOLVED"
    };
    let summary = alert
        .annotations
        .get("summary")
        .map_or_else(|| alert.labels.to_string(), |s| s.clone());
    json!({
        "type": "section",
        "text": {"type": "mrkdwn", "text": format!("*{status}* {}", escape(&summary))},
        "fields": fields,
    })
}

fn links(message: &Message) -> Value {
    let mut parts = Vec::new();
    if let Some(url) = message
        .alerts
        .iter()
        .map(|a| a.generator_url.as_str())
        .find(|u| !u.is_empty())
    {
        parts.push(format!("<{url}|Rule>"));
    }
    if !message.external_url.is_empty() {
        parts.push(format!("<{}|watchpost>", message.external_url));
    }
    parts.push(message.reason.as_str().replace('_', " "));
    json!({"type": "context", "elements": [{"type": "mrkdwn", "text": parts.join(" · ")}]})
}

/// The whole webhook body.
pub fn slack_payload(message: &Message, channels: &SlackChannels) -> Value {
    let title: String = message.title().chars().take(150).collect();
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": title, "emoji": true}}),
    ];
    blocks.extend(
        message
            .alerts
            .iter()
            .take(MAX_ALERT_SECTIONS)
            .map(alert_section),
    );
    let hidden = message.alerts.len().saturating_sub(MAX_ALERT_SECTIONS);
    if hidden > 0 {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("…and {hidden} more")}}));
    }
    blocks.push(links(message));
    let mut body = json!({
        "text": title,
        "attachments": [{"color": color(message), "blocks": blocks}],
    });
    if let (Some(channel), Some(object)) = (channel(message, channels), body.as_object_mut()) {
        object.insert("channel".to_owned(), Value::from(channel));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::tests::sample_message;

    fn channels() -> SlackChannels {
        SlackChannels {
            default: "#alerts".to_owned(),
            critical: "#critical-alerts".to_owned(),
        }
    }

    #[test]
    fn block_kit_shape() {
        let body = slack_payload(&sample_message(), &channels());
        assert_eq!(body["channel"], "#critical-alerts");
        assert_eq!(body["text"], "[FIRING:1] DiskFull");
        let attachment = &body["attachments"][0];
        assert_eq!(attachment["color"], COLOR_CRITICAL);
        let blocks = &attachment["blocks"];
        assert_eq!(
            blocks[0],
            json!({"type": "header", "text": {"type": "plain_text", "text": "[FIRING:1] DiskFull", "emoji": true}})
        );
        assert_eq!(blocks[1]["fields"][0]["text"], "*Severity*\ncritical");
        assert_eq!(blocks[1]["fields"][1]["text"], "*Instance*\na");
        assert_eq!(blocks[1]["fields"][2]["text"], "*Value*\n97.5");
        assert_eq!(
            blocks[1]["fields"][3]["text"],
            "*Since*\n1970-01-01T00:16:40.000Z"
        );
        assert_eq!(blocks[2]["fields"][2]["text"], "*Value at resolve*\n12");
        assert_eq!(blocks[2]["fields"][3]["text"], "*Fired for*\n5m");
        assert_eq!(blocks[3]["type"], "context");
        assert_eq!(
            blocks[3]["elements"][0]["text"],
            "<http://watchpost:39101/api/v1/rules|Rule> · <http://watchpost:39101|watchpost> · alerts resolved"
        );
    }

    #[test]
    fn colours_and_channels_follow_severity_and_status() {
        let mut message = sample_message();
        message.alerts[0].labels.insert("severity", "warning");
        assert_eq!(color(&message), COLOR_WARNING);
        assert_eq!(channel(&message, &channels()), Some("#alerts"));
        message.alerts.remove(0);
        assert_eq!(color(&message), COLOR_RESOLVED);
        assert_eq!(channel(&message, &SlackChannels::default()), None);
        assert_eq!(
            slack_payload(&message, &SlackChannels::default()).get("channel"),
            None
        );
    }
}
