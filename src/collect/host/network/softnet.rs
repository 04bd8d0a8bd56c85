//! The `softnet` collector: per-CPU packet processing counters from `<procfs>/net/softnet_stat`
//! as `node_softnet_*_total{cpu}` and `node_softnet_backlog_len{cpu}`.

use super::read::{parse_error, parse_hex_u64, read_optional};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::PathBuf;

/// One CPU's row of `softnet_stat` (hexadecimal columns).
#[derive(Debug, Default, PartialEq)]
pub(super) struct SoftnetRow {
    /// The CPU (column 13 on Linux >= 5.10, else the row number).
    pub cpu: u64,
    /// Column 1: packets processed.
    pub processed: u64,
    /// Column 2: packets dropped (backlog full).
    pub dropped: u64,
    /// Column 3: times the budget ran out.
    pub time_squeezed: u64,
    /// Column 9: collisions taking the device lock on transmit.
    pub cpu_collision: u64,
    /// Column 10: RPS wake-ups (Linux >= 2.6.36).
    pub received_rps: u64,
    /// Column 11: flow limit hits.
    pub flow_limit_count: u64,
    /// Column 12: backlog length (Linux >= 5.10).
    pub backlog_len: u64,
}

/// Parses `softnet_stat`; rows need at least the 9 columns of Linux 2.6.
pub(super) fn parse_softnet(text: &str) -> Result<Vec<SoftnetRow>, String> {
    let mut rows = Vec::new();
    for (line_index, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let columns = line
            .split_whitespace()
            .enumerate()
            .map(|(i, column)| parse_hex_u64(&format!("column {}", i + 1), column))
            .collect::<Result<Vec<u64>, String>>()?;
        if columns.len() < 9 {
            return Err(format!("{} columns, expected at least 9", columns.len()));
        }
        let column = |i: usize| columns.get(i).copied().unwrap_or(0);
        rows.push(SoftnetRow {
            cpu: columns.get(12).copied().unwrap_or(line_index as u64),
            processed: column(0),
            dropped: column(1),
            time_squeezed: column(2),
            cpu_collision: column(8),
            received_rps: column(9),
            flow_limit_count: column(10),
            backlog_len: column(11),
        });
    }
    Ok(rows)
}

/// Adds every row's series to the batch.
pub(super) fn emit_softnet(batch: &mut Batch, rows: &[SoftnetRow]) {
    for row in rows {
        let cpu = row.cpu.to_string();
        let labels = [("cpu", cpu.as_str())];
        let counters = [
            (
                "node_softnet_processed_total",
                "Number of processed packets",
                row.processed,
            ),
            (
                "node_softnet_dropped_total",
                "Number of dropped packets",
                row.dropped,
            ),
            (
                "node_softnet_times_squeezed_total",
                "Number of times processing packets ran out of quota",
                row.time_squeezed,
            ),
            (
                "node_softnet_cpu_collision_total",
                "Number of collision occur while obtaining device lock while transmitting",
                row.cpu_collision,
            ),
            (
                "node_softnet_received_rps_total",
                "Number of times cpu woken up received_rps",
                row.received_rps,
            ),
            (
                "node_softnet_flow_limit_count_total",
                "Number of times flow limit has been reached",
                row.flow_limit_count,
            ),
        ];
        for (name, help, value) in counters {
            batch.counter(name, help, &labels, value as f64);
        }
        batch.gauge(
            "node_softnet_backlog_len",
            "Softnet backlog status",
            &labels,
            row.backlog_len as f64,
        );
    }
}

/// Reads `net/softnet_stat` each run.
pub struct SoftnetCollector {
    procfs: PathBuf,
}

impl SoftnetCollector {
    /// A collector reading below `procfs`.
    pub fn new(procfs: PathBuf) -> Self {
        Self { procfs }
    }
}

impl Collector for SoftnetCollector {
    fn name(&self) -> &'static str {
        "softnet"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let path = self.procfs.join("net/softnet_stat");
        let Some(text) = read_optional(&path)? else {
            return Ok(());
        };
        let rows = parse_softnet(&text).map_err(parse_error(&path))?;
        emit_softnet(batch, &rows);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/proc/net/softnet_stat` of the development machine (Linux 6.18, 15 columns), with distinct
    /// values put into the second row's counters.
    const SOFTNET: &str = "00000024 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
00003603 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000003 00000004 00000005 00000006 00000001 00000000 00000000
";

    #[test]
    fn parses_hex_columns_and_cpu_index() {
        let rows = parse_softnet(SOFTNET).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].processed, 0x24);
        let second = &rows[1];
        assert_eq!(second.cpu, 1);
        assert_eq!(second.processed, 0x3603);
        assert_eq!(second.dropped, 1);
        assert_eq!(second.time_squeezed, 2);
        assert_eq!(second.cpu_collision, 3);
        assert_eq!(second.received_rps, 4);
        assert_eq!(second.flow_limit_count, 5);
        assert_eq!(second.backlog_len, 6);
    }

    #[test]
    fn old_kernels_number_cpus_by_row() {
        let old = "00000010 0 0 0 0 0 0 0 0\n00000020 0 0 0 0 0 0 0 0\n";
        let rows = parse_softnet(old).unwrap();
        assert_eq!(rows[1].cpu, 1);
        assert_eq!(rows[1].processed, 0x20);
        assert_eq!(rows[1].received_rps, 0);
    }

    #[test]
    fn emits_counters_and_backlog_gauge() {
        let mut batch = Batch::new();
        emit_softnet(&mut batch, &parse_softnet(SOFTNET).unwrap());
        let processed = &batch.families()[0];
        assert_eq!(processed.name, "node_softnet_processed_total");
        assert_eq!(processed.samples[1].labels.get("cpu"), Some("1"));
        assert_eq!(processed.samples[1].value, 13827.0);
        let backlog = batch
            .families()
            .iter()
            .find(|f| f.name == "node_softnet_backlog_len")
            .unwrap();
        assert_eq!(backlog.kind, crate::metrics::MetricType::Gauge);
        assert_eq!(batch.families().len(), 7);
    }

    #[test]
    fn short_or_garbled_rows_are_errors() {
        assert!(parse_softnet("00000010 0 0\n").is_err());
        assert!(parse_softnet("0000001g 0 0 0 0 0 0 0 0\n").is_err());
    }
}
