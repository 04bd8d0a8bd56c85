//! The `webhook` integration: one POST of Alertmanager's webhook payload version 4 (see
//! [`payload::webhook_payload`](super::payload::webhook_payload)) with the configured headers
//! and optional bearer token. The URL, headers and token are secrets: errors name only
//! `scheme://host[:port]`.

use super::config::WebhookConfig;
use super::http::{TargetUrl, new_client, post_json};
use super::message::Message;
use super::payload::webhook_payload;
use super::{Notifier, NotifyFuture};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

/// POSTs webhook v4 JSON to one URL.
#[derive(Debug)]
pub struct WebhookNotifier {
    receiver: String,
    target: TargetUrl,
    headers: HeaderMap,
    max_alerts: usize,
    client: reqwest::Client,
}

impl WebhookNotifier {
    /// Builds the notifier; the error says which part of the config is wrong, never its value.
    pub fn new(receiver: &str, config: &WebhookConfig) -> Result<Self, String> {
        Ok(Self {
            receiver: receiver.to_owned(),
            target: TargetUrl::parse(config.url.expose()).map_err(|e| format!("url: {e}"))?,
            headers: request_headers(config)?,
            max_alerts: config.max_alerts,
            client: new_client()?,
        })
    }
}

/// The configured headers plus `Authorization: Bearer ...`, all marked sensitive.
fn request_headers(config: &WebhookConfig) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::new();
    for (name, value) in &config.headers {
        let header = HeaderName::try_from(name.as_str())
            .map_err(|_| format!("headers: invalid header name {name:?}"))?;
        headers.insert(header, sensitive_value(value.expose(), name)?);
    }
    if let Some(token) = &config.bearer_token {
        let bearer = format!("Bearer {}", token.expose());
        headers.insert(AUTHORIZATION, sensitive_value(&bearer, "bearer_token")?);
    }
    Ok(headers)
}

fn sensitive_value(value: &str, what: &str) -> Result<HeaderValue, String> {
    let mut header =
        HeaderValue::try_from(value).map_err(|_| format!("headers: invalid value for {what:?}"))?;
    header.set_sensitive(true);
    Ok(header)
}

impl Notifier for WebhookNotifier {
    fn name(&self) -> &str {
        &self.receiver
    }

    fn integration(&self) -> &'static str {
        "webhook"
    }

    fn notify<'a>(&'a self, message: &'a Message) -> NotifyFuture<'a> {
        Box::pin(async move {
            let body = webhook_payload(message, self.max_alerts);
            post_json(&self.client, &self.target, self.headers.clone(), &body).await
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
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn config(url: String) -> WebhookConfig {
        WebhookConfig {
            url: Secret::new(url),
            headers: BTreeMap::from([("X-Team".to_owned(), Secret::new("ops"))]),
            bearer_token: Some(Secret::new("tok-123")),
            max_alerts: 0,
        }
    }

    #[test]
    fn posts_v4_json_with_headers_and_bearer() {
        run(async {
            let server = TestServer::start(Reply::status(200)).await;
            let notifier = WebhookNotifier::new("ops", &config(server.url("/hook?token=s3cret")));
            let notifier = notifier.unwrap_or_else(|e| panic!("{e}"));
            let message = sample_message();
            assert_eq!(notifier.notify(&message).await, Outcome::Delivered);
            let received = server.received();
            assert_eq!(received.len(), 1);
            let request = &received[0];
            assert_eq!(request.path, "/hook?token=s3cret");
            assert_eq!(request.header("authorization"), Some("Bearer tok-123"));
            assert_eq!(request.header("x-team"), Some("ops"));
            assert_eq!(request.header("content-type"), Some("application/json"));
            let expected = serde_json::to_value(webhook_payload(&message, 0)).ok();
            assert_eq!(Some(request.json()), expected);
            assert_eq!(request.json()["version"], "4");
        });
    }

    #[test]
    fn outcome_table_and_redaction() {
        run(async {
            let message = sample_message();
            let table = [
                (Reply::status(500), Outcome::retryable("")),
                (
                    Reply::status(429).retry_after("7"),
                    Outcome::Retryable {
                        reason: String::new(),
                        retry_after: Some(Duration::from_secs(7)),
                    },
                ),
                (Reply::status(400), Outcome::Permanent(String::new())),
            ];
            for (reply, expected) in table {
                let server = TestServer::start(reply).await;
                let notifier = WebhookNotifier::new("ops", &config(server.url("/t/s3cret")));
                let notifier = notifier.unwrap_or_else(|e| panic!("{e}"));
                let outcome = notifier.notify(&message).await;
                assert_eq!(without_reason(&outcome), expected, "{outcome:?}");
                assert!(!format!("{outcome:?}").contains("s3cret"), "{outcome:?}");
            }
            let closed = WebhookNotifier::new("ops", &config(closed_port_url("/t/s3cret")));
            let closed = closed.unwrap_or_else(|e| panic!("{e}"));
            let outcome = closed.notify(&message).await;
            assert!(matches!(outcome, Outcome::Retryable { .. }), "{outcome:?}");
            assert!(!format!("{outcome:?}").contains("s3cret"), "{outcome:?}");
            assert!(format!("{outcome:?}").contains("http://127.0.0.1:"));
        });
    }

    #[test]
    fn bad_config_is_refused_without_echoing_values() {
        let mut bad = config("ftp://example.com/s3cret".to_owned());
        let error = WebhookNotifier::new("ops", &bad).err().unwrap_or_default();
        assert!(
            error.starts_with("url:") && !error.contains("s3cret"),
            "{error}"
        );
        bad.url = Secret::new("http://example.com/");
        bad.headers = BTreeMap::from([("X-Key".to_owned(), Secret::new("bad\nvalue"))]);
        let error = WebhookNotifier::new("ops", &bad).err().unwrap_or_default();
        assert_eq!(error, "headers: invalid value for \"X-Key\"");
    }
}
