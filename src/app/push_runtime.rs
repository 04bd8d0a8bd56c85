//! Runs push ingestion: the push store behind a mutex, publishing into the registry, the TTL
//! tick, and evaluating rules the moment a push changes a series they read.
//!
//! Publishing re-encodes a whole source, so it is batched: a push whose metrics no rule reads
//! marks its source dirty for the next publish tick (every second); a push that a rule reads is
//! published and evaluated at once, so an alert can fire milliseconds after the data arrives.

use super::rules_runtime::RuleEvaluator;
use crate::collect::push::{Applied, PushError, PushSource, PushStore};
use crate::metrics::Registry;
use prometheus::IntCounterVec;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// How often dirty push sources are published.
const PUBLISH_EVERY: Duration = Duration::from_secs(1);
/// How often expired pushed series are dropped.
const EXPIRE_EVERY: Duration = Duration::from_secs(30);

struct Inner {
    store: Mutex<PushStore>,
    dirty: Mutex<BTreeSet<PushSource>>,
    registry: Registry,
    evaluator: RuleEvaluator,
    rejected: IntCounterVec,
}

/// A cloneable handle to push ingestion, shared by the HTTP handlers.
#[derive(Clone)]
pub struct PushHandle {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for PushHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PushHandle")
    }
}

impl PushHandle {
    /// A handle over `store`, counting rejections in `rejected` (`reason` label).
    pub fn new(
        store: PushStore,
        registry: Registry,
        evaluator: RuleEvaluator,
        rejected: IntCounterVec,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store: Mutex::new(store),
                dirty: Mutex::default(),
                registry,
                evaluator,
                rejected,
            }),
        }
    }

    /// Runs `change` on the store (whole or not at all), then publishes and evaluates as the
    /// module doc says. Blocking: call it from a blocking thread.
    pub fn apply(
        &self,
        change: impl FnOnce(&mut PushStore, SystemTime) -> Result<Applied, PushError>,
    ) -> Result<Applied, PushError> {
        let now = SystemTime::now();
        let mut store = lock(&self.inner.store);
        let applied = match change(&mut store, now) {
            Ok(applied) => applied,
            Err(error) => {
                self.count_rejection(&error);
                return Err(error);
            }
        };
        if self
            .inner
            .evaluator
            .reads_any(&applied.changed_metric_names)
        {
            store.publish(&self.inner.registry, &applied.sources, now);
            drop(store);
            self.inner
                .evaluator
                .evaluate_pushed(&applied.changed_metric_names);
        } else {
            lock(&self.inner.dirty).extend(applied.sources.iter().copied());
        }
        Ok(applied)
    }

    /// Reads the store (for the JSON API).
    pub fn read<T>(&self, view: impl FnOnce(&PushStore) -> T) -> T {
        view(&lock(&self.inner.store))
    }

    /// Counts a push rejected before it reached the store (a parse error).
    pub fn count_rejection(&self, error: &PushError) {
        self.inner
            .rejected
            .with_label_values(&[error.reason()])
            .inc();
    }

    /// Checks a body length against the configured limit (counting a rejection).
    pub fn check_body_size(&self, bytes: usize) -> Result<(), PushError> {
        let result = lock(&self.inner.store).check_body_size(bytes);
        if let Err(error) = &result {
            self.count_rejection(error);
        }
        result
    }

    /// Publishes every dirty source (and service health).
    fn publish_dirty(&self) {
        let sources: Vec<PushSource> = std::mem::take(&mut *lock(&self.inner.dirty))
            .into_iter()
            .collect();
        let store = lock(&self.inner.store);
        store.publish(&self.inner.registry, &sources, SystemTime::now());
    }

    /// Drops expired series and marks their sources dirty.
    fn expire(&self) {
        let applied = lock(&self.inner.store).expire(SystemTime::now());
        lock(&self.inner.dirty).extend(applied.sources);
    }

    /// Spawns the publish and expiry ticks; they stop when `shutdown` turns true.
    pub fn spawn_ticks(&self, mut shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        let handle = self.clone();
        tokio::spawn(async move {
            let mut publish = tokio::time::interval(PUBLISH_EVERY);
            let mut expire = tokio::time::interval(EXPIRE_EVERY);
            loop {
                let job: fn(&PushHandle) = tokio::select! {
                    _ = publish.tick() => PushHandle::publish_dirty,
                    _ = expire.tick() => PushHandle::expire,
                    _ = shutdown.changed() => return,
                };
                let handle = handle.clone();
                if let Err(error) = tokio::task::spawn_blocking(move || job(&handle)).await {
                    tracing::error!(%error, "push maintenance task failed");
                }
            }
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
