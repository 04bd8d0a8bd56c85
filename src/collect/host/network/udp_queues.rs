//! The `udp_queues` collector: bytes queued in UDP sockets, summed from the `tx_queue:rx_queue`
//! column of `<procfs>/net/udp` and `net/udp6`, as `node_udp_queues{ip,queue}`.

use super::read::{parse_error, parse_hex_u64, read_optional};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::PathBuf;

/// Queued bytes summed over every socket of one file.
#[derive(Debug, Default, PartialEq)]
pub(super) struct QueueSummary {
    /// Sum of `tx_queue`.
    pub tx: u64,
    /// Sum of `rx_queue`.
    pub rx: u64,
}

/// Sums the queues of a `/proc/net/udp{,6}` table (the header line is skipped).
pub(super) fn parse_udp_table(text: &str) -> Result<QueueSummary, String> {
    let mut summary = QueueSummary::default();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let queues = line
            .split_whitespace()
            .nth(4)
            .ok_or_else(|| format!("socket line {line:?} has no queue column"))?;
        let (tx, rx) = queues
            .split_once(':')
            .ok_or_else(|| format!("queue column {queues:?} is not tx:rx"))?;
        summary.tx = summary.tx.wrapping_add(parse_hex_u64("tx_queue", tx)?);
        summary.rx = summary.rx.wrapping_add(parse_hex_u64("rx_queue", rx)?);
    }
    Ok(summary)
}

/// Adds the `tx` and `rx` series of one IP version (`v4` or `v6`).
pub(super) fn emit_queues(batch: &mut Batch, ip: &str, summary: &QueueSummary) {
    for (queue, value) in [("tx", summary.tx), ("rx", summary.rx)] {
        batch.gauge(
            "node_udp_queues",
            "Number of allocated memory in the kernel for UDP datagrams in bytes.",
            &[("queue", queue), ("ip", ip)],
            value as f64,
        );
    }
}

/// Reads the IPv4 and IPv6 UDP socket tables each run.
pub struct UdpQueuesCollector {
    procfs: PathBuf,
}

impl UdpQueuesCollector {
    /// A collector reading below `procfs`.
    pub fn new(procfs: PathBuf) -> Self {
        Self { procfs }
    }
}

impl Collector for UdpQueuesCollector {
    fn name(&self) -> &'static str {
        "udp_queues"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        for (file, ip) in [("net/udp", "v4"), ("net/udp6", "v6")] {
            let path = self.procfs.join(file);
            let Some(text) = read_optional(&path)? else {
                continue;
            };
            let summary = parse_udp_table(&text).map_err(parse_error(&path))?;
            emit_queues(batch, ip, &summary);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/proc/net/udp` of the development machine with a socket holding three datagrams.
    const UDP: &str = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            
 4644: 0100007F:E52F 00000000:0000 07 00000010:000009C0 00:00000000 00000000     0        0 22884 2 000000006dff705f 0         
 4645: 0100007F:E530 00000000:0000 07 00000000:00000040 00:00000000 00000000     0        0 22886 2 000000006dff7060 0         
";

    #[test]
    fn sums_queues_over_sockets() {
        let summary = parse_udp_table(UDP).unwrap();
        assert_eq!(
            summary,
            QueueSummary {
                tx: 0x10,
                rx: 0x9c0 + 0x40
            }
        );
        let mut batch = Batch::new();
        emit_queues(&mut batch, "v4", &summary);
        let family = &batch.families()[0];
        assert_eq!(family.name, "node_udp_queues");
        assert_eq!(family.samples[1].labels.get("queue"), Some("rx"));
        assert_eq!(family.samples[1].labels.get("ip"), Some("v4"));
        assert_eq!(family.samples[1].value, 2560.0);
    }

    #[test]
    fn header_only_is_zero_and_garbled_queues_are_errors() {
        let header = UDP.lines().next().unwrap();
        assert_eq!(parse_udp_table(header).unwrap(), QueueSummary::default());
        assert!(parse_udp_table("h\n 1: a b 07 0000zz:00\n").is_err());
        assert!(parse_udp_table("h\n 1: a b 07\n").is_err());
    }
}
