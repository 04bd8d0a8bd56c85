//! The `conntrack` collector: `node_nf_conntrack_entries` and `_entries_limit` from
//! `<procfs>/sys/net/netfilter/`, and the `node_nf_conntrack_stat_*` sums over CPUs from
//! `<procfs>/net/stat/nf_conntrack`. Without netfilter loaded there are no series.

use super::read::{parse_error, parse_hex_u64, parse_u64, read_optional};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::PathBuf;

/// The statistics node_exporter sums: column name in the stat file (and metric suffix), HELP.
const STATISTICS: &[(&str, &str)] = &[
    ("found", "Number of searched entries which were successful."),
    (
        "invalid",
        "Number of packets seen which can not be tracked.",
    ),
    (
        "ignore",
        "Number of packets seen which are already connected to a conntrack entry.",
    ),
    ("insert", "Number of entries inserted into the list."),
    (
        "insert_failed",
        "Number of entries for which list insertion was attempted but failed.",
    ),
    (
        "drop",
        "Number of packets dropped due to conntrack failure.",
    ),
    (
        "early_drop",
        "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.",
    ),
    (
        "search_restart",
        "Number of conntrack table lookups which had to be restarted due to hashtable resizes.",
    ),
];

/// Sums each column of `/proc/net/stat/nf_conntrack` (a header, then one hex row per CPU),
/// returning `(column name, sum)` in header order.
pub(super) fn parse_conntrack_stat(text: &str) -> Result<Vec<(String, u64)>, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines
        .next()
        .ok_or("missing header")?
        .split_whitespace()
        .collect();
    let mut sums = vec![0u64; header.len()];
    for line in lines {
        let values: Vec<&str> = line.split_whitespace().collect();
        if values.len() != header.len() {
            return Err(format!(
                "{} values for {} columns",
                values.len(),
                header.len()
            ));
        }
        for ((sum, value), name) in sums.iter_mut().zip(values).zip(&header) {
            *sum = sum.wrapping_add(parse_hex_u64(name, value)?);
        }
    }
    Ok(header.into_iter().map(str::to_owned).zip(sums).collect())
}

/// Adds the `node_nf_conntrack_stat_*` gauges for the columns node_exporter exports.
pub(super) fn emit_conntrack_stat(batch: &mut Batch, sums: &[(String, u64)]) {
    for (column, help) in STATISTICS {
        if let Some((_, sum)) = sums.iter().find(|(name, _)| name == column) {
            batch.gauge(
                &format!("node_nf_conntrack_stat_{column}"),
                help,
                &[],
                *sum as f64,
            );
        }
    }
}

/// Reads the conntrack counters each run.
pub struct ConntrackCollector {
    procfs: PathBuf,
}

impl ConntrackCollector {
    /// A collector reading below `procfs`.
    pub fn new(procfs: PathBuf) -> Self {
        Self { procfs }
    }

    /// Reads one decimal value file; `None` when absent.
    fn read_value(&self, file: &str) -> Result<Option<u64>, CollectError> {
        let path = self.procfs.join(file);
        let Some(text) = read_optional(&path)? else {
            return Ok(None);
        };
        parse_u64(file, &text).map(Some).map_err(parse_error(&path))
    }
}

impl Collector for ConntrackCollector {
    fn name(&self) -> &'static str {
        "conntrack"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let Some(entries) = self.read_value("sys/net/netfilter/nf_conntrack_count")? else {
            return Ok(());
        };
        batch.gauge(
            "node_nf_conntrack_entries",
            "Number of currently allocated flow entries for connection tracking.",
            &[],
            entries as f64,
        );
        if let Some(limit) = self.read_value("sys/net/netfilter/nf_conntrack_max")? {
            batch.gauge(
                "node_nf_conntrack_entries_limit",
                "Maximum size of connection tracking table.",
                &[],
                limit as f64,
            );
        }
        let path = self.procfs.join("net/stat/nf_conntrack");
        if let Some(text) = read_optional(&path)? {
            let sums = parse_conntrack_stat(&text).map_err(parse_error(&path))?;
            emit_conntrack_stat(batch, &sums);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/proc/net/stat/nf_conntrack` of the development machine, with made-up counts.
    const STAT: &str = "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
00000000  00000000 00000003 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 0000000a
00000000  00000000 00000004 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000
";

    #[test]
    fn sums_columns_over_cpus() {
        let sums = parse_conntrack_stat(STAT).unwrap();
        assert_eq!(sums[2], ("found".to_owned(), 7));
        assert_eq!(sums[4], ("invalid".to_owned(), 2));
        let mut batch = Batch::new();
        emit_conntrack_stat(&mut batch, &sums);
        let names: Vec<&str> = batch.families().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names.len(), 8);
        assert_eq!(names[0], "node_nf_conntrack_stat_found");
        let restart = batch.families().last().unwrap();
        assert_eq!(restart.name, "node_nf_conntrack_stat_search_restart");
        assert_eq!(restart.samples[0].value, 10.0);
    }

    #[test]
    fn ragged_rows_are_errors() {
        assert!(parse_conntrack_stat("entries found\n00000000\n").is_err());
        assert!(parse_conntrack_stat("").is_err());
    }

    #[test]
    fn without_netfilter_there_are_no_series() {
        let dir = tempfile::tempdir().unwrap();
        let mut batch = Batch::new();
        ConntrackCollector::new(dir.path().to_path_buf())
            .collect(&mut batch)
            .unwrap();
        assert_eq!(batch.sample_count(), 0);
    }
}
