//! Network and kernel-networking host collectors (netdev, netclass, netstat, sockstat, ...).

use super::HostConfig;
use crate::collect::Collector;

/// Names of the collectors built here.
pub const NETWORK_NAMES: &[&str] = &[];

/// Appends the enabled network collectors to `out`.
pub fn build_network(config: &HostConfig, out: &mut Vec<Box<dyn Collector>>) -> Result<(), String> {
    let _ = (config, out);
    Ok(())
}
