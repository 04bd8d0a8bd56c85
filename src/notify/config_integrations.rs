//! The integration blocks of a receiver in `notify.receivers[i]`: `email`, `slack`, `webhook`,
//! `alertmanager` and `log`, with their defaults. Secret fields use `Secret`.

use super::secret::Secret;
use crate::model::duration::serde_duration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text (local relays only).
    None,
    /// Plain connect, then `STARTTLS` (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// `email:`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailConfig {
    /// SMTP server host name.
    pub host: String,
    /// SMTP port (default 587).
    pub port: u16,
    /// `none`, `starttls` (default) or `tls`.
    pub tls: TlsMode,
    /// PEM file of extra CA certificates to trust (besides the system roots), e.g. a private
    /// CA; empty means the system roots only.
    pub ca_file: String,
    /// SMTP user; empty means no AUTH.
    pub username: String,
    /// SMTP password (use `${SMTP_PASSWORD}`).
    pub password: Secret,
    /// The From address.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Subject template.
    pub subject: String,
    /// Plain-text body template.
    pub text: String,
    /// HTML body template.
    pub html: String,
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 587,
            tls: TlsMode::Starttls,
            ca_file: String::new(),
            username: String::new(),
            password: Secret::default(),
            from: String::new(),
            to: Vec::new(),
            subject: super::payload_email::DEFAULT_SUBJECT.to_owned(),
            text: super::payload_email::DEFAULT_TEXT.to_owned(),
            html: super::payload_email::DEFAULT_HTML.to_owned(),
        }
    }
}

/// `slack:`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlackConfig {
    /// The incoming-webhook URL (use `${SLACK_WEBHOOK_URL}`).
    pub webhook_url: Secret,
    /// Channel per severity.
    pub channels: SlackChannels,
}

/// `slack.channels`: where critical and other alerts go (seed 004).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlackChannels {
    /// Channel for everything not critical; empty means the webhook's own channel.
    pub default: String,
    /// Channel when any firing alert is critical; empty means `default`.
    pub critical: String,
}

/// `webhook:`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where to POST (may carry a token).
    pub url: Secret,
    /// Extra request headers.
    pub headers: BTreeMap<String, Secret>,
    /// Sent as `Authorization: Bearer ...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<Secret>,
    /// Most alerts per payload; 0 means all (the rest are counted in `truncatedAlerts`).
    pub max_alerts: usize,
}

/// `alertmanager:`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertmanagerConfig {
    /// Base URLs of every Alertmanager in the cluster (`/api/v2/alerts` is appended).
    pub urls: Vec<Secret>,
    /// How often firing alerts are posted again (default 1m); each post is valid for
    /// `4 × max(resend_interval, rules.evaluation_interval)`.
    #[serde(with = "serde_duration")]
    pub resend_interval: Duration,
    /// `rules.evaluation_interval`, filled in by the app (not a key of this block).
    #[serde(skip)]
    pub evaluation_interval: Duration,
}

impl Default for AlertmanagerConfig {
    fn default() -> Self {
        Self {
            urls: Vec::new(),
            resend_interval: super::resend::DEFAULT_RESEND_INTERVAL,
            evaluation_interval: Duration::ZERO,
        }
    }
}

/// `log: {}`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {}
