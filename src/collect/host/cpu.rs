//! The `cpu` collector: `node_cpu_seconds_total{cpu,mode}` and
//! `node_cpu_guest_seconds_total{cpu,mode}` from the `cpuN` lines of `/proc/stat`.
//!
//! Ticks become seconds by dividing by USER_HZ (`sysconf(_SC_CLK_TCK)`, 100 if that fails).
//! Like node_exporter, a counter that goes backwards keeps its previous value, and a CPU whose
//! idle time jumps back by 3 s or more (a hotplug) starts afresh. The sysfs series (thermal
//! throttles, isolated CPUs) are in `cpu_sysfs`.

use super::cpu_sysfs::{parse_cpu_list, read_throttles, write_isolated, write_throttles};
use super::read::{read_file, read_optional};
use super::stat::{CPU_FIELDS, CpuTicks, parse_proc_stat};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The `mode` label of the first eight tick columns.
const MODES: [&str; 8] = [
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
];
/// Idle jump-back (seconds) that node_exporter treats as a hotplug and resets on.
const JUMP_BACK_SECONDS: f64 = 3.0;

/// Kernel ticks per second (USER_HZ), falling back to 100.
pub fn user_hz() -> f64 {
    // SAFETY: sysconf has no preconditions; it only reads a system constant.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz > 0 { hz as f64 } else { 100.0 }
}

/// Per-CPU seconds, kept monotonic across runs.
pub struct CpuCollector {
    path: PathBuf,
    sysfs_cpu: PathBuf,
    hz: f64,
    last: HashMap<u64, [f64; CPU_FIELDS]>,
}

impl CpuCollector {
    /// A collector reading `<procfs>/stat` and `<sysfs>/devices/system/cpu`.
    pub fn new(procfs: &Path, sysfs: &Path) -> Self {
        Self {
            path: procfs.join("stat"),
            sysfs_cpu: sysfs.join("devices/system/cpu"),
            hz: user_hz(),
            last: HashMap::new(),
        }
    }
}

impl Collector for CpuCollector {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let text = read_file(&self.path)?;
        let stat = parse_proc_stat(&self.path.display().to_string(), &text)?;
        for (cpu, ticks) in &stat.cpus {
            let seconds = to_seconds(ticks, self.hz);
            let previous = self.last.get(cpu).copied();
            let kept = keep_monotonic(previous, seconds);
            self.last.insert(*cpu, kept);
            write_cpu(&cpu.to_string(), &kept, batch);
        }
        let isolated_path = self.sysfs_cpu.join("isolated");
        if let Some(text) = read_optional(&isolated_path)? {
            write_isolated(
                &parse_cpu_list(&isolated_path.display().to_string(), &text)?,
                batch,
            );
        }
        write_throttles(&read_throttles(&self.sysfs_cpu), batch);
        Ok(())
    }
}

fn to_seconds(ticks: &CpuTicks, hz: f64) -> [f64; CPU_FIELDS] {
    ticks.0.map(|t| t as f64 / hz)
}

/// node_exporter's rule: reset on a large idle jump back, otherwise never go backwards.
fn keep_monotonic(
    previous: Option<[f64; CPU_FIELDS]>,
    new: [f64; CPU_FIELDS],
) -> [f64; CPU_FIELDS] {
    let Some(old) = previous else { return new };
    if old[3] - new[3] >= JUMP_BACK_SECONDS {
        return new;
    }
    let mut kept = old;
    for (slot, value) in kept.iter_mut().zip(new) {
        if value >= *slot {
            *slot = value;
        }
    }
    kept
}

fn write_cpu(cpu: &str, seconds: &[f64; CPU_FIELDS], batch: &mut Batch) {
    for (mode, value) in MODES.iter().zip(seconds) {
        batch.counter(
            "node_cpu_seconds_total",
            "Seconds the CPUs spent in each mode.",
            &[("cpu", cpu), ("mode", mode)],
            *value,
        );
    }
    for (mode, value) in [("user", seconds[8]), ("nice", seconds[9])] {
        batch.counter(
            "node_cpu_guest_seconds_total",
            "Seconds the CPUs spent in guests (VMs) for each mode.",
            &[("cpu", cpu), ("mode", mode)],
            value,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_become_seconds() {
        let ticks = CpuTicks([100, 0, 250, 1000, 0, 0, 0, 0, 50, 0]);
        let s = to_seconds(&ticks, 100.0);
        assert_eq!(s[0], 1.0);
        assert_eq!(s[2], 2.5);
        assert_eq!(s[8], 0.5);
    }

    #[test]
    fn counters_never_go_backwards_but_reset_on_hotplug() {
        let mut old = [0.0; CPU_FIELDS];
        old[0] = 10.0;
        old[3] = 100.0;
        let mut small_dip = old;
        small_dip[0] = 9.0;
        small_dip[3] = 99.0;
        assert_eq!(keep_monotonic(Some(old), small_dip), old);
        let mut hotplug = [0.0; CPU_FIELDS];
        hotplug[3] = 1.0;
        assert_eq!(keep_monotonic(Some(old), hotplug), hotplug);
    }

    #[test]
    fn writes_eight_modes_and_two_guest_modes() {
        let mut batch = Batch::new();
        write_cpu("0", &[1.0; CPU_FIELDS], &mut batch);
        let families = batch.families();
        assert_eq!(families[0].name, "node_cpu_seconds_total");
        assert_eq!(families[0].samples.len(), 8);
        assert_eq!(families[0].samples[7].labels.get("mode"), Some("steal"));
        assert_eq!(families[1].name, "node_cpu_guest_seconds_total");
        assert_eq!(families[1].samples.len(), 2);
    }

    #[test]
    fn user_hz_is_positive() {
        assert!(user_hz() > 0.0);
    }
}
