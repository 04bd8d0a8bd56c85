//! The delivery loop: takes due outbox rows, makes one attempt each through the receiver's
//! notifier under the per-attempt timeout, and records the retry policy's decision (delivered,
//! retry at, dead letter) with the attempt count and last error. A row is marked delivered only
//! after the notifier reported the receiver accepted it.

use super::notify_runtime::{Inner, lock, sleep_or_forever};
use crate::notify::receiver_health::AttemptResult;
use crate::notify::retry::seed_from_id;
use crate::notify::{Decision, Notifier, NotifyConfig, Outcome, build_notifiers};
use crate::store::{OutboxEntry, OutboxState};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;
use tokio::sync::watch;

/// The notifiers of every receiver, by receiver name.
pub struct Notifiers(BTreeMap<String, Vec<Box<dyn Notifier>>>);

impl Notifiers {
    /// Builds every configured receiver (plus the implicit `log`).
    pub fn build(config: &NotifyConfig) -> Result<Self, crate::notify::BuildError> {
        let mut by_receiver = BTreeMap::new();
        for receiver in config.receivers_with_default() {
            by_receiver.insert(receiver.name.clone(), build_notifiers(&receiver)?);
        }
        Ok(Self(by_receiver))
    }

    /// The integrations of `receiver` (one outbox row each).
    pub fn integrations(&self, receiver: &str) -> Vec<&'static str> {
        self.0
            .get(receiver)
            .map(|list| list.iter().map(|n| n.integration()).collect())
            .unwrap_or_default()
    }

    /// The rule `channels` that name a configured receiver; an unknown one is dropped (logged at
    /// debug) so the alert falls back to the routing tree instead of going nowhere.
    pub fn known(&self, channels: Vec<String>) -> Vec<String> {
        let (known, unknown): (Vec<String>, Vec<String>) = channels
            .into_iter()
            .partition(|name| self.0.contains_key(name));
        if !unknown.is_empty() {
            tracing::debug!(
                ?unknown,
                "rule channels without a receiver; routing by the tree"
            );
        }
        known
    }

    /// Every (receiver, integration, resend interval) whose notifier re-posts firing alerts.
    pub fn resending(&self) -> Vec<(&str, &'static str, std::time::Duration)> {
        self.0
            .iter()
            .flat_map(|(receiver, list)| {
                list.iter().filter_map(move |n| {
                    let interval = n.resend_interval()?;
                    Some((receiver.as_str(), n.integration(), interval))
                })
            })
            .collect()
    }

    pub(super) fn find(&self, receiver: &str, integration: &str) -> Option<&dyn Notifier> {
        self.0
            .get(receiver)?
            .iter()
            .find(|n| n.integration() == integration)
            .map(|n| &**n)
    }
}

/// Delivers due rows until shutdown; sleeps until the next due row or a new flush.
pub async fn delivery_loop(inner: Arc<Inner>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let due = lock(&inner.store).due_outbox(SystemTime::now());
        match due {
            Ok(entries) => {
                for entry in entries {
                    deliver(&inner, entry).await;
                }
            }
            Err(error) => tracing::error!(%error, "reading the outbox failed"),
        }
        let (pending, next) = {
            let store = lock(&inner.store);
            (store.outbox_pending(), store.next_outbox_attempt())
        };
        if let Ok(pending) = pending {
            let gauge = inner
                .metrics
                .outbox_pending
                .with_label_values(&[] as &[&str]);
            gauge.set(pending as f64);
        }
        let wait = match next {
            Ok(next) => next.map(|at| at.duration_since(SystemTime::now()).unwrap_or_default()),
            Err(_) => Some(std::time::Duration::from_secs(1)),
        };
        tokio::select! {
            _ = inner.wake_delivery.notified() => {}
            _ = sleep_or_forever(wait) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// One attempt on one row and its bookkeeping.
async fn deliver(inner: &Inner, entry: OutboxEntry) {
    let receiver = entry.message.receiver.clone();
    let live = inner.live();
    let outcome = match live.notifiers.find(&receiver, &entry.integration) {
        Some(notifier) => {
            let timeout = live.policy.attempt_timeout;
            match tokio::time::timeout(timeout, notifier.notify(&entry.message)).await {
                Ok(outcome) => outcome,
                Err(_) => Outcome::timed_out(timeout),
            }
        }
        None => Outcome::Permanent(format!(
            "receiver {receiver:?} has no {} integration any more",
            entry.integration
        )),
    };
    let now = SystemTime::now();
    let attempts = entry.attempts.saturating_add(1);
    let decision = live.policy.next_attempt(
        attempts,
        entry.message.created_at,
        now,
        &outcome,
        seed_from_id(&entry.id),
    );
    let labels = [receiver.as_str(), entry.integration.as_str()];
    let (state, next, error, result) = match &decision {
        Decision::Done => (OutboxState::Delivered, now, None, "success"),
        Decision::RetryAt(at) => (OutboxState::Pending, *at, failure(&outcome), "retry"),
        Decision::DeadLetter(reason) => (OutboxState::Dead, now, Some(reason.clone()), "dead"),
    };
    let health = match state {
        OutboxState::Delivered => AttemptResult::Delivered,
        OutboxState::Pending => AttemptResult::Failed,
        OutboxState::Dead => AttemptResult::Dead,
    };
    super::receiver_failing::observe_attempt(inner, &receiver, health);
    let [r, i] = labels;
    inner
        .metrics
        .notifications
        .with_label_values(&[r, i, result])
        .inc();
    match state {
        OutboxState::Delivered => {
            let latency = now
                .duration_since(entry.message.created_at)
                .unwrap_or_default();
            let histogram = inner
                .metrics
                .notification_latency
                .with_label_values(&labels);
            histogram.observe(latency.as_secs_f64());
        }
        OutboxState::Dead => {
            inner
                .metrics
                .notifications_dead
                .with_label_values(&labels)
                .inc();
            tracing::error!(receiver = r, integration = i, id = %entry.id,
                reason = error.as_deref().unwrap_or_default(), "notification dead-lettered");
        }
        OutboxState::Pending => {}
    }
    let store = lock(&inner.store);
    if let Err(store_error) =
        store.finish_attempt(&entry.id, state, attempts, next, error.as_deref(), now)
    {
        tracing::error!(error = %store_error, id = %entry.id, "recording a delivery attempt failed");
    }
}

fn failure(outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Delivered => None,
        Outcome::Retryable { reason, .. } | Outcome::Permanent(reason) => Some(reason.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_channels_fall_back_to_the_tree() {
        let notifiers = Notifiers::build(&NotifyConfig::default()).unwrap();
        assert_eq!(notifiers.integrations("log"), ["log"]);
        assert!(notifiers.integrations("slack").is_empty());
        let kept = notifiers.known(vec!["slack".into(), "log".into()]);
        assert_eq!(kept, ["log"]);
        assert!(notifiers.known(vec!["email".into()]).is_empty());
    }
}
