//! The `stat` collector and the one `/proc/stat` parser.
//!
//! `parse_proc_stat` reads both the per-CPU tick lines (used by `cpu` and `system`) and the
//! kernel-wide counters exported here as node_exporter's stat metrics: `node_context_switches_total`,
//! `node_forks_total`, `node_intr_total`, `node_procs_running`, `node_procs_blocked`,
//! `node_boot_time_seconds`.

use super::read::{parse_u64, read_file};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::PathBuf;

/// Number of tick columns node_exporter reads from a `cpu` line.
pub const CPU_FIELDS: usize = 10;

/// One `cpuN` (or aggregate `cpu`) line: ticks in the order user, nice, system, idle, iowait,
/// irq, softirq, steal, guest, guest_nice; columns an old kernel lacks are 0.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CpuTicks(pub [u64; CPU_FIELDS]);

impl CpuTicks {
    /// Total ticks excluding guest time (already counted in user and nice).
    pub fn total(&self) -> u64 {
        self.0[..8].iter().sum()
    }

    /// Idle plus iowait ticks.
    pub fn idle(&self) -> u64 {
        self.0[3] + self.0[4]
    }
}

/// The parsed content of `/proc/stat`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProcStat {
    /// The aggregate `cpu` line.
    pub total: CpuTicks,
    /// `cpuN` lines as (N, ticks), in file order.
    pub cpus: Vec<(u64, CpuTicks)>,
    /// `intr` first column: interrupts serviced since boot.
    pub intr: Option<u64>,
    /// `ctxt`: context switches since boot.
    pub ctxt: Option<u64>,
    /// `btime`: boot time in seconds since the epoch.
    pub btime: Option<u64>,
    /// `processes`: forks since boot.
    pub processes: Option<u64>,
    /// `procs_running`.
    pub procs_running: Option<u64>,
    /// `procs_blocked`.
    pub procs_blocked: Option<u64>,
}

/// Parses `/proc/stat`. `source` names the file in errors.
pub fn parse_proc_stat(source: &str, text: &str) -> Result<ProcStat, CollectError> {
    let mut stat = ProcStat::default();
    for line in text.lines() {
        let mut parts = line.split_ascii_whitespace();
        let Some(key) = parts.next() else { continue };
        if let Some(id) = key.strip_prefix("cpu") {
            let ticks = parse_cpu_ticks(source, key, parts)?;
            if id.is_empty() {
                stat.total = ticks;
            } else {
                let n = parse_u64(source, key, id)?;
                stat.cpus.push((n, ticks));
            }
            continue;
        }
        let slot = match key {
            "intr" => &mut stat.intr,
            "ctxt" => &mut stat.ctxt,
            "btime" => &mut stat.btime,
            "processes" => &mut stat.processes,
            "procs_running" => &mut stat.procs_running,
            "procs_blocked" => &mut stat.procs_blocked,
            _ => continue,
        };
        let value = parts
            .next()
            .ok_or_else(|| CollectError::parse(source, format!("{key} has no value")))?;
        *slot = Some(parse_u64(source, key, value)?);
    }
    Ok(stat)
}

fn parse_cpu_ticks<'a>(
    source: &str,
    key: &str,
    columns: impl Iterator<Item = &'a str>,
) -> Result<CpuTicks, CollectError> {
    let mut ticks = CpuTicks::default();
    for (slot, column) in ticks.0.iter_mut().zip(columns) {
        *slot = parse_u64(source, key, column)?;
    }
    Ok(ticks)
}

/// Exports the kernel-wide counters of `/proc/stat`.
pub struct StatCollector {
    path: PathBuf,
}

impl StatCollector {
    /// A collector reading `<procfs>/stat`.
    pub fn new(procfs: &std::path::Path) -> Self {
        Self {
            path: procfs.join("stat"),
        }
    }
}

impl Collector for StatCollector {
    fn name(&self) -> &'static str {
        "stat"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let text = read_file(&self.path)?;
        let stat = parse_proc_stat(&self.path.display().to_string(), &text)?;
        write_stat(&stat, batch);
        Ok(())
    }
}

fn write_stat(stat: &ProcStat, batch: &mut Batch) {
    let counters = [
        (
            stat.intr,
            "node_intr_total",
            "Total number of interrupts serviced.",
        ),
        (
            stat.ctxt,
            "node_context_switches_total",
            "Total number of context switches.",
        ),
        (stat.processes, "node_forks_total", "Total number of forks."),
    ];
    for (value, name, help) in counters {
        if let Some(v) = value {
            batch.counter(name, help, &[], v as f64);
        }
    }
    let gauges = [
        (
            stat.btime,
            "node_boot_time_seconds",
            "Node boot time, in unixtime.",
        ),
        (
            stat.procs_running,
            "node_procs_running",
            "Number of processes in runnable state.",
        ),
        (
            stat.procs_blocked,
            "node_procs_blocked",
            "Number of processes blocked waiting for I/O to complete.",
        ),
    ];
    for (value, name, help) in gauges {
        if let Some(v) = value {
            batch.gauge(name, help, &[], v as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::MetricType;

    const SAMPLE: &str = "cpu  29102 0 8785 59449 1060 0 232 582 0 0
cpu0 13443 0 3975 31585 287 0 44 253 0 0
cpu1 15658 0 4810 27864 773 0 187 329 7 1
intr 1507052 0 9 0 0 0
ctxt 2741386
btime 1764612345
processes 9867
procs_running 2
procs_blocked 1
softirq 719575 2 137470 10 20346
";

    #[test]
    fn parses_cpu_lines_and_counters() {
        let stat = parse_proc_stat("stat", SAMPLE).unwrap();
        assert_eq!(stat.total.0[0], 29102);
        assert_eq!(stat.cpus.len(), 2);
        assert_eq!(stat.cpus[1].0, 1);
        assert_eq!(stat.cpus[1].1.0[8], 7);
        assert_eq!(stat.cpus[1].1.0[9], 1);
        assert_eq!(stat.intr, Some(1507052));
        assert_eq!(stat.ctxt, Some(2741386));
        assert_eq!(stat.btime, Some(1764612345));
        assert_eq!(stat.processes, Some(9867));
        assert_eq!(stat.procs_running, Some(2));
        assert_eq!(stat.procs_blocked, Some(1));
    }

    #[test]
    fn short_cpu_lines_fill_missing_columns_with_zero() {
        let stat = parse_proc_stat("stat", "cpu0 1 2 3 4\n").unwrap();
        assert_eq!(stat.cpus[0].1.0, [1, 2, 3, 4, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn bad_number_is_a_parse_error() {
        let err = parse_proc_stat("stat", "ctxt x\n").unwrap_err();
        assert!(err.to_string().contains("ctxt"));
    }

    #[test]
    fn writes_node_exporter_families() {
        let mut batch = Batch::new();
        write_stat(&parse_proc_stat("stat", SAMPLE).unwrap(), &mut batch);
        let ctxt = batch
            .families()
            .iter()
            .find(|f| f.name == "node_context_switches_total")
            .unwrap();
        assert_eq!(ctxt.kind, MetricType::Counter);
        assert_eq!(ctxt.samples[0].value, 2741386.0);
        assert_eq!(batch.families().len(), 6);
    }
}
