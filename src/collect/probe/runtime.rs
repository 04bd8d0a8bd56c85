//! Runs every probe on its own interval in its own tokio task and publishes the probe series
//! into the registry (source `probes`) after each attempt. `ProbeHandle` is the read side the
//! API uses (`/api/v1/health/detailed`).

use super::config::{ProbeConfig, ProbeKind};
use super::export::export_probe;
use super::http::HttpProber;
use super::state::ProbeStatus;
use super::tcp::tcp_attempt;
use crate::metrics::{Batch, Registry};
use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The registry source the probe series are published under.
pub const PROBES_SOURCE: &str = "probes";

/// Shared, read-mostly view of every probe's last status. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct ProbeHandle {
    statuses: Arc<RwLock<BTreeMap<String, (ProbeKind, ProbeStatus)>>>,
}

impl ProbeHandle {
    /// The last status of every probe that has run at least once, by name.
    pub fn statuses(&self) -> Vec<ProbeStatus> {
        self.statuses
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .map(|(_, status)| status.clone())
            .collect()
    }

    /// The last status of probe `name`, if it has run.
    pub fn status(&self, name: &str) -> Option<ProbeStatus> {
        self.statuses
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .map(|(_, status)| status.clone())
    }

    /// Records `status` and republishes every probe's series into `registry`.
    fn record(&self, kind: ProbeKind, status: ProbeStatus, registry: &Registry) {
        let mut statuses = self
            .statuses
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        statuses.insert(status.name.clone(), (kind, status));
        let mut batch = Batch::new();
        for (kind, status) in statuses.values() {
            export_probe(&mut batch, *kind, status);
        }
        registry.publish(PROBES_SOURCE, batch.into_families(), SystemTime::now());
    }

    /// Forgets probes not named in `keep`.
    fn retain(&self, keep: &[ProbeConfig]) {
        self.statuses
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|name, _| keep.iter().any(|p| &p.name == name));
    }
}

/// The running probe tasks.
pub struct ProbeRuntime {
    registry: Registry,
    handle: ProbeHandle,
    tasks: Vec<JoinHandle<()>>,
}

impl ProbeRuntime {
    /// No probes yet; `apply` starts them.
    pub fn new(registry: Registry) -> Self {
        Self {
            registry,
            handle: ProbeHandle::default(),
            tasks: Vec::new(),
        }
    }

    /// The read handle (stays valid across `apply`).
    pub fn handle(&self) -> ProbeHandle {
        self.handle.clone()
    }

    /// Replaces the running probes with `probes`; they stop when `shutdown` turns true.
    pub fn apply(&mut self, probes: &[ProbeConfig], shutdown: &watch::Receiver<bool>) {
        self.abort();
        self.handle.retain(probes);
        if probes.is_empty() {
            self.registry.remove(PROBES_SOURCE);
        }
        for probe in probes {
            let task = run_probe(probe.clone(), self.handle.clone(), self.registry.clone());
            let mut shutdown = shutdown.clone();
            self.tasks.push(tokio::spawn(async move {
                tokio::select! {
                    () = task => {}
                    _ = shutdown.wait_for(|stop| *stop) => {}
                }
            }));
        }
    }

    /// Stops every probe task.
    pub fn abort(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

impl Drop for ProbeRuntime {
    fn drop(&mut self) {
        self.abort();
    }
}

async fn run_probe(probe: ProbeConfig, handle: ProbeHandle, registry: Registry) {
    let http = (probe.kind == ProbeKind::Http).then(|| HttpProber::new(&probe));
    let mut ticker = tokio::time::interval(probe.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        ticker.tick().await;
        let attempt = match &http {
            Some(prober) => prober.attempt().await,
            None => tcp_attempt(&probe.target, probe.effective_timeout()).await,
        };
        if let Some(failure) = &attempt.failure {
            tracing::debug!(probe = %probe.name, target = %probe.target, reason = failure.reason.as_str(), error = %failure.message, "probe failed");
        }
        let previous = handle.status(&probe.name);
        let status = ProbeStatus::after(
            previous.as_ref(),
            (&probe.name, &probe.target),
            probe.retries,
            attempt,
            SystemTime::now(),
        );
        if previous.as_ref().is_some_and(|p| p.up) && !status.up {
            tracing::warn!(probe = %probe.name, target = %probe.target, error = status.last_error.as_deref().unwrap_or(""), "probe is down");
        }
        handle.record(probe.kind, status, &registry);
    }
}
