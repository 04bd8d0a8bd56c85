//! watchpost's integration tests: one binary that spawns the real `watchpost` executable on
//! 127.0.0.1 port 0 and checks it from the outside — over HTTP, with `promtool`, with real
//! Prometheus 2.x and 3.x servers scraping it, and through the CLI's exit codes and messages.
//!
//! External tools come from `scripts/test.sh` (which installs them and exports their paths);
//! see [`tools`]. A test that needs a missing tool fails and says so, unless
//! `WATCHPOST_SKIP_EXTERNAL=1` is set.

mod alertmanager;
mod cli;
mod config_errors;
mod dashboards;
mod dashboards_nef;
mod email;
mod exporter;
mod exposition;
mod gen_rules;
mod golden;
mod logs;
mod notify;
mod notify_api;
mod notify_faults;
mod notify_reload;
mod probes;
mod process;
mod prom_server;
mod prometheus;
mod promtool;
mod push;
mod receiver;
mod rules;
mod support;
mod test_ca;
mod tools;
mod web_tls;
mod websocket;
