//! Host CPU and memory usage for the metric history, read from the latest `cpu` and `meminfo`
//! snapshots in the registry: CPU usage is the share of non-idle time (`idle` and `iowait`
//! count as idle) between two readings of `node_cpu_seconds_total`; memory usage is
//! `1 - MemAvailable / MemTotal`. Pure over families.

use crate::metrics::MetricFamily;

/// Total and idle CPU seconds summed over every CPU.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CpuTimes {
    /// Every mode.
    pub total: f64,
    /// `idle` and `iowait`.
    pub idle: f64,
}

/// The CPU times in `families` (`node_cpu_seconds_total`), `None` without that family.
pub fn cpu_times(families: &[MetricFamily]) -> Option<CpuTimes> {
    let family = families
        .iter()
        .find(|f| f.name == "node_cpu_seconds_total")?;
    let mut times = CpuTimes::default();
    for sample in &family.samples {
        times.total += sample.value;
        if matches!(sample.labels.get("mode"), Some("idle" | "iowait")) {
            times.idle += sample.value;
        }
    }
    Some(times)
}

/// Percent of non-idle time between `earlier` and `later`; `None` when no time passed.
pub fn cpu_percent(earlier: CpuTimes, later: CpuTimes) -> Option<f64> {
    let total = later.total - earlier.total;
    let idle = later.idle - earlier.idle;
    (total > 0.0).then(|| ((total - idle) / total * 100.0).clamp(0.0, 100.0))
}

/// Percent of memory in use from `node_memory_MemTotal_bytes` and `_MemAvailable_bytes`.
pub fn memory_percent(families: &[MetricFamily]) -> Option<f64> {
    let value = |name: &str| {
        families
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.samples.first())
            .map(|s| s.value)
    };
    let total = value("node_memory_MemTotal_bytes")?;
    let available = value("node_memory_MemAvailable_bytes")?;
    (total > 0.0).then(|| ((1.0 - available / total) * 100.0).clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Batch;

    fn cpu(idle: f64, user: f64) -> Vec<MetricFamily> {
        let mut batch = Batch::new();
        let help = "Seconds the CPUs spent in each mode.";
        for (mode, value) in [("idle", idle), ("user", user), ("iowait", 1.0)] {
            batch.counter(
                "node_cpu_seconds_total",
                help,
                &[("cpu", "0"), ("mode", mode)],
                value,
            );
        }
        batch.into_families()
    }

    #[test]
    fn cpu_usage_between_readings_and_memory_usage() {
        let earlier = cpu_times(&cpu(100.0, 50.0)).unwrap();
        let later = cpu_times(&cpu(130.0, 60.0)).unwrap();
        assert_eq!(
            earlier,
            CpuTimes {
                total: 151.0,
                idle: 101.0
            }
        );
        assert_eq!(cpu_percent(earlier, later), Some(25.0));
        assert_eq!(cpu_percent(later, later), None);
        let mut batch = Batch::new();
        batch.gauge("node_memory_MemTotal_bytes", "t", &[], 1000.0);
        batch.gauge("node_memory_MemAvailable_bytes", "a", &[], 250.0);
        assert_eq!(memory_percent(&batch.into_families()), Some(75.0));
        assert_eq!(memory_percent(&[]), None);
    }
}
