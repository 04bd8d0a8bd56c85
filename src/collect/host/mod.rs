//! Host collectors: node_exporter-compatible metrics from /proc and /sys, one file per subsystem.

pub mod config;

pub use config::HostConfig;

use super::Collector;

/// Names of every host collector, as used in `collectors.host.disable` and `overrides`.
pub const NAMES: &[&str] = &[];

/// Builds the enabled host collectors from config.
pub fn build(config: &HostConfig) -> Result<Vec<Box<dyn Collector>>, String> {
    let _ = config;
    Ok(Vec::new())
}
