//! The `slack` integration: one POST of the Block Kit message (see
//! [`payload_slack::slack_payload`](super::payload_slack::slack_payload)) to the incoming-webhook
//! URL. 429 and 5xx retry (honouring `Retry-After`); the URL is a secret and never printed.

use super::config::{SlackChannels, SlackConfig};
use super::http::{TargetUrl, new_client, post_json};
use super::message::Message;
use super::payload_slack::slack_payload;
use super::{Notifier, NotifyFuture};
use reqwest::header::HeaderMap;

/// POSTs to one Slack incoming webhook.
#[derive(Debug)]
pub struct SlackNotifier {
    receiver: String,
    target: TargetUrl,
    channels: SlackChannels,
    client: reqwest::Client,
}

impl SlackNotifier {
    /// Builds the notifier; the error never contains the URL.
    pub fn new(receiver: &str, config: &SlackConfig) -> Result<Self, String> {
        Ok(Self {
            receiver: receiver.to_owned(),
            target: TargetUrl::parse(config.webhook_url.expose())
                .map_err(|e| format!("webhook_url: {e}"))?,
            channels: config.channels.clone(),
            client: new_client()?,
        })
    }
}

impl Notifier for SlackNotifier {
    fn name(&self) -> &str {
        &self.receiver
    }

    fn integration(&self) -> &'static str {
        "slack"
    }

    fn notify<'a>(&'a self, message: &'a Message) -> NotifyFuture<'a> {
        Box::pin(async move {
            let body = slack_payload(message, &self.channels);
            post_json(&self.client, &self.target, HeaderMap::new(), &body).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::Outcome;
    use crate::notify::http_test_server::{
        Reply, TestServer, closed_port_url, run, without_reason,
    };
    use crate::notify::message::tests::sample_message;
    use crate::notify::secret::Secret;
    use std::time::Duration;

    fn config(url: String) -> SlackConfig {
        SlackConfig {
            webhook_url: Secret::new(url),
            channels: SlackChannels {
                default: "#alerts".to_owned(),
                critical: "#critical-alerts".to_owned(),
            },
        }
    }

    fn notifier(url: String) -> SlackNotifier {
        SlackNotifier::new("ops", &config(url)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn posts_block_kit_to_the_webhook() {
        run(async {
            let server = TestServer::start(Reply::status(200)).await;
            let message = sample_message();
            let outcome = notifier(server.url("/services/T/B/s3cret"))
                .notify(&message)
                .await;
            assert_eq!(outcome, Outcome::Delivered);
            let received = server.received();
            assert_eq!(received.len(), 1);
            assert_eq!(received[0].path, "/services/T/B/s3cret");
            let body = received[0].json();
            assert_eq!(
                body,
                slack_payload(&message, &config(String::new()).channels)
            );
            assert_eq!(body["channel"], "#critical-alerts");
            assert_eq!(body["attachments"][0]["blocks"][0]["type"], "header");
        });
    }

    #[test]
    fn outcome_table() {
        run(async {
            let message = sample_message();
            let retry_7s = Outcome::Retryable {
                reason: String::new(),
                retry_after: Some(Duration::from_secs(7)),
            };
            let table = [
                (Reply::status(200), Outcome::Delivered),
                (Reply::status(500), Outcome::retryable("")),
                (Reply::status(429).retry_after("7"), retry_7s),
                (Reply::status(400), Outcome::Permanent(String::new())),
            ];
            for (reply, expected) in table {
                let server = TestServer::start(reply).await;
                let outcome = notifier(server.url("/services/s3cret"))
                    .notify(&message)
                    .await;
                assert_eq!(without_reason(&outcome), expected, "{outcome:?}");
                assert!(!format!("{outcome:?}").contains("s3cret"), "{outcome:?}");
            }
            let outcome = notifier(closed_port_url("/s3cret")).notify(&message).await;
            assert!(matches!(outcome, Outcome::Retryable { .. }), "{outcome:?}");
            assert!(!format!("{outcome:?}").contains("s3cret"), "{outcome:?}");
        });
    }
}
