//! The `alertmanager` integration: `POST /api/v2/alerts` (see
//! [`payload::alertmanager_alerts`](super::payload::alertmanager_alerts)) to every configured
//! Alertmanager, as Prometheus's notifier does, so HA pairs of watchpost deduplicate in an
//! existing cluster.
//!
//! One attempt posts to every URL. The attempt is `Delivered` only when every Alertmanager
//! accepted; if any answer is retryable the whole attempt is retried (re-posting the same
//! alerts to one that already accepted is harmless: Alertmanager merges alerts by labels);
//! otherwise a permanent failure (e.g. 400 on a bad label) is permanent. Firing alerts carry
//! `endsAt = now + valid_for` (see [`resend`](super::resend)); `app::notify_resend` posts them
//! again every `resend_interval`.

use super::config::AlertmanagerConfig;
use super::http::{TargetUrl, new_client, post_json};
use super::message::Message;
use super::payload::alertmanager_alerts;
use super::resend::valid_for;
use super::{Notifier, NotifyFuture, Outcome};
use reqwest::header::HeaderMap;
use std::time::{Duration, SystemTime};

/// POSTs alerts to each Alertmanager of a cluster.
#[derive(Debug)]
pub struct AlertmanagerNotifier {
    receiver: String,
    targets: Vec<TargetUrl>,
    client: reqwest::Client,
    valid_for: Duration,
    resend_interval: Duration,
}

impl AlertmanagerNotifier {
    /// Builds the notifier; `/api/v2/alerts` is appended to each base URL.
    pub fn new(receiver: &str, config: &AlertmanagerConfig) -> Result<Self, String> {
        let targets = config
            .urls
            .iter()
            .enumerate()
            .map(|(i, url)| {
                TargetUrl::parse(url.expose())
                    .map(|base| base.join_path("/api/v2/alerts"))
                    .map_err(|e| format!("urls[{i}]: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if targets.is_empty() {
            return Err("urls: needs at least one alertmanager url".to_owned());
        }
        Ok(Self {
            receiver: receiver.to_owned(),
            targets,
            client: new_client()?,
            valid_for: valid_for(config.resend_interval, config.evaluation_interval),
            resend_interval: config.resend_interval,
        })
    }

    /// How long one post keeps a firing alert active in Alertmanager.
    pub fn valid_for(&self) -> Duration {
        self.valid_for
    }
}

/// Folds the per-URL outcomes: all delivered → delivered; any retryable → retryable (reasons
/// joined, the longest Retry-After); else permanent.
pub fn combine(outcomes: Vec<Outcome>) -> Outcome {
    let mut retryable: Vec<String> = Vec::new();
    let mut permanent: Vec<String> = Vec::new();
    let mut longest_retry_after: Option<Duration> = None;
    for outcome in outcomes {
        match outcome {
            Outcome::Delivered => {}
            Outcome::Retryable {
                reason,
                retry_after,
            } => {
                retryable.push(reason);
                longest_retry_after = longest_retry_after.max(retry_after);
            }
            Outcome::Permanent(reason) => permanent.push(reason),
        }
    }
    if !retryable.is_empty() {
        retryable.extend(permanent);
        return Outcome::Retryable {
            reason: retryable.join("; "),
            retry_after: longest_retry_after,
        };
    }
    if !permanent.is_empty() {
        return Outcome::Permanent(permanent.join("; "));
    }
    Outcome::Delivered
}

impl Notifier for AlertmanagerNotifier {
    fn name(&self) -> &str {
        &self.receiver
    }

    fn integration(&self) -> &'static str {
        "alertmanager"
    }

    fn resend_interval(&self) -> Option<Duration> {
        Some(self.resend_interval)
    }

    fn notify<'a>(&'a self, message: &'a Message) -> NotifyFuture<'a> {
        Box::pin(async move {
            let body = alertmanager_alerts(message, SystemTime::now(), self.valid_for);
            let mut outcomes = Vec::with_capacity(self.targets.len());
            for target in &self.targets {
                outcomes.push(post_json(&self.client, target, HeaderMap::new(), &body).await);
            }
            combine(outcomes)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::http_test_server::{
        Reply, TestServer, closed_port_url, run, without_reason,
    };
    use crate::notify::message::tests::sample_message;
    use crate::notify::secret::Secret;

    fn notifier(urls: Vec<String>) -> AlertmanagerNotifier {
        let config = AlertmanagerConfig {
            urls: urls.into_iter().map(Secret::new).collect(),
            evaluation_interval: Duration::from_secs(15),
            ..AlertmanagerConfig::default()
        };
        AlertmanagerNotifier::new("am", &config).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn posts_v2_alerts_to_every_alertmanager() {
        run(async {
            let first = TestServer::start(Reply::status(200)).await;
            let second = TestServer::start(Reply::status(200)).await;
            let am = notifier(vec![first.url(""), second.url("/prefix/")]);
            assert_eq!(am.notify(&sample_message()).await, Outcome::Delivered);
            assert_eq!(first.received()[0].path, "/api/v2/alerts");
            assert_eq!(second.received()[0].path, "/prefix/api/v2/alerts");
            let body = first.received()[0].json();
            assert_eq!(body, second.received()[0].json());
            assert_eq!(body.as_array().map(Vec::len), Some(2));
            assert_eq!(body[0]["labels"]["instance"], "a");
            assert_eq!(body[0]["startsAt"], "1970-01-01T00:16:40.000Z");
            assert_eq!(body[1]["endsAt"], "1970-01-01T00:21:40.000Z");
            assert_eq!(
                body[1]["generatorURL"],
                "http://watchpost:39101/api/v1/rules"
            );
        });
    }

    #[test]
    fn outcome_table_and_partial_failure() {
        run(async {
            let message = sample_message();
            let retry_7s = Outcome::Retryable {
                reason: String::new(),
                retry_after: Some(Duration::from_secs(7)),
            };
            let table = [
                (Reply::status(500), Outcome::retryable("")),
                (Reply::status(429).retry_after("7"), retry_7s),
                (Reply::status(400), Outcome::Permanent(String::new())),
            ];
            for (reply, expected) in table {
                let good = TestServer::start(Reply::status(200)).await;
                let bad = TestServer::start(reply).await;
                let outcome = notifier(vec![good.url(""), bad.url("")])
                    .notify(&message)
                    .await;
                assert_eq!(without_reason(&outcome), expected, "{outcome:?}");
                assert_eq!(good.received().len(), 1);
            }
            let outcome = notifier(vec![closed_port_url("")]).notify(&message).await;
            assert!(matches!(outcome, Outcome::Retryable { .. }), "{outcome:?}");
        });
    }

    #[test]
    fn combine_prefers_retry_over_permanent() {
        let outcomes = vec![
            Outcome::Permanent("a".into()),
            Outcome::retryable("b"),
            Outcome::Delivered,
        ];
        assert_eq!(combine(outcomes), Outcome::retryable("b; a"));
        assert_eq!(combine(vec![Outcome::Delivered]), Outcome::Delivered);
    }
}
