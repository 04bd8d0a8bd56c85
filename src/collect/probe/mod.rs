//! Probes: HTTP(S) and TCP checks of application endpoints, each on its own interval, exported
//! with blackbox_exporter's names (`probe_success`, `probe_duration_seconds`,
//! `probe_http_status_code`, `probe_ssl_earliest_cert_expiry`) plus
//! `probe_failure_reason{reason}` and `probe_consecutive_failures`, labelled `probe` and
//! `target`.
//!
//! `config` is the `probes:` section; `expect` the status/body/JSON checks; `http` and `tcp`
//! one attempt each; `cert` the certificate expiry; `outcome` the failure reasons; `state` the
//! "retries before down" debounce and the `ProbeStatus` the API reads; `export` the series;
//! `runtime` the tasks and the `ProbeHandle`.

mod cert;
pub mod config;
pub mod expect;
mod export;
mod http;
pub mod outcome;
mod runtime;
mod state;
mod tcp;

pub use config::{ProbeConfig, ProbeKind, ProbeTlsConfig, probe_problems};
pub use outcome::FailureReason;
pub use runtime::{PROBES_SOURCE, ProbeHandle, ProbeRuntime};
pub use state::ProbeStatus;
