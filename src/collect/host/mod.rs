//! Host collectors: node_exporter-compatible metrics from /proc and /sys, one file per subsystem.

pub mod config;
mod network;

pub use config::HostConfig;

use super::Collector;

/// Names of the host collectors built in this module (see also `network::NETWORK_NAMES`).
const LOCAL_NAMES: &[&str] = &[];

/// Names of every host collector, as used in `collectors.host.disable` and `overrides`.
pub fn names() -> Vec<&'static str> {
    LOCAL_NAMES
        .iter()
        .chain(network::NETWORK_NAMES)
        .copied()
        .collect()
}

/// Builds the enabled host collectors from config.
pub fn build(config: &HostConfig) -> Result<Vec<Box<dyn Collector>>, String> {
    let mut out: Vec<Box<dyn Collector>> = Vec::new();
    if !config.enabled {
        return Ok(out);
    }
    network::build_network(config, &mut out)?;
    Ok(out)
}
