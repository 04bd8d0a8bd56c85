//! The sysfs part of the `cpu` collector, as node_exporter's: thermal throttle counters
//! `node_cpu_core_throttles_total{package,core}` and `node_cpu_package_throttles_total{package}`
//! from `cpu<N>/thermal_throttle/` (x86 with the thermal driver only), and
//! `node_cpu_isolated{cpu}` from the `isolated` CPU list. Absent files yield no series.

use super::read::{cpu_numbers, parse_u64};
use crate::collect::CollectError;
use crate::metrics::Batch;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::Path;

/// Expands a kernel CPU list such as `1-3,5` (empty text: no CPUs).
pub fn parse_cpu_list(source: &str, text: &str) -> Result<Vec<u64>, CollectError> {
    let mut cpus = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (
                    parse_u64(source, "cpu", from)?,
                    parse_u64(source, "cpu", to)?,
                );
                cpus.extend(from..=to);
            }
            None => cpus.push(parse_u64(source, "cpu", part)?),
        }
    }
    Ok(cpus)
}

/// Throttle counts keyed by package, and by (package, core).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Throttles {
    /// `package_throttle_count` per physical package (read once per package).
    pub packages: BTreeMap<u64, u64>,
    /// `core_throttle_count` per (package, core) (read once per core).
    pub cores: BTreeMap<(u64, u64), u64>,
}

fn read_number(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Reads the throttle counters of every `cpu<N>` under `base` (`<sysfs>/devices/system/cpu`).
pub fn read_throttles(base: &Path) -> Throttles {
    let mut throttles = Throttles::default();
    for cpu in cpu_numbers::<u64>(base) {
        let dir = base.join(format!("cpu{cpu}"));
        let package = read_number(&dir.join("topology/physical_package_id"));
        let core = read_number(&dir.join("topology/core_id"));
        let (Some(package), Some(core)) = (package, core) else {
            continue;
        };
        let throttle = dir.join("thermal_throttle");
        if let Entry::Vacant(slot) = throttles.cores.entry((package, core))
            && let Some(n) = read_number(&throttle.join("core_throttle_count"))
        {
            slot.insert(n);
        }
        if let Entry::Vacant(slot) = throttles.packages.entry(package)
            && let Some(n) = read_number(&throttle.join("package_throttle_count"))
        {
            slot.insert(n);
        }
    }
    throttles
}

/// Writes the throttle counters.
pub fn write_throttles(throttles: &Throttles, batch: &mut Batch) {
    for (package, n) in &throttles.packages {
        batch.counter(
            "node_cpu_package_throttles_total",
            "Number of times this CPU package has been throttled.",
            &[("package", &package.to_string())],
            *n as f64,
        );
    }
    for ((package, core), n) in &throttles.cores {
        batch.counter(
            "node_cpu_core_throttles_total",
            "Number of times this CPU core has been throttled.",
            &[
                ("package", &package.to_string()),
                ("core", &core.to_string()),
            ],
            *n as f64,
        );
    }
}

/// Writes `node_cpu_isolated` for each isolated CPU.
pub fn write_isolated(cpus: &[u64], batch: &mut Batch) {
    for cpu in cpus {
        batch.gauge(
            "node_cpu_isolated",
            "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.",
            &[("cpu", &cpu.to_string())],
            1.0,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_cpu_lists() {
        assert_eq!(parse_cpu_list("isolated", "1-3,5\n").unwrap(), [1, 2, 3, 5]);
        assert!(parse_cpu_list("isolated", "\n").unwrap().is_empty());
        assert!(parse_cpu_list("isolated", "a-b").is_err());
    }

    #[test]
    fn reads_throttles_once_per_core_and_package() {
        let root = tempfile::tempdir().unwrap();
        for (cpu, core) in [(0, 0), (1, 0), (2, 1)] {
            let dir = root.path().join(format!("cpu{cpu}"));
            std::fs::create_dir_all(dir.join("topology")).unwrap();
            std::fs::create_dir_all(dir.join("thermal_throttle")).unwrap();
            std::fs::write(dir.join("topology/physical_package_id"), "0\n").unwrap();
            std::fs::write(dir.join("topology/core_id"), format!("{core}\n")).unwrap();
            std::fs::write(
                dir.join("thermal_throttle/core_throttle_count"),
                format!("{}\n", cpu * 10),
            )
            .unwrap();
            std::fs::write(dir.join("thermal_throttle/package_throttle_count"), "7\n").unwrap();
        }
        let t = read_throttles(root.path());
        assert_eq!(t.packages, BTreeMap::from([(0, 7)]));
        assert_eq!(t.cores, BTreeMap::from([((0, 0), 0), ((0, 1), 20)]));
        let mut batch = Batch::new();
        write_throttles(&t, &mut batch);
        write_isolated(&[2], &mut batch);
        assert_eq!(batch.families().len(), 3);
        assert_eq!(batch.families()[1].samples[1].labels.get("core"), Some("1"));
    }
}
