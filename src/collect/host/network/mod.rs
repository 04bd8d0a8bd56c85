//! Network and kernel-misc host collectors, node_exporter-compatible: `netdev`, `netclass`,
//! `netstat`, `sockstat`, `softnet`, `arp`, `conntrack`, `udp_queues`, `timex`, `entropy` and
//! `schedstat`. Each file holds one collector whose I/O is split from a pure parser over `&str`;
//! `read` holds the shared file access (absent files yield no series, not errors), `adjtimex`
//! the one system call.

mod adjtimex;
mod arp;
mod conntrack;
mod entropy;
mod netclass;
mod netdev;
mod netstat;
mod read;
mod schedstat;
mod sockstat;
mod softnet;
mod timex;
mod udp_queues;

#[cfg(test)]
mod dashboard_check;
#[cfg(test)]
mod fixture_tests;

use super::HostConfig;
use crate::collect::Collector;
use netstat::DEFAULT_NETSTAT_FIELDS;
use regex::Regex;

/// Names of the collectors built here, as node_exporter names them.
pub const NETWORK_NAMES: &[&str] = &[
    "netdev",
    "netclass",
    "netstat",
    "sockstat",
    "softnet",
    "arp",
    "conntrack",
    "udp_queues",
    "timex",
    "entropy",
    "schedstat",
];

/// Appends the enabled network collectors to `out`; an invalid filter regex is an error.
pub fn build_network(config: &HostConfig, out: &mut Vec<Box<dyn Collector>>) -> Result<(), String> {
    let procfs = config.paths.procfs.clone();
    let sysfs = config.paths.sysfs.clone();
    let device_exclude = match &config.netdev.device_exclude {
        Some(pattern) => Some(
            Regex::new(pattern)
                .map_err(|e| format!("collectors.host.netdev.device_exclude: {e}"))?,
        ),
        None => None,
    };
    let netstat_fields =
        Regex::new(DEFAULT_NETSTAT_FIELDS).map_err(|e| format!("netstat field pattern: {e}"))?;
    let all: Vec<Box<dyn Collector>> = vec![
        Box::new(netdev::NetdevCollector::new(
            procfs.clone(),
            sysfs.clone(),
            device_exclude,
        )),
        Box::new(netclass::NetclassCollector::new(sysfs)),
        Box::new(netstat::NetstatCollector::new(
            procfs.clone(),
            netstat_fields,
        )),
        Box::new(sockstat::SockstatCollector::new(procfs.clone())),
        Box::new(softnet::SoftnetCollector::new(procfs.clone())),
        Box::new(arp::ArpCollector::new(procfs.clone())),
        Box::new(conntrack::ConntrackCollector::new(procfs.clone())),
        Box::new(udp_queues::UdpQueuesCollector::new(procfs.clone())),
        Box::new(timex::TimexCollector::new()),
        Box::new(entropy::EntropyCollector::new(procfs.clone())),
        Box::new(schedstat::SchedstatCollector::new(procfs)),
    ];
    out.extend(
        all.into_iter()
            .filter(|collector| !config.disable.iter().any(|name| name == collector.name())),
    );
    Ok(())
}
