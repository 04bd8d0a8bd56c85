//! The `netdev` collector: per-device counters from `<procfs>/net/dev` as
//! `node_network_{receive,transmit}_<field>_total{device}`, plus `receive_nohandler` from
//! `<sysfs>/class/net/<dev>/statistics/rx_nohandler` (node_exporter reads it over netlink).

use super::read::{parse_error, parse_u64, read_attribute, read_optional};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use regex::Regex;
use std::path::PathBuf;

/// One device's line of `/proc/net/dev`: `(metric key, value)` pairs such as
/// `("receive_bytes", 123)`, in file order.
#[derive(Debug, PartialEq)]
pub(super) struct DeviceCounters {
    /// The interface name.
    pub device: String,
    /// `receive_<field>` and `transmit_<field>` counters.
    pub counters: Vec<(String, u64)>,
}

/// Parses `/proc/net/dev`: two header lines naming the receive and transmit columns, then one
/// `name: values...` line per device.
pub(super) fn parse_net_dev(text: &str) -> Result<Vec<DeviceCounters>, String> {
    let mut lines = text.lines();
    lines.next().ok_or("missing first header line")?;
    let header = lines.next().ok_or("missing second header line")?;
    let sections: Vec<&str> = header.split('|').collect();
    if sections.len() != 3 {
        return Err(format!("header {header:?} does not have three | sections"));
    }
    let receive = column_names(sections[1])?;
    let transmit = column_names(sections[2])?;
    let keys: Vec<String> = receive
        .iter()
        .map(|name| format!("receive_{name}"))
        .chain(transmit.iter().map(|name| format!("transmit_{name}")))
        .collect();
    lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| parse_device_line(line, &keys))
        .collect()
}

/// The column names of one header section, checked to be plain metric-name words.
fn column_names(section: &str) -> Result<Vec<&str>, String> {
    let names: Vec<&str> = section.split_whitespace().collect();
    let plain = |name: &&str| name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if names.is_empty() || !names.iter().all(plain) {
        return Err(format!("unexpected column names {section:?}"));
    }
    Ok(names)
}

/// Parses one `  eth0: 1 2 3 ...` line against the column keys.
fn parse_device_line(line: &str, keys: &[String]) -> Result<DeviceCounters, String> {
    let (device, values) = line
        .split_once(':')
        .ok_or_else(|| format!("line {line:?} has no device name"))?;
    let values: Vec<&str> = values.split_whitespace().collect();
    if values.len() != keys.len() {
        return Err(format!(
            "device {}: {} values for {} columns",
            device.trim(),
            values.len(),
            keys.len()
        ));
    }
    let counters = keys
        .iter()
        .zip(values)
        .map(|(key, value)| Ok((key.clone(), parse_u64(key, value)?)))
        .collect::<Result<_, String>>()?;
    Ok(DeviceCounters {
        device: device.trim().to_owned(),
        counters,
    })
}

/// Adds one device's counters to the batch.
pub(super) fn emit_device(batch: &mut Batch, device: &DeviceCounters) {
    for (key, value) in &device.counters {
        emit_counter(batch, &device.device, key, *value);
    }
}

/// Adds `node_network_<key>_total{device}` with node_exporter's HELP text.
fn emit_counter(batch: &mut Batch, device: &str, key: &str, value: u64) {
    batch.counter(
        &format!("node_network_{key}_total"),
        &format!("Network device statistic {key}."),
        &[("device", device)],
        value as f64,
    );
}

/// Reads `/proc/net/dev` (and `rx_nohandler` from sysfs) each run.
pub struct NetdevCollector {
    procfs: PathBuf,
    sysfs: PathBuf,
    device_exclude: Option<Regex>,
}

impl NetdevCollector {
    /// A collector reading below `procfs` and `sysfs`, skipping devices matching `device_exclude`.
    pub fn new(procfs: PathBuf, sysfs: PathBuf, device_exclude: Option<Regex>) -> Self {
        Self {
            procfs,
            sysfs,
            device_exclude,
        }
    }

    fn excluded(&self, device: &str) -> bool {
        self.device_exclude
            .as_ref()
            .is_some_and(|pattern| pattern.is_match(device))
    }
}

impl Collector for NetdevCollector {
    fn name(&self) -> &'static str {
        "netdev"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let path = self.procfs.join("net/dev");
        let Some(text) = read_optional(&path)? else {
            return Ok(());
        };
        let devices = parse_net_dev(&text).map_err(parse_error(&path))?;
        for device in devices.iter().filter(|d| !self.excluded(&d.device)) {
            emit_device(batch, device);
        }
        for device in devices.iter().filter(|d| !self.excluded(&d.device)) {
            let nohandler = self
                .sysfs
                .join("class/net")
                .join(&device.device)
                .join("statistics/rx_nohandler");
            if let Some(text) = read_attribute(&nohandler)? {
                let value = parse_u64("rx_nohandler", &text).map_err(parse_error(&nohandler))?;
                emit_counter(batch, &device.device, "receive_nohandler", value);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/proc/net/dev` of the development machine.
    const NET_DEV: &str = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:   63197      67    0    0    0     0          0         0    63197      67    0    0    0     0       0          0
  ifb0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
  eth0: 315022855   15924    0    0    0     0          0         0   941837   10412    0    0    0     0       0          0
";

    #[test]
    fn parses_every_device_and_column() {
        let devices = parse_net_dev(NET_DEV).unwrap();
        assert_eq!(devices.len(), 3);
        let eth0 = &devices[2];
        assert_eq!(eth0.device, "eth0");
        assert_eq!(eth0.counters.len(), 16);
        assert_eq!(eth0.counters[0], ("receive_bytes".to_owned(), 315022855));
        assert_eq!(eth0.counters[8], ("transmit_bytes".to_owned(), 941837));
        assert_eq!(eth0.counters[13].0, "transmit_colls");
        assert_eq!(eth0.counters[14].0, "transmit_carrier");
    }

    #[test]
    fn emits_node_exporter_names_and_help() {
        let devices = parse_net_dev(NET_DEV).unwrap();
        let mut batch = Batch::new();
        emit_device(&mut batch, &devices[2]);
        let family = &batch.families()[0];
        assert_eq!(family.name, "node_network_receive_bytes_total");
        assert_eq!(family.help, "Network device statistic receive_bytes.");
        assert_eq!(family.kind, crate::metrics::MetricType::Counter);
        assert_eq!(family.samples[0].labels.get("device"), Some("eth0"));
        assert_eq!(family.samples[0].value, 315022855.0);
        let names: Vec<&str> = batch.families().iter().map(|f| f.name.as_str()).collect();
        assert!(names.contains(&"node_network_receive_multicast_total"));
        assert!(names.contains(&"node_network_transmit_colls_total"));
    }

    #[test]
    fn malformed_files_are_errors() {
        assert!(parse_net_dev("").is_err());
        assert!(parse_net_dev("Inter-| Receive | Transmit\n face bytes\n").is_err());
        let short = NET_DEV.replace("63197      67    0", "63197");
        assert!(parse_net_dev(&short).unwrap_err().contains("lo"));
        let bad = NET_DEV.replace("315022855", "x315");
        assert!(parse_net_dev(&bad).unwrap_err().contains("receive_bytes"));
    }
}
