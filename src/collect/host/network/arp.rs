//! The `arp` collector: neighbour table entries per device from `<procfs>/net/arp` as
//! `node_arp_entries{device}`.

use super::read::{parse_error, read_optional};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Columns of a `/proc/net/arp` entry: IP, HW type, flags, HW address, mask, device.
const ARP_COLUMNS: usize = 6;

/// Counts the entries of `/proc/net/arp` per device (the header line is skipped).
pub(super) fn parse_arp(text: &str) -> Result<BTreeMap<String, u64>, String> {
    let mut entries = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let columns: Vec<&str> = line.split_whitespace().collect();
        if columns.len() != ARP_COLUMNS {
            return Err(format!(
                "entry {line:?} has {} columns, expected {ARP_COLUMNS}",
                columns.len()
            ));
        }
        *entries.entry(columns[5].to_owned()).or_insert(0) += 1;
    }
    Ok(entries)
}

/// Adds `node_arp_entries{device}` for every device with entries.
pub(super) fn emit_arp(batch: &mut Batch, entries: &BTreeMap<String, u64>) {
    for (device, count) in entries {
        batch.gauge(
            "node_arp_entries",
            "ARP entries by device",
            &[("device", device)],
            *count as f64,
        );
    }
}

/// Reads `net/arp` each run.
pub struct ArpCollector {
    procfs: PathBuf,
}

impl ArpCollector {
    /// A collector reading below `procfs`.
    pub fn new(procfs: PathBuf) -> Self {
        Self { procfs }
    }
}

impl Collector for ArpCollector {
    fn name(&self) -> &'static str {
        "arp"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let path = self.procfs.join("net/arp");
        let Some(text) = read_optional(&path)? else {
            return Ok(());
        };
        let entries = parse_arp(&text).map_err(parse_error(&path))?;
        emit_arp(batch, &entries);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/proc/net/arp` of the development machine, plus two made-up entries.
    const ARP: &str =
        "IP address       HW type     Flags       HW address            Mask     Device
192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0
192.0.2.7        0x1         0x0         00:00:00:00:00:00     *        eth0
10.0.0.1         0x1         0x2         02:fc:00:00:00:09     *        eth1
";

    #[test]
    fn counts_entries_per_device() {
        let entries = parse_arp(ARP).unwrap();
        assert_eq!(entries.get("eth0"), Some(&2));
        assert_eq!(entries.get("eth1"), Some(&1));
        let mut batch = Batch::new();
        emit_arp(&mut batch, &entries);
        let family = &batch.families()[0];
        assert_eq!(family.name, "node_arp_entries");
        assert_eq!(family.samples[0].labels.get("device"), Some("eth0"));
        assert_eq!(family.samples[0].value, 2.0);
    }

    #[test]
    fn header_only_is_no_entries_and_short_lines_are_errors() {
        assert!(parse_arp(ARP.lines().next().unwrap()).unwrap().is_empty());
        assert!(parse_arp("header\n192.0.2.1 0x1 0x2\n").is_err());
    }
}
