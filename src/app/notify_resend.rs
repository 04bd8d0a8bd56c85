//! The Alertmanager resend loop: every `resend_interval` of each integration that asks for it
//! (`Notifier::resend_interval`, today only `alertmanager`), the alerts still firing that were
//! already notified to that receiver are posted again, so Alertmanager keeps them active (their
//! `endsAt` moves forward). Resends are not durable and not in the history: a failed one is
//! logged and the next interval tries again, as Prometheus's notifier does; the firing and
//! resolved notifications themselves go through the outbox.

use super::notify_runtime::{Inner, Live, lock};
use crate::model::Labels;
use crate::notify::resend::ResendTimer;
use crate::notify::{Message, Outcome, Reason};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// One receiver integration's resend timer.
struct Resender {
    receiver: String,
    integration: &'static str,
    timer: ResendTimer,
}

/// The resend timers for the integrations `live` configures (a reload may change them).
fn resenders_of(live: &Live, now: SystemTime) -> Vec<Resender> {
    live.notifiers
        .resending()
        .into_iter()
        .map(|(receiver, integration, interval)| Resender {
            receiver: receiver.to_owned(),
            integration,
            timer: ResendTimer::new(interval, now),
        })
        .collect()
}

/// How often the loop looks for a reloaded notify config when nothing resends.
const IDLE_CHECK: std::time::Duration = std::time::Duration::from_secs(60);

/// Resends due alerts until shutdown; picks up the integrations of a reloaded notify config.
pub async fn resend_loop(inner: Arc<Inner>, mut shutdown: watch::Receiver<bool>) {
    let mut live = inner.live();
    let mut resenders = resenders_of(&live, SystemTime::now());
    loop {
        let next = resenders.iter().map(|r| r.timer.next_at()).min();
        let wait = next.map_or(IDLE_CHECK, |at| {
            at.duration_since(SystemTime::now()).unwrap_or_default()
        });
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
        let now = SystemTime::now();
        let current = inner.live();
        if !Arc::ptr_eq(&current, &live) {
            live = current;
            resenders = resenders_of(&live, now);
            continue;
        }
        for resender in &mut resenders {
            if resender.timer.take_due(now) {
                resend(&inner, &live, &resender.receiver, resender.integration, now).await;
            }
        }
    }
}

/// One resend of `receiver`'s notified firing alerts through `integration`.
async fn resend(
    inner: &Inner,
    live: &Live,
    receiver: &str,
    integration: &'static str,
    now: SystemTime,
) {
    let alerts = lock(&inner.dispatcher).firing_sent_to(receiver);
    if alerts.is_empty() {
        return;
    }
    let Some(notifier) = live.notifiers.find(receiver, integration) else {
        return;
    };
    let millis = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let count = alerts.len();
    let message = Message {
        id: format!("resend-{millis}"),
        receiver: receiver.to_owned(),
        group_key: String::new(),
        group_labels: Labels::default(),
        reason: Reason::Resend,
        alerts,
        external_url: inner.external_url.clone(),
        created_at: now,
    };
    let timeout = live.policy.attempt_timeout;
    let outcome = match tokio::time::timeout(timeout, notifier.notify(&message)).await {
        Ok(outcome) => outcome,
        Err(_) => Outcome::timed_out(timeout),
    };
    match outcome {
        Outcome::Delivered => {
            tracing::debug!(
                receiver,
                integration,
                alerts = count,
                "firing alerts re-sent"
            );
        }
        Outcome::Retryable { reason, .. } | Outcome::Permanent(reason) => {
            tracing::warn!(receiver, integration, alerts = count, %reason,
                "re-sending firing alerts failed; trying again next resend_interval");
        }
    }
}
