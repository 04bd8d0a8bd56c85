//! Notifications: the pure core of the pipeline from alert events to delivered messages.
//!
//! alert events → [`route`] (tree or rule `channels`) → [`group`] (aggregation groups, a pure
//! scheduler over `now`) → at each flush [`pipeline::plan`]: [`silence`] / [`inhibit`] mute
//! checks and [`dedup`] (send or not, and why) → [`message::Message`] into the outbox → a
//! [`Notifier`] makes one attempt → [`retry`] decides done, retry or dead letter. Payloads live
//! in [`payload`] (webhook v4, Alertmanager v2), [`payload_slack`] and [`payload_email`];
//! [`ack`] tracks acknowledgements; [`dispatch::Dispatcher`] holds it all as one state machine.
//! The core reads no clock and does no I/O; only the integrations ([`http`], [`webhook`],
//! [`slack`], [`alertmanager`], [`email`]) talk to the network (and read `SystemTime::now()`).
//!
//! # TODO (not built yet; the lead wires these)
//! - Integrations are built ([`webhook`], [`slack`], [`alertmanager`] over reqwest via [`http`];
//!   [`email`] over lettre): each makes one attempt and returns an [`Outcome`]; the caller wraps
//!   it in `tokio::time::timeout(attempt_timeout)` and maps the elapsed case to
//!   [`retry::Outcome::timed_out`].
//! - The alertmanager receiver's firing alerts are re-sent every `resend_interval`
//!   ([`resend`]; Alertmanager resolves an alert whose `endsAt` passes), independent of
//!   `repeat_interval`, by `app::notify_resend`.
//! - Store: the outbox (a `Message` per receiver, written in the same transaction as the alert
//!   transition), the `SentRecord` per (receiver, group key), history rows (reason, attempts,
//!   last error), silences and acknowledgements.
//! - App task: drive [`dispatch::Dispatcher`]: `observe` every rule-engine event, sleep until
//!   `next_deadline()` with `tokio::time`, `tick(now)` → outbox (+ sent record) in one
//!   transaction. At startup `restore_sent` from the store and `observe` every restored firing
//!   alert (old alerts flush at once; the restored records keep them from repeating).
//! - Delivery loop per receiver: pending outbox rows → each `Notifier::notify` under
//!   `tokio::time::timeout(attempt_timeout)` → `RetryPolicy::next_attempt(attempt, first_try,
//!   now, outcome, retry::seed_from_id(&message.id))` → delete, reschedule or dead-letter; a
//!   receiver with several integrations needs per-integration attempt state.
//! - Self-metrics, the silence/ack/history API, the built-in "receiver keeps failing" alert
//!   ([`receiver_health`], sent by `app::receiver_failing`) and the `alerts`/`silence` CLI verbs
//!   (`cli_alerts`) are built; `app::notify_reload` applies a changed `notify:` section.

pub mod ack;
pub mod alert;
pub mod alertmanager;
pub mod config;
pub mod config_integrations;
pub mod config_validate;
pub mod dedup;
pub mod dispatch;
pub mod email;
#[cfg(test)]
mod email_tests;
#[cfg(test)]
mod email_tls_tests;
pub mod group;
pub mod http;
#[cfg(test)]
mod http_test_server;
pub mod inhibit;
pub mod log;
pub mod matcher;
pub mod message;
pub mod payload;
pub mod payload_email;
pub mod payload_slack;
pub mod pipeline;
pub mod receiver_health;
pub mod resend;
pub mod retry;
pub mod retry_after;
pub mod route;
pub mod secret;
pub mod silence;
pub mod slack;
pub mod template;
pub mod webhook;

pub use alert::{Alert, AlertStatus};
pub use config::NotifyConfig;
pub use dedup::{Reason, SentRecord, needs_update};
pub use message::Message;
pub use retry::{Decision, Outcome, RetryPolicy};
pub use secret::Secret;

use config::ReceiverConfig;
use std::future::Future;
use std::pin::Pin;

/// The future a notifier returns.
pub type NotifyFuture<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// One integration of one receiver: makes exactly one delivery attempt and says whether a
/// failure is worth retrying. Retrying, backoff, dead letters and history are the pipeline's.
pub trait Notifier: Send + Sync {
    /// The receiver name.
    fn name(&self) -> &str;
    /// The integration (`log`, `webhook`, `slack`, `email`, `alertmanager`).
    fn integration(&self) -> &'static str;
    /// One attempt to deliver `message`.
    fn notify<'a>(&'a self, message: &'a Message) -> NotifyFuture<'a>;
    /// How often the firing alerts already sent must be posted again (Alertmanager); `None`
    /// for integrations that are told once.
    fn resend_interval(&self) -> Option<std::time::Duration> {
        None
    }
}

/// Why notifiers could not be built for a receiver.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BuildError {
    /// The integration exists in config but has no implementation yet.
    #[error("receiver {receiver:?}: the {integration} integration is not implemented yet")]
    NotImplemented {
        /// The receiver name.
        receiver: String,
        /// The integration.
        integration: &'static str,
    },
    /// The integration's config cannot be used (the reason never contains secret values).
    #[error("receiver {receiver:?}: {integration}: {reason}")]
    Invalid {
        /// The receiver name.
        receiver: String,
        /// The integration.
        integration: &'static str,
        /// What is wrong (field names, never values).
        reason: String,
    },
}

/// The single registration point: the notifiers of one receiver, one per integration. Builds
/// HTTP clients and the SMTP transport, so call it once per config (re)load, not per message.
pub fn build_notifiers(receiver: &ReceiverConfig) -> Result<Vec<Box<dyn Notifier>>, BuildError> {
    let name = receiver.name.as_str();
    let mut notifiers: Vec<Box<dyn Notifier>> = Vec::new();
    for integration in receiver.integrations() {
        let built: Result<Box<dyn Notifier>, String> = match integration {
            "log" => Ok(Box::new(log::LogNotifier::new(name))),
            "webhook" => boxed(receiver.webhook.as_ref(), |c| {
                webhook::WebhookNotifier::new(name, c)
            }),
            "slack" => boxed(receiver.slack.as_ref(), |c| {
                slack::SlackNotifier::new(name, c)
            }),
            "alertmanager" => boxed(receiver.alertmanager.as_ref(), |c| {
                alertmanager::AlertmanagerNotifier::new(name, c)
            }),
            "email" => boxed(receiver.email.as_ref(), |c| {
                email::EmailNotifier::new(name, c)
            }),
            other => {
                return Err(BuildError::NotImplemented {
                    receiver: receiver.name.clone(),
                    integration: other,
                });
            }
        };
        notifiers.push(built.map_err(|reason| BuildError::Invalid {
            receiver: receiver.name.clone(),
            integration,
            reason,
        })?);
    }
    Ok(notifiers)
}

fn boxed<C, N: Notifier + 'static>(
    config: Option<&C>,
    build: impl FnOnce(&C) -> Result<N, String>,
) -> Result<Box<dyn Notifier>, String> {
    let config = config.ok_or_else(|| "missing config block".to_owned())?;
    build(config).map(|notifier| Box::new(notifier) as Box<dyn Notifier>)
}

#[cfg(test)]
mod tests {
    use super::*;
    use config::{LogConfig, SlackConfig, WebhookConfig};

    #[test]
    fn builds_each_integration_and_reports_bad_config() {
        let log = ReceiverConfig {
            name: "ops".into(),
            log: Some(LogConfig {}),
            ..ReceiverConfig::default()
        };
        let built = build_notifiers(&log).unwrap_or_default();
        assert_eq!(
            built
                .iter()
                .map(|n| (n.name(), n.integration()))
                .collect::<Vec<_>>(),
            [("ops", "log")]
        );
        let hook = ReceiverConfig {
            name: "h".into(),
            webhook: Some(WebhookConfig {
                url: Secret::new("http://127.0.0.1:9/hook?token=s3cret"),
                ..WebhookConfig::default()
            }),
            slack: Some(SlackConfig {
                webhook_url: Secret::new("https://hooks.example.com/s3cret"),
                ..SlackConfig::default()
            }),
            ..ReceiverConfig::default()
        };
        let built = build_notifiers(&hook).unwrap_or_default();
        let integrations: Vec<_> = built.iter().map(|n| n.integration()).collect();
        assert_eq!(integrations, ["slack", "webhook"]);
        let broken = ReceiverConfig {
            name: "h".into(),
            webhook: Some(WebhookConfig {
                url: Secret::new("not a url s3cret"),
                ..WebhookConfig::default()
            }),
            ..ReceiverConfig::default()
        };
        let error = build_notifiers(&broken).err().map(|e| e.to_string());
        let error = error.unwrap_or_default();
        assert!(
            error.starts_with("receiver \"h\": webhook: url:"),
            "{error}"
        );
        assert!(!error.contains("s3cret"), "{error}");
    }
}
