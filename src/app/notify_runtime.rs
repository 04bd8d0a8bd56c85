//! Runs the notification pipeline: rule-engine events go into the `Dispatcher`, a task sleeps
//! until its next group deadline and commits each flush (outbox rows plus the group's sent
//! record) in one store transaction, and the delivery loop (`notify_delivery`) sends them.
//!
//! At start the dispatcher gets back the stored sent records, silences, acknowledgements and
//! every stored firing or recently resolved alert, so a notification owed when the process died
//! is sent and one already enqueued is not repeated (see `store::outbox` for the design).

use super::notify_delivery::{Notifiers, delivery_loop};
use super::notify_resend::resend_loop;
use crate::metrics::self_metrics::SelfMetrics;
use crate::model::Fingerprint;
use crate::notify::ack::Acknowledgement;
use crate::notify::alert::{Alert, AlertStatus};
use crate::notify::dispatch::Dispatcher;
use crate::notify::silence::{Silence, SilenceError, SilenceSpec};
use crate::notify::{NotifyConfig, RetryPolicy};
use crate::rules::state::{AlertEvent, AlertInstance, AlertState, EventKind};
use crate::store::save_sent_record;
use crate::store::{HistoryFilter, OutboxEntry, Store, StoreError, enqueue, from_millis};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// What the notification tasks and the API share.
pub(super) struct Inner {
    pub(super) dispatcher: Mutex<Dispatcher>,
    pub(super) store: Arc<Mutex<Store>>,
    pub(super) silences: Mutex<Vec<Silence>>,
    pub(super) metrics: SelfMetrics,
    pub(super) live: Mutex<Arc<Live>>,
    pub(super) wake_dispatch: Notify,
    pub(super) wake_delivery: Notify,
    pub(super) external_url: String,
    pub(super) sequence: std::sync::atomic::AtomicU64,
    pub(super) receiver_failing: Mutex<super::receiver_failing::ReceiverFailing>,
}

/// The parts a notify reload replaces: the receivers' notifiers and the retry policy.
pub(super) struct Live {
    pub(super) notifiers: Notifiers,
    pub(super) policy: RetryPolicy,
}

impl Inner {
    /// The current notifiers and policy (a reload swaps them).
    pub(super) fn live(&self) -> Arc<Live> {
        lock(&self.live).clone()
    }
}

/// A cloneable handle: feed events, read history, manage silences and acknowledgements.
#[derive(Clone)]
pub struct NotifyHandle {
    pub(super) inner: Arc<Inner>,
}

impl std::fmt::Debug for NotifyHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NotifyHandle")
    }
}

/// The running notification tasks.
pub struct NotifyRuntime {
    handle: NotifyHandle,
    tasks: Vec<JoinHandle<()>>,
}

impl NotifyRuntime {
    /// Builds the dispatcher and notifiers from `config`, restores state from `store` and starts
    /// the flush and delivery tasks.
    pub fn start(
        config: &NotifyConfig,
        external_url: &str,
        store: Arc<Mutex<Store>>,
        metrics: SelfMetrics,
        channels: &dyn Fn(&str, &str) -> Vec<String>,
        shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        let mut dispatcher = Dispatcher::new(config, external_url)?;
        let notifiers = Notifiers::build(config)?;
        let known = |group: &str, name: &str| notifiers.known(channels(group, name));
        let silences = restore(&mut dispatcher, &lock(&store), external_url, &known)?;
        let receiver_failing = super::receiver_failing::ReceiverFailing::new(config, &metrics);
        let inner = Arc::new(Inner {
            dispatcher: Mutex::new(dispatcher),
            store,
            silences: Mutex::new(silences),
            metrics,
            live: Mutex::new(Arc::new(Live {
                policy: RetryPolicy::from(&config.delivery),
                notifiers,
            })),
            wake_dispatch: Notify::new(),
            wake_delivery: Notify::new(),
            external_url: external_url.to_owned(),
            sequence: std::sync::atomic::AtomicU64::new(0),
            receiver_failing: Mutex::new(receiver_failing),
        });
        let tasks = vec![
            tokio::spawn(flush_loop(inner.clone(), shutdown.clone())),
            tokio::spawn(delivery_loop(inner.clone(), shutdown.clone())),
            tokio::spawn(resend_loop(inner.clone(), shutdown)),
        ];
        Ok(Self {
            handle: NotifyHandle { inner },
            tasks,
        })
    }

    /// The handle the rule engine and the API use.
    pub fn handle(&self) -> NotifyHandle {
        self.handle.clone()
    }

    /// Stops the tasks.
    pub fn abort(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

impl Drop for NotifyRuntime {
    fn drop(&mut self) {
        self.abort();
    }
}

/// Puts the stored sent records, silences, acks and alerts back; returns the silences.
pub(super) fn restore(
    dispatcher: &mut Dispatcher,
    store: &Store,
    external_url: &str,
    channels: &dyn Fn(&str, &str) -> Vec<String>,
) -> Result<Vec<Silence>, StoreError> {
    dispatcher.restore_sent(store.load_sent_records()?);
    let silences: Vec<Silence> = store
        .load_silences()?
        .into_iter()
        .filter_map(|(id, spec)| Silence::new(id, spec).ok())
        .collect();
    dispatcher.set_silences(silences.clone());
    let now = SystemTime::now();
    let alerts: Vec<Alert> = store
        .load_alert_states()?
        .iter()
        .filter_map(|stored| {
            let mut alert = to_alert(&stored.alert, external_url)?;
            alert.channels = channels(&stored.group, alert.name());
            Some(alert)
        })
        .collect();
    let firing: BTreeSet<Fingerprint> = alerts
        .iter()
        .filter(|a| a.is_firing())
        .map(|a| a.fingerprint)
        .collect();
    for ack in store.load_acks()? {
        if firing.contains(&ack.fingerprint) {
            dispatcher.acknowledge(ack);
        }
    }
    let restored = alerts.len();
    for alert in alerts {
        dispatcher.observe(alert, now);
    }
    tracing::info!(alerts = restored, "notification state restored");
    Ok(silences)
}

/// The notifier's view of a rule-engine alert; `None` while pending.
pub fn to_alert(instance: &AlertInstance, external_url: &str) -> Option<Alert> {
    let status = match instance.state {
        AlertState::Firing => AlertStatus::Firing,
        AlertState::Resolved => AlertStatus::Resolved,
        AlertState::Pending => return None,
    };
    Some(Alert {
        fingerprint: instance.fingerprint,
        labels: instance.labels.clone(),
        annotations: instance.annotations.clone().into(),
        status,
        starts_at: from_millis(instance.fired_at_ms.unwrap_or(instance.active_since_ms)),
        ends_at: instance.resolved_at_ms.map(from_millis),
        value: instance.value,
        resolved_value: instance.resolved_value,
        generator_url: format!("{}/api/v1/rules", external_url.trim_end_matches('/')),
        channels: Vec::new(),
    })
}

impl NotifyHandle {
    /// Feeds rule-engine transitions (firing, resolved, changed) to the dispatcher;
    /// `channels` gives the rule's `channels` by alert name.
    pub fn observe_events(&self, events: &[AlertEvent], channels: &dyn Fn(&str) -> Vec<String>) {
        let now = SystemTime::now();
        let live = self.inner.live();
        let mut dispatcher = lock(&self.inner.dispatcher);
        let mut any = false;
        for event in events {
            if !matches!(
                event.kind,
                EventKind::Firing | EventKind::Resolved | EventKind::Changed
            ) {
                continue;
            }
            if let Some(mut alert) = to_alert(&event.alert, &self.inner.external_url) {
                alert.channels = live.notifiers.known(channels(alert.name()));
                dispatcher.observe(alert, now);
                any = true;
            }
        }
        drop(dispatcher);
        if any {
            self.inner.wake_dispatch.notify_one();
        }
    }

    /// Notification history, newest first.
    pub fn history(&self, filter: &HistoryFilter) -> Result<Vec<OutboxEntry>, StoreError> {
        lock(&self.inner.store).notification_history(filter)
    }

    /// Validates, stores and applies a new silence; returns it.
    pub fn add_silence(&self, spec: SilenceSpec) -> Result<Silence, AddSilenceError> {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let seq = self
            .inner
            .sequence
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let silence = Silence::new(format!("{millis:x}-{seq}"), spec)?;
        lock(&self.inner.store).save_silence(&silence.id, &silence.spec)?;
        let mut silences = lock(&self.inner.silences);
        silences.push(silence.clone());
        lock(&self.inner.dispatcher).set_silences(silences.clone());
        Ok(silence)
    }

    /// Every silence (active, pending and expired ones not yet deleted).
    pub fn silences(&self) -> Vec<Silence> {
        lock(&self.inner.silences).clone()
    }

    /// Deletes silence `id`; false when it does not exist.
    pub fn delete_silence(&self, id: &str) -> Result<bool, StoreError> {
        let deleted = lock(&self.inner.store).delete_silence(id)?;
        let mut silences = lock(&self.inner.silences);
        silences.retain(|s| s.id != id);
        lock(&self.inner.dispatcher).set_silences(silences.clone());
        Ok(deleted)
    }

    /// Stores and applies an acknowledgement (repeats stop until the alert resolves).
    pub fn acknowledge(&self, ack: Acknowledgement) -> Result<(), StoreError> {
        lock(&self.inner.store).save_ack(&ack)?;
        lock(&self.inner.dispatcher).acknowledge(ack);
        Ok(())
    }
}

/// Why a silence was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddSilenceError {
    /// The spec is invalid.
    #[error(transparent)]
    Invalid(#[from] SilenceError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sleeps until the dispatcher's next deadline (or new events), then commits the flush.
async fn flush_loop(inner: Arc<Inner>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let deadline = lock(&inner.dispatcher).next_deadline();
        let wait = deadline.map(|d| {
            d.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO)
        });
        tokio::select! {
            _ = inner.wake_dispatch.notified() => {}
            _ = sleep_or_forever(wait) => {}
            _ = shutdown.changed() => return,
        }
        flush(&inner, SystemTime::now());
    }
}

/// `tokio::time::sleep(wait)`, or never when there is nothing to wait for.
pub(super) async fn sleep_or_forever(wait: Option<Duration>) {
    match wait {
        Some(wait) => tokio::time::sleep(wait).await,
        None => std::future::pending().await,
    }
}

/// One `tick`: every planned message and record committed in one transaction.
fn flush(inner: &Inner, now: SystemTime) {
    let planned = lock(&inner.dispatcher).tick(now);
    if planned.is_empty() {
        return;
    }
    let live = inner.live();
    let result = lock(&inner.store).with_transaction(|tx| {
        for plan in &planned {
            let group = crate::notify::group::GroupId {
                receiver: plan.message.receiver.clone(),
                group_key: plan.message.group_key.clone(),
            };
            save_sent_record(tx, &group, &plan.record)?;
            if plan.message.is_empty() {
                continue;
            }
            for integration in live.notifiers.integrations(&plan.message.receiver) {
                enqueue(tx, &plan.message, integration)?;
            }
        }
        Ok(())
    });
    match result {
        Ok(()) => inner.wake_delivery.notify_one(),
        Err(error) => tracing::error!(%error,
            "writing notifications to the outbox failed; they are sent again after a restart"),
    }
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
