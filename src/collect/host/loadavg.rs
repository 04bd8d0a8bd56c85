//! The `loadavg` collector: `node_load1`, `node_load5`, `node_load15` from `/proc/loadavg`.

use super::read::{parse_f64, read_file};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::{Path, PathBuf};

/// Parses the three load averages from `/proc/loadavg`.
pub fn parse_loadavg(source: &str, text: &str) -> Result<[f64; 3], CollectError> {
    let mut fields = text.split_ascii_whitespace();
    let mut loads = [0.0; 3];
    for (slot, what) in loads.iter_mut().zip(["load1", "load5", "load15"]) {
        let field = fields
            .next()
            .ok_or_else(|| CollectError::parse(source, format!("missing {what}")))?;
        *slot = parse_f64(source, what, field)?;
    }
    Ok(loads)
}

/// Reads and parses `<procfs>/loadavg`.
pub fn read_loadavg(procfs: &Path) -> Result<[f64; 3], CollectError> {
    let path = procfs.join("loadavg");
    parse_loadavg(&path.display().to_string(), &read_file(&path)?)
}

/// Exports the 1, 5 and 15 minute load averages.
pub struct LoadavgCollector {
    procfs: PathBuf,
}

impl LoadavgCollector {
    /// A collector reading `<procfs>/loadavg`.
    pub fn new(procfs: &Path) -> Self {
        Self {
            procfs: procfs.to_path_buf(),
        }
    }
}

impl Collector for LoadavgCollector {
    fn name(&self) -> &'static str {
        "loadavg"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let loads = read_loadavg(&self.procfs)?;
        batch.gauge("node_load1", "1m load average.", &[], loads[0]);
        batch.gauge("node_load5", "5m load average.", &[], loads[1]);
        batch.gauge("node_load15", "15m load average.", &[], loads[2]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_three_loads() {
        let loads = parse_loadavg("loadavg", "0.70 0.73 0.38 1/87 9845\n").unwrap();
        assert_eq!(loads, [0.70, 0.73, 0.38]);
    }

    #[test]
    fn truncated_file_is_an_error() {
        assert!(parse_loadavg("loadavg", "0.70 0.73").is_err());
    }
}
