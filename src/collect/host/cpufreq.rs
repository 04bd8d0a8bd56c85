//! The `cpufreq` collector: node_exporter's `node_cpu_frequency{,_min,_max}_hertz`,
//! `node_cpu_scaling_frequency{,_min,_max}_hertz` and `node_cpu_scaling_governor{cpu,governor}`
//! from `<sysfs>/devices/system/cpu/cpu<N>/cpufreq/` (kHz in sysfs, Hz exported). Virtual
//! machines usually have no cpufreq directory: then there are no series and no error.

use super::read::cpu_numbers;
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::{Path, PathBuf};

/// (file, metric, HELP) of the frequency gauges.
const FREQUENCIES: [(&str, &str, &str); 6] = [
    (
        "cpuinfo_cur_freq",
        "node_cpu_frequency_hertz",
        "Current cpu thread frequency in hertz.",
    ),
    (
        "cpuinfo_min_freq",
        "node_cpu_frequency_min_hertz",
        "Minimum cpu thread frequency in hertz.",
    ),
    (
        "cpuinfo_max_freq",
        "node_cpu_frequency_max_hertz",
        "Maximum cpu thread frequency in hertz.",
    ),
    (
        "scaling_cur_freq",
        "node_cpu_scaling_frequency_hertz",
        "Current scaled CPU thread frequency in hertz.",
    ),
    (
        "scaling_min_freq",
        "node_cpu_scaling_frequency_min_hertz",
        "Minimum scaled CPU thread frequency in hertz.",
    ),
    (
        "scaling_max_freq",
        "node_cpu_scaling_frequency_max_hertz",
        "Maximum scaled CPU thread frequency in hertz.",
    ),
];

/// A sysfs kHz value in Hz; `None` when it is not a number.
pub fn parse_khz(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().map(|khz| khz * 1000.0)
}

/// One 0/1 state per available governor, 1 for the current one.
pub fn governor_states(current: &str, available: &str) -> Vec<(String, f64)> {
    let current = current.trim();
    available
        .split_ascii_whitespace()
        .map(|g| (g.to_owned(), if g == current { 1.0 } else { 0.0 }))
        .collect()
}

/// Reads an optional sysfs attribute (some, like `cpuinfo_cur_freq`, are root-only).
fn attribute(dir: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(name)).ok()
}

/// The `cpu<N>` numbers under `<sysfs>/devices/system/cpu` that have a cpufreq directory.
fn cpus_with_cpufreq(base: &Path) -> Vec<u32> {
    let mut cpus = cpu_numbers::<u32>(base);
    cpus.retain(|n| base.join(format!("cpu{n}/cpufreq")).is_dir());
    cpus
}

/// Exports CPU frequencies and governors.
pub struct CpufreqCollector {
    base: PathBuf,
}

impl CpufreqCollector {
    /// A collector reading `<sysfs>/devices/system/cpu`.
    pub fn new(sysfs: &Path) -> Self {
        Self {
            base: sysfs.join("devices/system/cpu"),
        }
    }
}

impl Collector for CpufreqCollector {
    fn name(&self) -> &'static str {
        "cpufreq"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        for cpu in cpus_with_cpufreq(&self.base) {
            let dir = self.base.join(format!("cpu{cpu}/cpufreq"));
            write_cpu(&cpu.to_string(), &dir, batch);
        }
        Ok(())
    }
}

fn write_cpu(cpu: &str, dir: &Path, batch: &mut Batch) {
    for (file, name, help) in FREQUENCIES {
        if let Some(hz) = attribute(dir, file).as_deref().and_then(parse_khz) {
            batch.gauge(name, help, &[("cpu", cpu)], hz);
        }
    }
    let Some(current) = attribute(dir, "scaling_governor") else {
        return;
    };
    let available = attribute(dir, "scaling_available_governors").unwrap_or_default();
    for (governor, state) in governor_states(&current, &available) {
        batch.gauge(
            "node_cpu_scaling_governor",
            "Current enabled CPU frequency governor.",
            &[("cpu", cpu), ("governor", &governor)],
            state,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn khz_become_hz_and_governors_are_flagged() {
        assert_eq!(parse_khz("2400000\n"), Some(2.4e9));
        assert_eq!(parse_khz("<unknown>"), None);
        let states = governor_states("powersave\n", "performance powersave\n");
        assert_eq!(
            states,
            [
                ("performance".to_owned(), 0.0),
                ("powersave".to_owned(), 1.0)
            ]
        );
    }

    #[test]
    fn reads_a_cpufreq_tree() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("devices/system/cpu/cpu3/cpufreq");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(root.path().join("devices/system/cpu/cpu4")).unwrap();
        std::fs::write(dir.join("scaling_cur_freq"), "1800000\n").unwrap();
        std::fs::write(dir.join("scaling_governor"), "schedutil\n").unwrap();
        std::fs::write(
            dir.join("scaling_available_governors"),
            "performance schedutil\n",
        )
        .unwrap();
        let mut batch = Batch::new();
        CpufreqCollector::new(root.path())
            .collect(&mut batch)
            .unwrap();
        let names: Vec<&str> = batch.families().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "node_cpu_scaling_frequency_hertz",
                "node_cpu_scaling_governor"
            ]
        );
        assert_eq!(batch.families()[0].samples[0].labels.get("cpu"), Some("3"));
        assert_eq!(batch.families()[0].samples[0].value, 1.8e9);
        assert_eq!(batch.families()[1].samples.len(), 2);
    }
}
