//! Messages that bypass grouping but not delivery: the test notification
//! (`POST /api/v1/alerts/test`) and watchpost's own alerts about failing receivers. Each is one
//! outbox row per integration of its receiver, so it is retried, dead-lettered and listed in the
//! history like any notification.

use super::notify_runtime::{Inner, NotifyHandle, lock};
use crate::model::Labels;
use crate::notify::alert::{Alert, AlertStatus};
use crate::notify::dedup::Reason;
use crate::notify::group::{Flush, GroupId};
use crate::notify::message::Message;
use crate::notify::route::Timing;
use crate::store::{StoreError, enqueue};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

/// The `alertname` of a test notification.
pub const TEST_ALERTNAME: &str = "WatchpostTestNotification";

/// Why a test notification was not sent.
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// No receiver of that name is configured.
    #[error("no receiver named {0:?}")]
    UnknownReceiver(String),
    /// The routing tree sends the test alert nowhere.
    #[error("the routing tree sends the test alert to no receiver")]
    NoRoute,
    /// The outbox could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a test notification was queued as: `(receiver, message id)` pairs.
pub type TestQueued = Vec<(String, String)>;

impl NotifyHandle {
    /// Queues a synthetic `WatchpostTestNotification` alert to `receiver`, or to wherever the
    /// routing tree sends it when `None`.
    pub fn send_test(&self, receiver: Option<&str>) -> Result<TestQueued, TestError> {
        let inner = &self.inner;
        let now = SystemTime::now();
        let mut alert = synthetic_alert(
            TEST_ALERTNAME,
            &[("severity", "info")],
            now,
            &inner.external_url,
        );
        alert.annotations.insert(
            "summary".to_owned(),
            "a test notification from watchpost: this receiver works".to_owned(),
        );
        let receivers = match receiver {
            Some(name) if inner.live().notifiers.integrations(name).is_empty() => {
                return Err(TestError::UnknownReceiver(name.to_owned()));
            }
            Some(name) => vec![name.to_owned()],
            None => lock(&inner.dispatcher).receivers_for(&alert),
        };
        if receivers.is_empty() {
            return Err(TestError::NoRoute);
        }
        let mut queued = Vec::new();
        for receiver in receivers {
            let id = enqueue_direct(inner, &receiver, vec![alert.clone()], Reason::Test, now)?;
            queued.push((receiver, id));
        }
        Ok(queued)
    }
}

/// A firing alert of watchpost itself, labelled `alertname` plus `labels`.
pub fn synthetic_alert(
    name: &str,
    labels: &[(&str, &str)],
    now: SystemTime,
    external_url: &str,
) -> Alert {
    let mut all = Labels::from_pairs(labels.iter().copied());
    all.insert("alertname", name);
    Alert {
        fingerprint: all.fingerprint(),
        labels: all,
        annotations: BTreeMap::new(),
        status: AlertStatus::Firing,
        starts_at: now,
        ends_at: None,
        value: 1.0,
        resolved_value: None,
        generator_url: format!("{}/api/v1/alerts", external_url.trim_end_matches('/')),
        channels: Vec::new(),
    }
}

/// Writes one message of `alerts` for `receiver` to the outbox (one row per integration) and
/// wakes the delivery loop; returns the message id.
pub fn enqueue_direct(
    inner: &Inner,
    receiver: &str,
    alerts: Vec<Alert>,
    reason: Reason,
    now: SystemTime,
) -> Result<String, StoreError> {
    let name = alerts
        .first()
        .map(|a| a.name().to_owned())
        .unwrap_or_default();
    let group_labels = Labels::from_pairs([("alertname", name.as_str())]);
    let flush = Flush {
        id: GroupId {
            receiver: receiver.to_owned(),
            group_key: format!("direct:{group_labels}"),
        },
        group_labels,
        timing: Timing::default(),
        alerts,
    };
    let millis = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let sequence = inner.sequence.fetch_add(1, Ordering::Relaxed);
    let id = format!("direct-{millis:x}-{sequence}");
    let message = Message::from_flush(&id, &flush, reason, true, &inner.external_url, now);
    let live = inner.live();
    lock(&inner.store).with_transaction(|tx| {
        for integration in live.notifiers.integrations(receiver) {
            enqueue(tx, &message, integration)?;
        }
        Ok(())
    })?;
    inner.wake_delivery.notify_one();
    Ok(id)
}
