//! watchpost: a Prometheus-compatible host and application exporter with its own alert rules.
//!
//! Module map (see ARCHITECTURE.md for the whole picture):
//! - [`model`]: pure domain types (labels, fingerprints, durations).
//! - [`metrics`]: metric families, the snapshot registry, the text encoder, self-metrics.
//! - [`collect`]: the `Collector` seam, the scheduler, the host collectors.
//! - [`config`]: the YAML schema, `${VAR}` interpolation, validation with file:line:col.
//! - [`api`]: the HTTP router (`/metrics`, `/-/healthy`, `/-/ready`, ...).
//! - [`app`]: wiring and lifecycle (build from config, spawn tasks, shutdown).
//! - [`cli`]: the command line (`watchpost run|check|metrics|version`).
//! - [`rules`]: rule files, expressions over the sample history, the alert state machine.
//! - [`web`]: the listener's web config (TLS, basic auth users, headers).
//! - [`store`]: the embedded SQLite store (alert state, later the notification outbox).
//! - [`notify`]: routing, grouping, dedup, retry policy and payloads of notifications (a
//!   library so far: not yet wired into the running app).

pub mod api;
pub mod app;
pub mod cli;
pub mod cli_alerts;
mod cli_api_client;
pub mod cli_cleanup;
pub mod cli_gen;
mod cli_tables;
pub mod collect;
pub mod config;
pub mod dashboards;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod notify;
pub mod rules;
pub mod store;
pub mod web;

/// The crate version, from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git revision watchpost was built from (`WATCHPOST_REVISION` at build time), or `unknown`.
pub const REVISION: &str = match option_env!("WATCHPOST_REVISION") {
    Some(revision) => revision,
    None => "unknown",
};
