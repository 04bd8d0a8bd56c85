//! Wiring and lifecycle: builds every subsystem from the config, spawns the collector tasks and
//! the HTTP server, and shuts down gracefully on SIGTERM/SIGINT.
//!
//! The only module that knows every other one; nothing else holds global state.

use crate::api::{self, AppState};
use crate::collect::{self, CollectorTask, Scheduler};
use crate::config::Config;
use crate::metrics::Registry;
use crate::metrics::self_metrics::SelfMetrics;
use anyhow::Context;
use std::net::SocketAddr;
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

/// Runs watchpost until SIGTERM or SIGINT.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let registry = Registry::new();
    let metrics = self_metrics()?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let mut scheduler = Scheduler::new(registry.clone(), metrics.clone());
    let ready = scheduler.ready();
    scheduler.spawn(collector_tasks(&config)?, shutdown_rx);

    let address: SocketAddr =
        config.server.listen_address.parse().with_context(|| {
            format!("invalid listen address {:?}", config.server.listen_address)
        })?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("binding {address}"))?;
    let bound = listener.local_addr().context("reading the bound address")?;
    tracing::info!(address = %bound, version = crate::VERSION, "listening");

    let state = AppState {
        registry,
        self_metrics: metrics,
        ready,
    };
    axum::serve(listener, api::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
    shutdown_tx.send_replace(true);
    scheduler.abort_all();
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on the first SIGTERM or SIGINT.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
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
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    tracing::info!("shutdown signal received");
}
