//! The built-in `WatchpostReceiverFailing{receiver}` alert: fed every delivery attempt's result,
//! it raises the alert to the fallback receiver (never to the failing one) after N consecutive
//! failures or a dead letter, resolves it on the next accepted delivery, and exports
//! `watchpost_receiver_failing{receiver}` (1 while raised, 0 after).

use super::notify_direct::{enqueue_direct, synthetic_alert};
use super::notify_runtime::{Inner, lock};
use crate::metrics::self_metrics::SelfMetrics;
use crate::notify::NotifyConfig;
use crate::notify::alert::AlertStatus;
use crate::notify::config::DEFAULT_RECEIVER;
use crate::notify::dedup::Reason;
use crate::notify::receiver_health::{
    AttemptResult, DEFAULT_FAILURES, HealthChange, RECEIVER_FAILING_ALERTNAME, ReceiverHealth,
};
use prometheus::{GaugeVec, Opts};
use std::collections::BTreeMap;
use std::time::SystemTime;

/// Receiver health, the fallback receiver and the gauge.
pub(super) struct ReceiverFailing {
    health: ReceiverHealth,
    fallback: String,
    raised_at: BTreeMap<String, SystemTime>,
    gauge: Option<GaugeVec>,
}

impl ReceiverFailing {
    /// From `notify.fallback_receiver` / `notify.receiver_failing_after`; registers the gauge
    /// (once per self-metrics registry).
    pub(super) fn new(config: &NotifyConfig, metrics: &SelfMetrics) -> Self {
        let opts = Opts::new(
            "watchpost_receiver_failing",
            "1 while a receiver keeps failing (WatchpostReceiverFailing is raised), else 0.",
        );
        let gauge = GaugeVec::new(opts, &["receiver"]).ok().filter(|gauge| {
            match metrics.registry().register(Box::new(gauge.clone())) {
                Ok(()) => true,
                Err(error) => {
                    tracing::debug!(%error, "watchpost_receiver_failing is already registered");
                    false
                }
            }
        });
        Self {
            health: ReceiverHealth::new(config.receiver_failing_after.unwrap_or(DEFAULT_FAILURES)),
            fallback: config
                .fallback_receiver
                .clone()
                .unwrap_or_else(|| DEFAULT_RECEIVER.to_owned()),
            raised_at: BTreeMap::new(),
            gauge,
        }
    }
}

impl ReceiverFailing {
    /// Takes a reloaded config's fallback receiver and threshold, keeping every receiver's count.
    pub(super) fn reconfigure(&mut self, config: &NotifyConfig) {
        self.health
            .set_after_failures(config.receiver_failing_after.unwrap_or(DEFAULT_FAILURES));
        self.fallback = config
            .fallback_receiver
            .clone()
            .unwrap_or_else(|| DEFAULT_RECEIVER.to_owned());
    }
}

/// Records one attempt for `receiver` and sends the raise or resolve it causes.
pub(super) fn observe_attempt(inner: &Inner, receiver: &str, result: AttemptResult) {
    let now = SystemTime::now();
    let (change, fallback, raised_at) = {
        let mut state = lock(&inner.receiver_failing);
        let Some(change) = state.health.record(receiver, result) else {
            return;
        };
        if let Some(gauge) = &state.gauge {
            let value = if change == HealthChange::Raise {
                1.0
            } else {
                0.0
            };
            gauge.with_label_values(&[receiver]).set(value);
        }
        let raised_at = match change {
            HealthChange::Raise => *state.raised_at.entry(receiver.to_owned()).or_insert(now),
            HealthChange::Clear => state.raised_at.remove(receiver).unwrap_or(now),
        };
        (change, state.fallback.clone(), raised_at)
    };
    if fallback == receiver {
        tracing::error!(
            receiver,
            "the fallback receiver itself keeps failing; nowhere to send WatchpostReceiverFailing"
        );
        return;
    }
    let mut alert = synthetic_alert(
        RECEIVER_FAILING_ALERTNAME,
        &[("receiver", receiver), ("severity", "critical")],
        raised_at,
        &inner.external_url,
    );
    alert.annotations.insert(
        "summary".to_owned(),
        format!("notifications to receiver {receiver:?} keep failing; see /api/v1/notifications?receiver={receiver}"),
    );
    let reason = match change {
        HealthChange::Raise => Reason::FirstNotification,
        HealthChange::Clear => {
            alert.status = AlertStatus::Resolved;
            alert.ends_at = Some(now);
            alert.resolved_value = Some(0.0);
            Reason::AlertsResolved
        }
    };
    tracing::warn!(receiver, fallback = %fallback, change = ?change, "receiver health changed");
    if let Err(error) = enqueue_direct(inner, &fallback, vec![alert], reason, now) {
        tracing::error!(%error, receiver, "queueing WatchpostReceiverFailing failed");
    }
}
