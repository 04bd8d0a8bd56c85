//! The `notify:` section of `watchpost.yml`: receivers (each with one or more integrations), the
//! routing tree, inhibition rules, the delivery (retry) policy and the fallback receiver.
//!
//! Only shapes and defaults live here (the integration blocks in `config_integrations`);
//! `config_validate` checks values and reports YAML paths.

pub use super::config_integrations::{
    AlertmanagerConfig, EmailConfig, LogConfig, SlackChannels, SlackConfig, TlsMode, WebhookConfig,
};
use crate::model::duration::{serde_duration, serde_opt_duration};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The receiver used when none is configured: one structured log line per notification.
pub const DEFAULT_RECEIVER: &str = "log";

/// `notify:`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// Named receivers; a `log` receiver exists even when not listed.
    pub receivers: Vec<ReceiverConfig>,
    /// The root of the routing tree.
    pub route: RouteConfig,
    /// Rules that mute target alerts while a matching source alert fires.
    pub inhibit_rules: Vec<InhibitRuleConfig>,
    /// The one retry policy for every integration.
    pub delivery: DeliveryConfig,
    /// Where the built-in "receiver keeps failing" alert goes (default: `log`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_receiver: Option<String>,
    /// Consecutive failed attempts to one receiver before that alert is raised (default 3; a
    /// dead letter raises it at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receiver_failing_after: Option<u32>,
}

impl NotifyConfig {
    /// The configured receivers plus the implicit `log` receiver when no receiver has that name.
    pub fn receivers_with_default(&self) -> Vec<ReceiverConfig> {
        let mut receivers = self.receivers.clone();
        if !receivers.iter().any(|r| r.name == DEFAULT_RECEIVER) {
            receivers.push(ReceiverConfig {
                name: DEFAULT_RECEIVER.to_owned(),
                log: Some(LogConfig {}),
                ..ReceiverConfig::default()
            });
        }
        receivers
    }

    /// This config with `rules.evaluation_interval` copied into every `alertmanager` block
    /// (their posts stay valid for `4 × max(resend_interval, evaluation_interval)`).
    pub fn with_evaluation_interval(&self, evaluation_interval: Duration) -> Self {
        let mut config = self.clone();
        for receiver in &mut config.receivers {
            if let Some(alertmanager) = &mut receiver.alertmanager {
                alertmanager.evaluation_interval = evaluation_interval;
            }
        }
        config
    }

    /// True when `name` is a configured receiver or the implicit `log` receiver.
    pub fn has_receiver(&self, name: &str) -> bool {
        name == DEFAULT_RECEIVER || self.receivers.iter().any(|r| r.name == name)
    }
}

/// `notify.receivers[i]`: a name and one or more integrations.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReceiverConfig {
    /// Referenced by routes, rule `channels` and `fallback_receiver`.
    pub name: String,
    /// Also notify when alerts resolve (default true).
    pub send_resolved: bool,
    /// SMTP mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailConfig>,
    /// Slack incoming webhook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack: Option<SlackConfig>,
    /// Alertmanager webhook payload v4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<WebhookConfig>,
    /// Alertmanager `POST /api/v2/alerts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alertmanager: Option<AlertmanagerConfig>,
    /// One structured log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<LogConfig>,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        Self {
            name: String::new(),
            send_resolved: true,
            email: None,
            slack: None,
            webhook: None,
            alertmanager: None,
            log: None,
        }
    }
}

impl ReceiverConfig {
    /// The names of the integrations configured on this receiver, in a fixed order.
    pub fn integrations(&self) -> Vec<&'static str> {
        let present = [
            ("email", self.email.is_some()),
            ("slack", self.slack.is_some()),
            ("webhook", self.webhook.is_some()),
            ("alertmanager", self.alertmanager.is_some()),
            ("log", self.log.is_some()),
        ];
        present
            .into_iter()
            .filter(|(_, on)| *on)
            .map(|(name, _)| name)
            .collect()
    }
}

/// `notify.route` and every nested `routes[i]`; unset fields inherit from the parent.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouteConfig {
    /// Receiver for alerts this route takes (root default: `log`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
    /// Labels that split alerts into groups; `["..."]` groups by every label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<Vec<String>>,
    /// Wait before the first notification of a new group (root default 10s).
    #[serde(with = "serde_opt_duration", skip_serializing_if = "Option::is_none")]
    pub group_wait: Option<Duration>,
    /// Wait between notifications of a group that changed (root default 1m).
    #[serde(with = "serde_opt_duration", skip_serializing_if = "Option::is_none")]
    pub group_interval: Option<Duration>,
    /// Resend an unchanged firing group after this long (root default 4h).
    #[serde(with = "serde_opt_duration", skip_serializing_if = "Option::is_none")]
    pub repeat_interval: Option<Duration>,
    /// Label matchers like `severity=~"critical|warning"`; all must match.
    pub matchers: Vec<String>,
    /// Keep matching later siblings after this route matched.
    #[serde(rename = "continue")]
    pub continue_matching: bool,
    /// Child routes, tried depth-first in order.
    pub routes: Vec<RouteConfig>,
}

/// `notify.inhibit_rules[i]`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct InhibitRuleConfig {
    /// Matchers a firing alert needs to mute others.
    pub source_matchers: Vec<String>,
    /// Matchers an alert needs to be muted.
    pub target_matchers: Vec<String>,
    /// Labels whose values must be equal in source and target.
    pub equal: Vec<String>,
}

/// `notify.delivery`: the retry policy of every integration.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Attempts before dead letter (default 10).
    pub max_attempts: u32,
    /// Age after the first attempt beyond which it is dead-lettered (default 1h).
    #[serde(with = "serde_duration")]
    pub max_age: Duration,
    /// Backoff after the first failure (default 1s).
    #[serde(with = "serde_duration")]
    pub initial_backoff: Duration,
    /// Longest backoff (default 5m).
    #[serde(with = "serde_duration")]
    pub max_backoff: Duration,
    /// Time one attempt may take before it counts as a retryable failure (default 10s).
    #[serde(with = "serde_duration")]
    pub attempt_timeout: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            max_age: Duration::from_secs(3600),
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            attempt_timeout: Duration::from_secs(10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_section() {
        let yaml = r##"
receivers:
  - name: oncall
    email: {host: smtp.example.com, from: w@example.com, to: [ops@example.com], password: pw}
    slack: {webhook_url: "https://hooks.slack.com/services/T/B/X", channels: {default: "#alerts", critical: "#critical-alerts"}}
  - name: hook
    send_resolved: false
    webhook: {url: "http://127.0.0.1:9000/hook", bearer_token: tok, max_alerts: 5}
    alertmanager: {urls: ["http://127.0.0.1:9093"]}
route:
  receiver: oncall
  group_by: [alertname]
  routes:
    - matchers: ['severity=~"critical|warning"']
      receiver: hook
      group_wait: 0s
      continue: true
inhibit_rules:
  - {source_matchers: [severity=critical], target_matchers: [severity=warning], equal: [instance]}
delivery: {max_attempts: 3, initial_backoff: 100ms}
fallback_receiver: log
"##;
        let config: NotifyConfig = match serde_yaml::from_str(yaml) {
            Ok(config) => config,
            Err(error) => panic!("{error}"),
        };
        assert_eq!(config.receivers[0].integrations(), ["email", "slack"]);
        assert_eq!(
            config.receivers[0].email.as_ref().map(|e| e.port),
            Some(587)
        );
        assert!(!config.receivers[1].send_resolved);
        assert_eq!(config.route.routes[0].group_wait, Some(Duration::ZERO));
        assert!(config.route.routes[0].continue_matching);
        assert_eq!(config.delivery.max_attempts, 3);
        assert_eq!(config.delivery.initial_backoff, Duration::from_millis(100));
        assert_eq!(config.delivery.max_backoff, Duration::from_secs(300));
        assert!(!format!("{config:?}").contains("hooks.slack.com"));
        let am = config.receivers[1].alertmanager.as_ref();
        assert_eq!(am.map(|a| a.resend_interval), Some(Duration::from_secs(60)));
        let with_eval = config.with_evaluation_interval(Duration::from_secs(90));
        let am = with_eval.receivers[1].alertmanager.as_ref();
        assert_eq!(
            am.map(|a| a.evaluation_interval),
            Some(Duration::from_secs(90))
        );
    }

    #[test]
    fn unknown_keys_are_rejected_and_log_is_implicit() {
        let result: Result<NotifyConfig, _> =
            serde_yaml::from_str("receivers: [{name: a, sms: {}}]");
        assert!(result.is_err());
        let config = NotifyConfig::default();
        assert!(config.has_receiver("log"));
        assert_eq!(config.receivers_with_default()[0].integrations(), ["log"]);
    }
}
