//! `ApiContext`: what the JSON API and the WebSocket stream need beyond the rest of `AppState`
//! — start time, the store (health checks), the running config and the last reload's outcome,
//! the alert-event broadcast, the WebSocket self-metrics, and the probe status handle.
//!
//! Cheap to clone (one shared `Arc`); the app updates it on reload, handlers only read it.

use crate::app::GroupAlertEvent;
use crate::config::Config;
use crate::metrics::self_metrics::SelfMetrics;
use crate::store::Store;
use prometheus::{IntCounter, IntGauge, Opts};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;
use tokio::sync::broadcast;

/// Messages a WebSocket client may have queued before the oldest are dropped.
pub const DEFAULT_WEBSOCKET_BUFFER: usize = 1024;

/// The state of one probe, as the probes helper's status handle reports it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ProbeStatus {
    /// The probe's configured name.
    pub name: String,
    /// The URL or `host:port` it checks.
    pub target: String,
    /// Whether the last check (after retries) succeeded.
    pub up: bool,
    /// How long the last check took, in seconds.
    pub duration_seconds: f64,
    /// The bounded failure reason (`timeout|connect|tls|status|body`) when down.
    pub failure_reason: Option<String>,
}

/// Where probe states come from (implemented by the probes runtime once it lands).
pub trait ProbeStatusSource: Send + Sync {
    /// The current state of every configured probe.
    fn probe_statuses(&self) -> Vec<ProbeStatus>;
}

/// The outcome of the last configuration reload.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ReloadStatus {
    /// When the last reload was attempted (None: never since start).
    #[serde(skip)]
    pub at: Option<SystemTime>,
    /// Whether it succeeded (true before any reload).
    pub successful: bool,
    /// Its errors when it was rejected.
    pub errors: Vec<String>,
}

/// `watchpost_websocket_dropped_messages_total` and `watchpost_websocket_connections`.
#[derive(Clone, Debug)]
pub struct WebSocketMetrics {
    /// Messages dropped because a client's buffer was full (or it fell behind a broadcast).
    pub dropped: IntCounter,
    /// Open WebSocket connections.
    pub connections: IntGauge,
}

impl WebSocketMetrics {
    /// Creates both metrics and registers them with `self_metrics`.
    pub fn register(self_metrics: &SelfMetrics) -> Result<Self, prometheus::Error> {
        let dropped = IntCounter::with_opts(Opts::new(
            "watchpost_websocket_dropped_messages_total",
            "WebSocket messages dropped because a client's bounded buffer was full (oldest first).",
        ))?;
        let connections = IntGauge::with_opts(Opts::new(
            "watchpost_websocket_connections",
            "Open WebSocket connections on /api/v1/ws.",
        ))?;
        self_metrics
            .registry()
            .register(Box::new(dropped.clone()))?;
        self_metrics
            .registry()
            .register(Box::new(connections.clone()))?;
        Ok(Self {
            dropped,
            connections,
        })
    }
}

struct Inner {
    started_at: SystemTime,
    store: Arc<Mutex<Store>>,
    config: RwLock<Arc<Config>>,
    reload: RwLock<ReloadStatus>,
    alert_events: broadcast::Sender<GroupAlertEvent>,
    websocket: WebSocketMetrics,
    websocket_buffer: usize,
    probes: RwLock<Option<Arc<dyn ProbeStatusSource>>>,
}

/// The API's shared context. See the module documentation.
#[derive(Clone)]
pub struct ApiContext {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ApiContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiContext")
            .field("started_at", &self.inner.started_at)
            .finish_non_exhaustive()
    }
}

impl ApiContext {
    /// A context started now over `config`, the shared `store` and the rules runtime's
    /// `alert_events`; registers the WebSocket metrics with `self_metrics`.
    pub fn new(
        config: Arc<Config>,
        store: Arc<Mutex<Store>>,
        alert_events: broadcast::Sender<GroupAlertEvent>,
        self_metrics: &SelfMetrics,
    ) -> Result<Self, prometheus::Error> {
        Ok(Self {
            inner: Arc::new(Inner {
                started_at: SystemTime::now(),
                store,
                config: RwLock::new(config),
                reload: RwLock::new(ReloadStatus {
                    successful: true,
                    ..ReloadStatus::default()
                }),
                alert_events,
                websocket: WebSocketMetrics::register(self_metrics)?,
                websocket_buffer: DEFAULT_WEBSOCKET_BUFFER,
                probes: RwLock::new(None),
            }),
        })
    }

    /// When watchpost started.
    pub fn started_at(&self) -> SystemTime {
        self.inner.started_at
    }

    /// The store (for `SELECT 1` and outbox counts; never held across an `.await`).
    pub fn store(&self) -> &Arc<Mutex<Store>> {
        &self.inner.store
    }

    /// The running configuration.
    pub fn config(&self) -> Arc<Config> {
        read(&self.inner.config).clone()
    }

    /// Records a reload attempt: the new config when it was applied, its errors when not.
    pub fn record_reload(&self, outcome: Result<Arc<Config>, &[String]>) {
        let mut status = ReloadStatus {
            at: Some(SystemTime::now()),
            successful: outcome.is_ok(),
            errors: Vec::new(),
        };
        match outcome {
            Ok(config) => *write(&self.inner.config) = config,
            Err(errors) => status.errors = errors.to_vec(),
        }
        *write(&self.inner.reload) = status;
    }

    /// The last reload's outcome.
    pub fn reload_status(&self) -> ReloadStatus {
        read(&self.inner.reload).clone()
    }

    /// A receiver of every later alert transition.
    pub fn subscribe_alerts(&self) -> broadcast::Receiver<GroupAlertEvent> {
        self.inner.alert_events.subscribe()
    }

    /// The WebSocket self-metrics.
    pub fn websocket_metrics(&self) -> &WebSocketMetrics {
        &self.inner.websocket
    }

    /// How many messages one WebSocket client may have queued.
    pub fn websocket_buffer(&self) -> usize {
        self.inner.websocket_buffer
    }

    /// Installs the probe status handle (the probes runtime calls this once it exists).
    pub fn set_probes(&self, probes: Arc<dyn ProbeStatusSource>) {
        *write(&self.inner.probes) = Some(probes);
    }

    /// Probe states, or None while no probe status handle is installed.
    pub fn probe_statuses(&self) -> Option<Vec<ProbeStatus>> {
        read(&self.inner.probes)
            .as_ref()
            .map(|probes| probes.probe_statuses())
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}
