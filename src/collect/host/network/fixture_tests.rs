//! Builds every network collector on the fixture tree `tests/fixtures/host/net/{proc,sys}`
//! (files copied from a real machine) and checks the metric names, types and label names.

use super::{NETWORK_NAMES, build_network};
use crate::collect::host::HostConfig;
use crate::metrics::Batch;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// `collector family type label,names` for every family of the fixture tree (timex excluded:
/// it reads the running kernel, not files).
const EXPECTED: &str = "\
arp node_arp_entries gauge device
conntrack node_nf_conntrack_entries gauge
conntrack node_nf_conntrack_entries_limit gauge
conntrack node_nf_conntrack_stat_drop gauge
conntrack node_nf_conntrack_stat_early_drop gauge
conntrack node_nf_conntrack_stat_found gauge
conntrack node_nf_conntrack_stat_ignore gauge
conntrack node_nf_conntrack_stat_insert gauge
conntrack node_nf_conntrack_stat_insert_failed gauge
conntrack node_nf_conntrack_stat_invalid gauge
conntrack node_nf_conntrack_stat_search_restart gauge
entropy node_entropy_available_bits gauge
entropy node_entropy_pool_size_bits gauge
netclass node_network_address_assign_type gauge device
netclass node_network_carrier gauge device
netclass node_network_carrier_changes_total counter device
netclass node_network_carrier_down_changes_total counter device
netclass node_network_carrier_up_changes_total counter device
netclass node_network_device_id gauge device
netclass node_network_dormant gauge device
netclass node_network_flags gauge device
netclass node_network_iface_id gauge device
netclass node_network_iface_link gauge device
netclass node_network_iface_link_mode gauge device
netclass node_network_info gauge address,adminstate,broadcast,device,duplex,ifalias,operstate
netclass node_network_mtu_bytes gauge device
netclass node_network_name_assign_type gauge device
netclass node_network_net_dev_group gauge device
netclass node_network_protocol_type gauge device
netclass node_network_speed_bytes gauge device
netclass node_network_transmit_queue_length gauge device
netclass node_network_up gauge device
netdev node_network_receive_bytes_total counter device
netdev node_network_receive_compressed_total counter device
netdev node_network_receive_drop_total counter device
netdev node_network_receive_errs_total counter device
netdev node_network_receive_fifo_total counter device
netdev node_network_receive_frame_total counter device
netdev node_network_receive_multicast_total counter device
netdev node_network_receive_nohandler_total counter device
netdev node_network_receive_packets_total counter device
netdev node_network_transmit_bytes_total counter device
netdev node_network_transmit_carrier_total counter device
netdev node_network_transmit_colls_total counter device
netdev node_network_transmit_compressed_total counter device
netdev node_network_transmit_drop_total counter device
netdev node_network_transmit_errs_total counter device
netdev node_network_transmit_fifo_total counter device
netdev node_network_transmit_packets_total counter device
netstat node_netstat_Icmp6_InErrors untyped
netstat node_netstat_Icmp6_InMsgs untyped
netstat node_netstat_Icmp6_OutMsgs untyped
netstat node_netstat_Icmp_InErrors untyped
netstat node_netstat_Icmp_InMsgs untyped
netstat node_netstat_Icmp_OutMsgs untyped
netstat node_netstat_Ip6_InOctets untyped
netstat node_netstat_Ip6_OutOctets untyped
netstat node_netstat_IpExt_InOctets untyped
netstat node_netstat_IpExt_OutOctets untyped
netstat node_netstat_Ip_Forwarding untyped
netstat node_netstat_TcpExt_ListenDrops untyped
netstat node_netstat_TcpExt_ListenOverflows untyped
netstat node_netstat_TcpExt_SyncookiesFailed untyped
netstat node_netstat_TcpExt_SyncookiesRecv untyped
netstat node_netstat_TcpExt_SyncookiesSent untyped
netstat node_netstat_TcpExt_TCPOFOQueue untyped
netstat node_netstat_TcpExt_TCPRcvQDrop untyped
netstat node_netstat_TcpExt_TCPSynRetrans untyped
netstat node_netstat_TcpExt_TCPTimeouts untyped
netstat node_netstat_Tcp_ActiveOpens untyped
netstat node_netstat_Tcp_CurrEstab untyped
netstat node_netstat_Tcp_InErrs untyped
netstat node_netstat_Tcp_InSegs untyped
netstat node_netstat_Tcp_OutRsts untyped
netstat node_netstat_Tcp_OutSegs untyped
netstat node_netstat_Tcp_PassiveOpens untyped
netstat node_netstat_Tcp_RetransSegs untyped
netstat node_netstat_Udp6_InDatagrams untyped
netstat node_netstat_Udp6_InErrors untyped
netstat node_netstat_Udp6_NoPorts untyped
netstat node_netstat_Udp6_OutDatagrams untyped
netstat node_netstat_Udp6_RcvbufErrors untyped
netstat node_netstat_Udp6_SndbufErrors untyped
netstat node_netstat_UdpLite6_InErrors untyped
netstat node_netstat_UdpLite_InErrors untyped
netstat node_netstat_Udp_InDatagrams untyped
netstat node_netstat_Udp_InErrors untyped
netstat node_netstat_Udp_NoPorts untyped
netstat node_netstat_Udp_OutDatagrams untyped
netstat node_netstat_Udp_RcvbufErrors untyped
netstat node_netstat_Udp_SndbufErrors untyped
schedstat node_schedstat_running_seconds_total counter cpu
schedstat node_schedstat_timeslices_total counter cpu
schedstat node_schedstat_waiting_seconds_total counter cpu
sockstat node_sockstat_FRAG6_inuse gauge
sockstat node_sockstat_FRAG6_memory gauge
sockstat node_sockstat_FRAG_inuse gauge
sockstat node_sockstat_FRAG_memory gauge
sockstat node_sockstat_RAW6_inuse gauge
sockstat node_sockstat_RAW_inuse gauge
sockstat node_sockstat_TCP6_inuse gauge
sockstat node_sockstat_TCP_alloc gauge
sockstat node_sockstat_TCP_inuse gauge
sockstat node_sockstat_TCP_mem gauge
sockstat node_sockstat_TCP_mem_bytes gauge
sockstat node_sockstat_TCP_orphan gauge
sockstat node_sockstat_TCP_tw gauge
sockstat node_sockstat_UDP6_inuse gauge
sockstat node_sockstat_UDPLITE6_inuse gauge
sockstat node_sockstat_UDPLITE_inuse gauge
sockstat node_sockstat_UDP_inuse gauge
sockstat node_sockstat_UDP_mem gauge
sockstat node_sockstat_UDP_mem_bytes gauge
sockstat node_sockstat_sockets_used gauge
softnet node_softnet_backlog_len gauge cpu
softnet node_softnet_cpu_collision_total counter cpu
softnet node_softnet_dropped_total counter cpu
softnet node_softnet_flow_limit_count_total counter cpu
softnet node_softnet_processed_total counter cpu
softnet node_softnet_received_rps_total counter cpu
softnet node_softnet_times_squeezed_total counter cpu
udp_queues node_udp_queues gauge ip,queue
";

/// The fixture tree's config.
fn fixture_config() -> HostConfig {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host/net");
    let mut config = HostConfig::default();
    config.paths.procfs = root.join("proc");
    config.paths.sysfs = root.join("sys");
    config
}

/// Runs every collector of `config` once, returning `(collector name, batch)`.
pub(super) fn collect_all(config: &HostConfig) -> Vec<(&'static str, Batch)> {
    let mut collectors = Vec::new();
    build_network(config, &mut collectors).unwrap();
    collectors
        .iter_mut()
        .map(|collector| {
            let mut batch = Batch::new();
            collector
                .collect(&mut batch)
                .unwrap_or_else(|e| panic!("collector {}: {e}", collector.name()));
            (collector.name(), batch)
        })
        .collect()
}

/// One `collector family type labels` line per family, labels of every sample merged.
fn shape_lines(batches: &[(&str, Batch)]) -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    for (collector, batch) in batches.iter().filter(|(name, _)| *name != "timex") {
        for family in batch.families() {
            let labels: BTreeSet<&str> = family
                .samples
                .iter()
                .flat_map(|s| s.labels.iter().map(|(name, _)| name))
                .collect();
            let labels: Vec<&str> = labels.into_iter().collect();
            let line = format!(
                "{collector} {} {} {}",
                family.name,
                family.kind.as_str(),
                labels.join(",")
            );
            lines.insert(line.trim_end().to_owned());
        }
    }
    lines
}

#[test]
fn every_collector_is_built_once_by_name() {
    let batches = collect_all(&fixture_config());
    let names: Vec<&str> = batches.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, NETWORK_NAMES);
}

#[test]
fn fixture_tree_has_node_exporter_shapes() {
    let lines = shape_lines(&collect_all(&fixture_config()));
    let expected: BTreeSet<String> = EXPECTED.lines().map(str::to_owned).collect();
    let missing: Vec<&String> = expected.difference(&lines).collect();
    let extra: Vec<&String> = lines.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
}

#[test]
fn fixture_values_are_read() {
    let batches = collect_all(&fixture_config());
    let find = |name: &str| {
        batches
            .iter()
            .flat_map(|(_, batch)| batch.families())
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    let up = find("node_network_up");
    let devices: Vec<&str> = up
        .samples
        .iter()
        .filter_map(|s| s.labels.get("device"))
        .collect();
    assert_eq!(
        devices,
        ["eth0", "ifb0", "lo"],
        "bonding_masters is not an interface"
    );
    assert_eq!(
        find("node_nf_conntrack_entries_limit").samples[0].value,
        262144.0
    );
    assert_eq!(
        find("node_arp_entries").samples[0].labels.get("device"),
        Some("eth0")
    );
    let udp = find("node_udp_queues");
    assert!(
        udp.samples.iter().any(|s| s.value == 2496.0),
        "rx queue of the fixture socket"
    );
    assert_eq!(
        find("node_schedstat_timeslices_total").samples[1].value,
        18121.0
    );
}

#[test]
fn disabled_collectors_are_not_built() {
    let mut config = fixture_config();
    config.disable = vec!["timex".to_owned(), "netclass".to_owned()];
    let mut collectors = Vec::new();
    build_network(&config, &mut collectors).unwrap();
    assert_eq!(collectors.len(), NETWORK_NAMES.len() - 2);
    assert!(collectors.iter().all(|c| c.name() != "timex"));
}

#[test]
fn netdev_device_exclude_applies_and_a_bad_pattern_is_an_error() {
    let mut config = fixture_config();
    config.netdev.device_exclude = Some("^(lo|ifb\\d+)$".to_owned());
    let batches = collect_all(&config);
    let (_, netdev) = batches.iter().find(|(name, _)| *name == "netdev").unwrap();
    let bytes = &netdev.families()[0];
    assert_eq!(bytes.samples.len(), 1);
    assert_eq!(bytes.samples[0].labels.get("device"), Some("eth0"));
    config.netdev.device_exclude = Some("(".to_owned());
    let error = build_network(&config, &mut Vec::new()).unwrap_err();
    assert!(error.contains("device_exclude"), "{error}");
}
