//! The `netclass` collector: interface properties from `<sysfs>/class/net/<dev>/` as
//! node_exporter exports them (`node_network_up`, `node_network_info`, `node_network_mtu_bytes`,
//! `node_network_speed_bytes`, ...). Attributes the kernel refuses to report are skipped.

use super::read::{parse_error, read_attribute};
use crate::collect::{CollectError, Collector};
use crate::metrics::{Batch, MetricType};
use crate::model::Labels;
use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// The attribute files read for every interface.
const ATTRIBUTES: &[&str] = &[
    "addr_assign_type",
    "address",
    "broadcast",
    "carrier",
    "carrier_changes",
    "carrier_down_count",
    "carrier_up_count",
    "dev_id",
    "dormant",
    "duplex",
    "flags",
    "ifalias",
    "ifindex",
    "iflink",
    "link_mode",
    "mtu",
    "name_assign_type",
    "netdev_group",
    "operstate",
    "speed",
    "tx_queue_len",
    "type",
];

/// Numeric properties in node_exporter's order: attribute file, metric suffix, type.
const PROPERTIES: &[(&str, &str, MetricType)] = &[
    ("addr_assign_type", "address_assign_type", MetricType::Gauge),
    ("carrier", "carrier", MetricType::Gauge),
    (
        "carrier_changes",
        "carrier_changes_total",
        MetricType::Counter,
    ),
    (
        "carrier_up_count",
        "carrier_up_changes_total",
        MetricType::Counter,
    ),
    (
        "carrier_down_count",
        "carrier_down_changes_total",
        MetricType::Counter,
    ),
    ("dev_id", "device_id", MetricType::Gauge),
    ("dormant", "dormant", MetricType::Gauge),
    ("flags", "flags", MetricType::Gauge),
    ("ifindex", "iface_id", MetricType::Gauge),
    ("iflink", "iface_link", MetricType::Gauge),
    ("link_mode", "iface_link_mode", MetricType::Gauge),
    ("mtu", "mtu_bytes", MetricType::Gauge),
    ("netdev_group", "net_dev_group", MetricType::Gauge),
    ("name_assign_type", "name_assign_type", MetricType::Gauge),
    ("speed", "speed_bytes", MetricType::Gauge),
    ("tx_queue_len", "transmit_queue_length", MetricType::Gauge),
    ("type", "protocol_type", MetricType::Gauge),
];

/// The attributes of one interface that could be read, by file name.
pub(super) type Attributes = BTreeMap<&'static str, String>;

/// Parses a sysfs integer: decimal (possibly negative) or `0x` hexadecimal.
fn parse_sysfs_int(name: &str, text: &str) -> Result<i64, String> {
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => i64::from_str_radix(hex, 16),
        None => text.parse::<i64>(),
    };
    parsed.map_err(|_| format!("attribute {name}: {text:?} is not an integer"))
}

/// `up`, `down` or `unknown` from the IFF_UP bit of `flags`, as node_exporter's `adminstate`.
fn admin_state(flags: Option<i64>) -> &'static str {
    match flags {
        None => "unknown",
        Some(flags) if flags & 1 == 1 => "up",
        Some(_) => "down",
    }
}

/// Adds every series of one interface to the batch.
pub(super) fn emit_interface(
    batch: &mut Batch,
    device: &str,
    attributes: &Attributes,
) -> Result<(), String> {
    let text = |name: &str| attributes.get(name).map(String::as_str).unwrap_or("");
    let operstate = text("operstate");
    batch.gauge(
        "node_network_up",
        "Value is 1 if operstate is 'up', 0 otherwise.",
        &[("device", device)],
        if operstate == "up" { 1.0 } else { 0.0 },
    );
    let flags = match attributes.get("flags") {
        Some(flags) => Some(parse_sysfs_int("flags", flags)?),
        None => None,
    };
    let info = [
        ("device", device),
        ("address", text("address")),
        ("broadcast", text("broadcast")),
        ("duplex", text("duplex")),
        ("operstate", operstate),
        ("adminstate", admin_state(flags)),
        ("ifalias", text("ifalias")),
    ];
    batch.gauge(
        "node_network_info",
        "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
        &info,
        1.0,
    );
    for (file, suffix, kind) in PROPERTIES {
        let Some(raw) = attributes.get(file) else {
            continue;
        };
        let mut value = parse_sysfs_int(file, raw)?;
        if *file == "speed" {
            // Mbit/s to bytes/s; a speed of -1 (unknown) stays negative, as in node_exporter.
            value = value.saturating_mul(1_000_000) / 8;
        }
        batch
            .family(
                &format!("node_network_{suffix}"),
                &format!("Network device property: {suffix}"),
                *kind,
            )
            .push(Labels::from_pairs([("device", device)]), value as f64);
    }
    Ok(())
}

/// Reads the attributes of the interface directory `dir`.
fn read_attributes(dir: &Path) -> Result<Attributes, CollectError> {
    let mut attributes = Attributes::new();
    for name in ATTRIBUTES {
        if let Some(value) = read_attribute(&dir.join(name))? {
            attributes.insert(name, value);
        }
    }
    Ok(attributes)
}

/// The interface names under `class_net`, sorted; regular files such as `bonding_masters` are
/// not interfaces. `None` when the directory does not exist.
fn list_interfaces(class_net: &Path) -> Result<Option<Vec<String>>, CollectError> {
    let entries = match std::fs::read_dir(class_net) {
        Ok(entries) => entries,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(CollectError::io(class_net.display().to_string(), error)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| CollectError::io(class_net.display().to_string(), e))?;
        if std::fs::metadata(entry.path()).is_ok_and(|meta| meta.is_dir()) {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(Some(names))
}

/// Reads `<sysfs>/class/net/*/` each run.
pub struct NetclassCollector {
    sysfs: PathBuf,
}

impl NetclassCollector {
    /// A collector reading below `sysfs`.
    pub fn new(sysfs: PathBuf) -> Self {
        Self { sysfs }
    }
}

impl Collector for NetclassCollector {
    fn name(&self) -> &'static str {
        "netclass"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let class_net = self.sysfs.join("class/net");
        let Some(devices) = list_interfaces(&class_net)? else {
            return Ok(());
        };
        for device in devices {
            let dir = class_net.join(&device);
            let attributes = read_attributes(&dir)?;
            emit_interface(batch, &device, &attributes).map_err(parse_error(&dir))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/sys/class/net/eth0` of the development machine (virtio, speed unknown).
    fn eth0() -> Attributes {
        let pairs = [
            ("addr_assign_type", "0"),
            ("address", "02:fc:00:00:00:01"),
            ("broadcast", "ff:ff:ff:ff:ff:ff"),
            ("carrier", "1"),
            ("carrier_changes", "2"),
            ("dev_id", "0x0"),
            ("duplex", "unknown"),
            ("flags", "0x1003"),
            ("ifalias", ""),
            ("ifindex", "4"),
            ("mtu", "1400"),
            ("operstate", "up"),
            ("speed", "-1"),
            ("tx_queue_len", "1000"),
            ("type", "1"),
        ];
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    }

    fn value(batch: &Batch, name: &str) -> Option<f64> {
        let family = batch.families().iter().find(|f| f.name == name)?;
        Some(family.samples[0].value)
    }

    #[test]
    fn up_info_and_properties_follow_node_exporter() {
        let mut batch = Batch::new();
        emit_interface(&mut batch, "eth0", &eth0()).unwrap();
        assert_eq!(value(&batch, "node_network_up"), Some(1.0));
        assert_eq!(value(&batch, "node_network_flags"), Some(4099.0));
        assert_eq!(value(&batch, "node_network_mtu_bytes"), Some(1400.0));
        assert_eq!(value(&batch, "node_network_speed_bytes"), Some(-125000.0));
        assert_eq!(value(&batch, "node_network_iface_id"), Some(4.0));
        assert_eq!(value(&batch, "node_network_dormant"), None);
        let info = batch
            .families()
            .iter()
            .find(|f| f.name == "node_network_info")
            .unwrap();
        let labels = &info.samples[0].labels;
        assert_eq!(labels.get("adminstate"), Some("up"));
        assert_eq!(labels.get("duplex"), Some("unknown"));
        assert_eq!(labels.get("address"), Some("02:fc:00:00:00:01"));
        let changes = batch
            .families()
            .iter()
            .find(|f| f.name == "node_network_carrier_changes_total")
            .unwrap();
        assert_eq!(changes.kind, MetricType::Counter);
        assert_eq!(
            changes.help,
            "Network device property: carrier_changes_total"
        );
    }

    #[test]
    fn a_down_device_without_flags_is_down_and_unknown() {
        let mut attributes = Attributes::new();
        attributes.insert("operstate", "down".to_owned());
        let mut batch = Batch::new();
        emit_interface(&mut batch, "ifb0", &attributes).unwrap();
        assert_eq!(value(&batch, "node_network_up"), Some(0.0));
        let info = &batch.families()[1];
        assert_eq!(info.samples[0].labels.get("adminstate"), Some("unknown"));
        assert_eq!(info.samples[0].labels.get("duplex"), Some(""));
        assert_eq!(batch.families().len(), 2);
    }

    #[test]
    fn a_garbled_attribute_is_an_error() {
        let mut attributes = eth0();
        attributes.insert("mtu", "big".to_owned());
        let error = emit_interface(&mut Batch::new(), "eth0", &attributes).unwrap_err();
        assert!(error.contains("mtu"), "{error}");
    }

    #[test]
    fn missing_class_net_is_no_series() {
        let dir = tempfile::tempdir().unwrap();
        let mut collector = NetclassCollector::new(dir.path().to_path_buf());
        let mut batch = Batch::new();
        collector.collect(&mut batch).unwrap();
        assert_eq!(batch.sample_count(), 0);
    }
}
