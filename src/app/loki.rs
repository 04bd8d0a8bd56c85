//! Forwards accepted log entries to Loki (`push.logs.loki`): a bounded queue (a full queue drops
//! the entry and counts it in `watchpost_loki_dropped_entries_total`), batches of up to
//! `batch_size` entries or `batch_wait` after the first, one JSON POST per batch to
//! `/loki/api/v1/push`, retried on 5xx, 429 (honouring `Retry-After`) and connection errors with
//! `notify::retry`'s backoff policy, up to `max_retries`; then the batch is counted failed.
//!
//! Entries still queued when watchpost stops are not sent (the shutdown does not wait on Loki).

use super::loki_payload::loki_body;
use crate::collect::push::LokiConfig;
use crate::metrics::self_metrics::SelfMetrics;
use crate::notify::retry::{Decision, Outcome, RetryPolicy, classify_http};
use crate::store::StoredLog;
use prometheus::IntCounter;
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, watch};

/// The counters of the forwarder.
#[derive(Clone, Debug)]
struct LokiCounters {
    sent: IntCounter,
    failed: IntCounter,
    dropped: IntCounter,
    retries: IntCounter,
}

impl LokiCounters {
    fn register(metrics: &SelfMetrics) -> Result<Self, prometheus::Error> {
        let counter = |name: &str, help: &str| -> Result<IntCounter, prometheus::Error> {
            let counter = IntCounter::new(name, help)?;
            metrics.registry().register(Box::new(counter.clone()))?;
            Ok(counter)
        };
        Ok(Self {
            sent: counter(
                "watchpost_loki_sent_entries_total",
                "Log entries Loki accepted.",
            )?,
            failed: counter(
                "watchpost_loki_failed_entries_total",
                "Log entries given up on after a permanent error or the last retry.",
            )?,
            dropped: counter(
                "watchpost_loki_dropped_entries_total",
                "Log entries dropped because the Loki queue was full.",
            )?,
            retries: counter(
                "watchpost_loki_retries_total",
                "Loki push requests retried after a 5xx, 429 or connection error.",
            )?,
        })
    }
}

/// The sending side: cheap to clone, never blocks.
#[derive(Clone, Debug)]
pub struct LokiForwarder {
    queue: mpsc::Sender<StoredLog>,
    dropped: IntCounter,
}

impl LokiForwarder {
    /// Registers the counters and spawns the forwarding task (stops when `shutdown` turns true).
    pub fn start(
        config: &LokiConfig,
        metrics: &SelfMetrics,
        shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<(Self, tokio::task::JoinHandle<()>)> {
        let counters = LokiCounters::register(metrics)?;
        let client = reqwest::Client::builder().timeout(config.timeout).build()?;
        let (queue, receiver) = mpsc::channel(config.queue_size.max(1));
        let forwarder = Self {
            queue,
            dropped: counters.dropped.clone(),
        };
        let sender = Sender {
            url: format!("{}/loki/api/v1/push", config.url.trim_end_matches('/')),
            config: config.clone(),
            client,
            counters,
        };
        let task = tokio::spawn(sender.run(receiver, shutdown));
        Ok((forwarder, task))
    }

    /// Queues `logs`; entries that do not fit are dropped and counted.
    pub fn offer(&self, logs: &[StoredLog]) {
        for log in logs {
            if self.queue.try_send(log.clone()).is_err() {
                self.dropped.inc();
            }
        }
    }
}

struct Sender {
    url: String,
    config: LokiConfig,
    client: reqwest::Client,
    counters: LokiCounters,
}

impl Sender {
    async fn run(
        self,
        mut receiver: mpsc::Receiver<StoredLog>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            let first = tokio::select! {
                entry = receiver.recv() => match entry {
                    Some(entry) => entry,
                    None => return,
                },
                _ = shutdown.wait_for(|stop| *stop) => return,
            };
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + self.config.batch_wait;
            while batch.len() < self.config.batch_size {
                match tokio::time::timeout_at(deadline, receiver.recv()).await {
                    Ok(Some(entry)) => batch.push(entry),
                    Ok(None) | Err(_) => break,
                }
            }
            tokio::select! {
                _ = self.send(&batch) => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
        }
    }

    /// Sends one batch with retries; counts it sent or failed.
    async fn send(&self, batch: &[StoredLog]) {
        let body = loki_body(batch, &self.config.labels).to_string();
        let policy = RetryPolicy {
            max_attempts: self.config.max_retries.saturating_add(1),
            max_age: Duration::from_secs(86_400),
            initial_backoff: self.config.min_backoff,
            max_backoff: self.config.max_backoff,
            attempt_timeout: self.config.timeout,
        };
        let first_try = SystemTime::now();
        let seed = first_try
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        let entries = batch.len() as u64;
        for attempt in 1.. {
            let outcome = self.attempt(&body).await;
            match policy.next_attempt(attempt, first_try, SystemTime::now(), &outcome, seed) {
                Decision::Done => {
                    self.counters.sent.inc_by(entries);
                    return;
                }
                Decision::RetryAt(at) => {
                    self.counters.retries.inc();
                    let wait = at.duration_since(SystemTime::now()).unwrap_or_default();
                    tokio::time::sleep(wait).await;
                }
                Decision::DeadLetter(reason) => {
                    self.counters.failed.inc_by(entries);
                    tracing::warn!(entries, %reason, "loki push failed; entries dropped");
                    return;
                }
            }
        }
    }

    async fn attempt(&self, body: &str) -> Outcome {
        let mut request = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned());
        if let Some(tenant) = &self.config.tenant_id {
            request = request.header("X-Scope-OrgID", tenant);
        }
        match request.send().await {
            Ok(response) => {
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                classify_http(
                    response.status().as_u16(),
                    retry_after.as_deref(),
                    SystemTime::now(),
                )
            }
            Err(error) if error.is_builder() => Outcome::Permanent(format!("bad request: {error}")),
            Err(error) => Outcome::retryable(format!("loki unreachable: {error}")),
        }
    }
}

#[cfg(test)]
#[path = "loki_tests.rs"]
mod tests;
