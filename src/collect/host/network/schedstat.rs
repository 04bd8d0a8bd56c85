//! The `schedstat` collector: per-CPU scheduler time from `<procfs>/schedstat` as
//! `node_schedstat_{running,waiting}_seconds_total{cpu}` and `node_schedstat_timeslices_total{cpu}`.
//! Kernels without CONFIG_SCHEDSTATS have no such file and get no series.

use super::read::{parse_error, parse_u64, read_optional};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::PathBuf;

/// Nanoseconds per second.
const NANOS_PER_SECOND: f64 = 1e9;

/// The counters of one `cpuN` line.
#[derive(Debug, PartialEq)]
pub(super) struct CpuSchedstat {
    /// The CPU number (`N` of `cpuN`).
    pub cpu: String,
    /// Field 7: time spent running tasks, in nanoseconds.
    pub running_nanoseconds: u64,
    /// Field 8: time tasks spent waiting to run, in nanoseconds.
    pub waiting_nanoseconds: u64,
    /// Field 9: timeslices run.
    pub timeslices: u64,
}

/// Parses the `cpuN` lines of `/proc/schedstat` (version, timestamp and domain lines are skipped).
pub(super) fn parse_schedstat(text: &str) -> Result<Vec<CpuSchedstat>, String> {
    let mut cpus = Vec::new();
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let Some(cpu) = fields.next().and_then(|first| first.strip_prefix("cpu")) else {
            continue;
        };
        if cpu.is_empty() || !cpu.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let values: Vec<&str> = fields.collect();
        if values.len() < 9 {
            return Err(format!(
                "cpu{cpu}: {} fields, expected at least 9",
                values.len()
            ));
        }
        cpus.push(CpuSchedstat {
            cpu: cpu.to_owned(),
            running_nanoseconds: parse_u64("running time", values[6])?,
            waiting_nanoseconds: parse_u64("waiting time", values[7])?,
            timeslices: parse_u64("timeslices", values[8])?,
        });
    }
    Ok(cpus)
}

/// Adds the three counters of every CPU.
pub(super) fn emit_schedstat(batch: &mut Batch, cpus: &[CpuSchedstat]) {
    for cpu in cpus {
        let labels = [("cpu", cpu.cpu.as_str())];
        batch.counter(
            "node_schedstat_running_seconds_total",
            "Number of seconds CPU spent running a process.",
            &labels,
            cpu.running_nanoseconds as f64 / NANOS_PER_SECOND,
        );
        batch.counter(
            "node_schedstat_waiting_seconds_total",
            "Number of seconds spent by processing waiting for this CPU.",
            &labels,
            cpu.waiting_nanoseconds as f64 / NANOS_PER_SECOND,
        );
        batch.counter(
            "node_schedstat_timeslices_total",
            "Number of timeslices executed by CPU.",
            &labels,
            cpu.timeslices as f64,
        );
    }
}

/// Reads `/proc/schedstat` each run.
pub struct SchedstatCollector {
    procfs: PathBuf,
}

impl SchedstatCollector {
    /// A collector reading below `procfs`.
    pub fn new(procfs: PathBuf) -> Self {
        Self { procfs }
    }
}

impl Collector for SchedstatCollector {
    fn name(&self) -> &'static str {
        "schedstat"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let path = self.procfs.join("schedstat");
        let Some(text) = read_optional(&path)? else {
            return Ok(());
        };
        let cpus = parse_schedstat(&text).map_err(parse_error(&path))?;
        emit_schedstat(batch, &cpus);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-15 `/proc/schedstat` (the development machine's kernel has no schedstats; the
    /// layout follows Documentation/scheduler/sched-stats.rst).
    const SCHEDSTAT: &str = "version 15
timestamp 4297299139
cpu0 0 0 0 0 0 0 2000000000 500000000 48
domain0 00000003 212484 209770 1973 2787398 7624 4 0 207609 1 0 0 0 1 0 0 0 0 0 0
cpu1 0 0 0 0 0 0 1500000000 250000000 12
";

    #[test]
    fn parses_cpu_lines_only() {
        let cpus = parse_schedstat(SCHEDSTAT).unwrap();
        assert_eq!(cpus.len(), 2);
        assert_eq!(cpus[0].cpu, "0");
        assert_eq!(cpus[0].running_nanoseconds, 2_000_000_000);
        assert_eq!(cpus[1].waiting_nanoseconds, 250_000_000);
        assert_eq!(cpus[1].timeslices, 12);
    }

    #[test]
    fn emits_seconds_and_timeslices() {
        let mut batch = Batch::new();
        emit_schedstat(&mut batch, &parse_schedstat(SCHEDSTAT).unwrap());
        let running = &batch.families()[0];
        assert_eq!(running.name, "node_schedstat_running_seconds_total");
        assert_eq!(running.samples[0].value, 2.0);
        assert_eq!(batch.families()[1].samples[1].value, 0.25);
        assert_eq!(batch.families()[2].samples[0].labels.get("cpu"), Some("0"));
    }

    #[test]
    fn short_or_garbled_cpu_lines_are_errors() {
        assert!(parse_schedstat("cpu0 1 2 3\n").is_err());
        assert!(parse_schedstat("cpu0 0 0 0 0 0 0 x 0 0\n").is_err());
    }
}
