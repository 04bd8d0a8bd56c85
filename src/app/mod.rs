//! Wiring and lifecycle: builds every subsystem from the config, spawns the collector tasks and
//! the HTTP server, reloads on SIGHUP or `POST /-/reload`, and shuts down gracefully on
//! SIGTERM/SIGINT.
//!
//! The only module that knows every other one; nothing else holds global state.

pub mod allocator;
mod history_runtime;
mod host_usage;
mod logs_runtime;
mod loki;
mod loki_payload;
mod notify_delivery;
mod notify_direct;
mod notify_reload;
mod notify_resend;
mod notify_runtime;
mod probe_status;
mod push_runtime;
mod receiver_failing;
mod reload;
mod rules_runtime;
mod runtime_rule_spec;
mod runtime_rules;

pub use history_runtime::spawn_history;
pub use logs_runtime::LogsHandle;
pub use loki::LokiForwarder;
pub use notify_direct::{TEST_ALERTNAME, TestError, TestQueued};
pub use notify_runtime::{AddSilenceError, NotifyHandle, NotifyRuntime};
pub use push_runtime::PushHandle;
pub use reload::{ConfigSource, ReloadHandle, ReloadResult};
pub use rules_runtime::{
    GroupAlertEvent, RULES_SOURCE, RulesRuntime, history_retention, load_rule_groups, rule_paths,
};
pub use runtime_rule_spec::{RUNTIME_GROUP, RuntimeRuleSpec, SpecError};
pub use runtime_rules::{ConfigureError, RuntimeRules};

use crate::api::{self, AppState};
use crate::collect::{self, CollectorTask, Scheduler};
use crate::config::Config;
use crate::metrics::self_metrics::SelfMetrics;
use crate::metrics::{History, Registry};
use crate::rules::RuleGroup;
use crate::store::Store;
use anyhow::Context;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::watch;

/// Builds the collector tasks the config asks for.
pub fn collector_tasks(config: &Config) -> anyhow::Result<Vec<CollectorTask>> {
    let collectors = collect::host::build(&config.collectors.host).map_err(anyhow::Error::msg)?;
    Ok(collectors
        .into_iter()
        .map(|collector| {
            let (interval, timeout) = config.collectors.schedule_of(collector.name());
            CollectorTask {
                collector,
                interval,
                timeout,
            }
        })
        .collect())
}

/// The self-metrics of this build.
pub fn self_metrics() -> anyhow::Result<SelfMetrics> {
    SelfMetrics::new(crate::VERSION, crate::REVISION).context("registering self-metrics")
}

/// How `watchpost run` was started.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Where the config comes from (re-read on reload; the listen address is fixed at start).
    pub source: ConfigSource,
    /// `--web.config.file`: TLS, basic auth and headers of the listener (fixed at start).
    pub web: crate::web::WebConfig,
}

/// The parts of a running watchpost that a reload replaces.
struct Running {
    registry: Registry,
    metrics: SelfMetrics,
    ready_tx: watch::Sender<bool>,
    scheduler: Scheduler,
    shutdown_rx: watch::Receiver<bool>,
    collector_names: BTreeSet<String>,
    rules: RulesRuntime,
    notify: NotifyRuntime,
    file_groups: Vec<RuleGroup>,
    rules_interval: std::time::Duration,
    api: api::context::ApiContext,
    probes: collect::probe::ProbeRuntime,
}

impl Running {
    /// Replaces the collectors with those of `config`.
    fn apply_collectors(&mut self, config: &Config) -> anyhow::Result<()> {
        let tasks = collector_tasks(config)?;
        let names: BTreeSet<String> = tasks
            .iter()
            .map(|t| t.collector.name().to_owned())
            .collect();
        self.scheduler.abort_all();
        for gone in self.collector_names.difference(&names) {
            self.registry.remove(gone);
        }
        self.scheduler = Scheduler::with_readiness(
            self.registry.clone(),
            self.metrics.clone(),
            self.ready_tx.clone(),
        );
        self.scheduler.spawn(tasks, self.shutdown_rx.clone());
        self.collector_names = names;
        self.probes.apply(&config.probes, &self.shutdown_rx);
        Ok(())
    }

    /// Reloads the engine with `file_groups` (the rule files' groups) plus the stored runtime
    /// rules, keeping the alerts of unchanged rules.
    fn apply_rules(&mut self, file_groups: Vec<RuleGroup>, interval: std::time::Duration) {
        let store = self.rules.store();
        let groups = runtime_rules::with_runtime_groups(file_groups.clone(), &notify_lock(&store));
        self.rules.reload(groups, interval);
        self.file_groups = file_groups;
        self.rules_interval = interval;
    }
}

fn notify_lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs watchpost until SIGTERM or SIGINT, on `config` and its already loaded rule `groups`.
pub async fn run(
    config: Config,
    groups: Vec<RuleGroup>,
    options: RunOptions,
) -> anyhow::Result<()> {
    let store = Store::open(&config.storage.path)
        .with_context(|| format!("opening the store {}", config.storage.path.display()))?;
    let file_groups = groups.clone();
    let groups = runtime_rules::with_runtime_groups(groups, &store);
    let history = Arc::new(History::new(history_retention(&groups)));
    let registry = Registry::with_history(history);
    let metrics = self_metrics()?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let (ready_tx, ready) = watch::channel(false);
    let rules = RulesRuntime::start(
        groups,
        config.rules.evaluation_interval,
        store,
        registry.clone(),
        metrics.clone(),
        (ready.clone(), shutdown_rx.clone()),
    )?;
    let notify = NotifyRuntime::start(
        &config
            .notify
            .with_evaluation_interval(config.rules.evaluation_interval),
        &external_url(&config),
        rules.store(),
        metrics.clone(),
        &|group, name| rules.channels(group, name),
        shutdown_rx.clone(),
    )?;
    rules.set_notify(notify.handle());
    let api_context = api::context::ApiContext::new(
        Arc::new(config.clone()),
        rules.store(),
        rules.alert_events(),
        &metrics,
    )
    .context("registering the API's self-metrics")?;
    let mut running = Running {
        scheduler: Scheduler::with_readiness(registry.clone(), metrics.clone(), ready_tx.clone()),
        registry: registry.clone(),
        metrics: metrics.clone(),
        ready_tx,
        shutdown_rx: shutdown_rx.clone(),
        collector_names: BTreeSet::new(),
        rules,
        notify,
        file_groups,
        rules_interval: config.rules.evaluation_interval,
        api: api_context.clone(),
        probes: collect::probe::ProbeRuntime::new(registry.clone()),
    };
    running.apply_collectors(&config)?;

    let address: SocketAddr =
        config.server.listen_address.parse().with_context(|| {
            format!("invalid listen address {:?}", config.server.listen_address)
        })?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("binding {address}"))?;
    let bound = listener.local_addr().context("reading the bound address")?;
    tracing::info!(address = %bound, version = crate::VERSION, "listening");

    let push = PushHandle::new(
        crate::collect::push::PushStore::new(config.push.clone()),
        registry.clone(),
        running.rules.evaluator(),
        metrics.push_rejected.clone(),
    );
    let push_ticks = push.spawn_ticks(shutdown_rx.clone());
    let (logs, logs_tasks) = start_logs(&config, &registry, &metrics, &shutdown_rx)?;
    let (reload_handle, mut reload_requests) = ReloadHandle::channel();
    let (runtime_rules, mut runtime_requests) =
        RuntimeRules::new(running.rules.store(), running.rules.engine());
    api_context.set_probes(Arc::new(probe_status::ProbeStatuses(
        running.probes.handle(),
    )));
    let state = AppState {
        registry,
        self_metrics: metrics.clone(),
        ready,
        reload: reload_handle,
        rules: running.rules.engine(),
        rules_interval: config.rules.evaluation_interval,
        push,
        notify: running.notify.handle(),
        runtime_rules,
        logs,
        api: api_context,
        guard: Arc::new(api::auth::Guard::new(
            &config.server.auth,
            &config.server.rate_limits,
            options.web.basic_users(),
            options.web.headers(),
            api::auth::Guard::rate_limited_counter(metrics.registry())
                .context("registering the rate-limit counter")?,
        )),
        probes: running.probes.handle(),
    };
    let server = tokio::spawn(serve(
        listener,
        options.web.tls.clone(),
        api::router(state),
        shutdown_rx.clone(),
    ));

    let mut hangups = hangup_signals();
    let stop = shutdown_signal();
    tokio::pin!(stop);
    loop {
        let reply = tokio::select! {
            _ = &mut stop => break,
            Some(()) = next_hangup(&mut hangups) => None,
            Some(reply) = reload_requests.recv() => Some(reply),
            Some(done) = runtime_requests.recv() => {
                let file_groups = running.file_groups.clone();
                let interval = running.rules_interval;
                running.apply_rules(file_groups, interval);
                let _ = done.send(());
                continue;
            }
        };
        let result = reload(&options, &mut running, &metrics);
        if let Some(reply) = reply {
            let _ = reply.send(result);
        }
    }
    shutdown_tx.send_replace(true);
    running.scheduler.abort_all();
    running.rules.abort();
    running.notify.abort();
    running.probes.abort();
    push_ticks.abort();
    let served = server.await;
    // The log writer's last flush commits what the final requests pushed.
    for task in logs_tasks {
        let _ = task.await;
    }
    match served {
        Ok(result) => result.context("serving HTTP")?,
        Err(error) => return Err(anyhow::anyhow!("HTTP server task failed: {error}")),
    }
    tracing::info!("stopped");
    Ok(())
}

/// Opens the log store, starts the Loki forwarder when configured, the log writer and the
/// metric history task; returns the handle and the tasks to await at shutdown.
fn start_logs(
    config: &Config,
    registry: &Registry,
    metrics: &SelfMetrics,
    shutdown: &watch::Receiver<bool>,
) -> anyhow::Result<(LogsHandle, Vec<tokio::task::JoinHandle<()>>)> {
    let mut tasks = Vec::new();
    let loki = match &config.push.logs.loki {
        Some(loki) => {
            let (forwarder, task) = LokiForwarder::start(loki, metrics, shutdown.clone())
                .context("starting the loki forwarder")?;
            tasks.push(task);
            Some(forwarder)
        }
        None => None,
    };
    let logs = LogsHandle::open(&config.storage, loki, metrics)
        .with_context(|| format!("opening the log store {}", config.storage.path.display()))?;
    tasks.push(logs.spawn_writer(shutdown.clone()));
    tasks.push(spawn_history(
        logs.clone(),
        registry.clone(),
        shutdown.clone(),
    ));
    Ok((logs, tasks))
}

/// Serves `router` on `listener` (over TLS when `tls` is set) until `shutdown` turns true.
async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    router: axum::Router,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let stop = async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    };
    match tls {
        None => {
            axum::serve(listener, service)
                .with_graceful_shutdown(stop)
                .await
        }
        Some(config) => {
            let listener = crate::web::TlsListener::new(listener, config)?.tap_io(|_| {});
            axum::serve(listener, service)
                .with_graceful_shutdown(stop)
                .await
        }
    }
}

/// The URL links in notifications point at: `server.external_url` or one from the listen address.
fn external_url(config: &Config) -> String {
    match &config.server.external_url {
        Some(url) => url.clone(),
        None => {
            let address = &config.server.listen_address;
            let host_port = address.replacen("0.0.0.0", "localhost", 1);
            format!("http://{host_port}")
        }
    }
}

/// Loads the config again and applies it; a bad file leaves everything as it was.
fn reload(options: &RunOptions, running: &mut Running, metrics: &SelfMetrics) -> ReloadResult {
    let gauge = metrics
        .config_last_reload_successful
        .with_label_values(&[] as &[&str]);
    let outcome = load_everything(&options.source).and_then(|(config, groups)| {
        running
            .apply_collectors(&config)
            .map_err(|error| vec![format!("{error:#}")])?;
        running.apply_rules(groups, config.rules.evaluation_interval);
        let rules = &running.rules;
        running
            .notify
            .handle()
            .reload(&config.notify, &|group, name| rules.channels(group, name))
            .map_err(|error| {
                vec![format!(
                    "{error}; the previous notify section keeps running"
                )]
            })?;
        Ok(config)
    });
    running.api.record_reload(
        outcome
            .as_ref()
            .map(|c| Arc::new(c.clone()))
            .map_err(Vec::as_slice),
    );
    let outcome = outcome.map(|_| ());
    match &outcome {
        Ok(()) => {
            gauge.set(1.0);
            tracing::info!("configuration reloaded");
        }
        Err(errors) => {
            gauge.set(0.0);
            for error in errors {
                tracing::error!(error = %error, "reload rejected; the previous configuration keeps running");
            }
        }
    }
    outcome
}

/// Loads the config and its rule files; every diagnostic of both when either is bad.
pub fn load_everything(source: &ConfigSource) -> Result<(Config, Vec<RuleGroup>), Vec<String>> {
    let config = source.load().map_err(|diagnostics| {
        diagnostics
            .0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    })?;
    let groups = load_rule_groups(source, &config)?;
    Ok((config, groups))
}

/// SIGHUP as a stream; `None` when it cannot be installed (reload then works only over HTTP).
fn hangup_signals() -> Option<Signal> {
    match signal(SignalKind::hangup()) {
        Ok(signal) => Some(signal),
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGHUP; reload with POST /-/reload");
            None
        }
    }
}

async fn next_hangup(hangups: &mut Option<Signal>) -> Option<()> {
    match hangups {
        Some(signal) => signal.recv().await,
        None => std::future::pending().await,
    }
}

/// Resolves on the first SIGTERM or SIGINT.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = interrupt => {}
                _ = terminate.recv() => {}
            }
        }
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGTERM; only SIGINT stops watchpost");
            let _ = interrupt.await;
        }
    }
    tracing::info!("shutdown signal received");
}
