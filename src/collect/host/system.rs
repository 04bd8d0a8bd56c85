//! The `system` collector: simple derived gauges named after the seed documents' metrics, for
//! rules and simple dashboards: `system_cpu_usage_percent`, `system_memory_usage_percent`,
//! `system_swap_usage_percent`, `system_disk_usage_percent{mountpoint}`,
//! `system_processes_count`, `system_memory_available_bytes`, `system_load1`.
//!
//! It reuses the parsers of `stat`, `meminfo`, `loadavg`, `mounts` and `processes`. CPU usage is
//! the busy share of all CPU ticks between two runs; the first run takes its two readings
//! ~100 ms apart.

use super::HostConfig;
use super::loadavg::read_loadavg;
use super::meminfo::{Meminfo, read_meminfo};
use super::mounts::{FsUsage, MountFilter, filesystem_usages};
use super::processes::list_pids;
use super::read::read_file;
use super::stat::{CpuTicks, parse_proc_stat};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// The gap between the two readings of the first run.
const FIRST_SAMPLE_GAP: Duration = Duration::from_millis(100);

/// Busy percentage of the CPU time between two aggregate `cpu` readings (idle includes iowait).
pub fn cpu_usage_percent(before: &CpuTicks, after: &CpuTicks) -> f64 {
    let total = after.total().saturating_sub(before.total());
    let idle = after.idle().saturating_sub(before.idle());
    if total == 0 {
        return 0.0;
    }
    total.saturating_sub(idle) as f64 / total as f64 * 100.0
}

/// `(MemTotal - MemAvailable) / MemTotal * 100`, or `None` without those fields.
pub fn memory_usage_percent(info: &Meminfo) -> Option<f64> {
    let total = info.get("MemTotal")?;
    let available = info.get("MemAvailable")?;
    (total > 0.0).then(|| (total - available) / total * 100.0)
}

/// Used swap as a percentage of swap, 0 when there is no swap.
pub fn swap_usage_percent(info: &Meminfo) -> f64 {
    match (info.get("SwapTotal"), info.get("SwapFree")) {
        (Some(total), Some(free)) if total > 0.0 => (total - free) / total * 100.0,
        _ => 0.0,
    }
}

/// Per mount point, `used / (used + avail) * 100` with `used = size - free`, as `df` shows it.
/// Failed and zero-sized mounts are skipped; a later mount on the same point wins.
pub fn disk_usage_percent(usages: &[FsUsage]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for usage in usages {
        let Ok(s) = &usage.stats else { continue };
        let used = s.size - s.free;
        if s.size <= 0.0 || used + s.avail <= 0.0 {
            continue;
        }
        out.insert(
            usage.mount.mount_point.clone(),
            used / (used + s.avail) * 100.0,
        );
    }
    out
}

/// Derived host gauges.
pub struct SystemCollector {
    procfs: PathBuf,
    rootfs: PathBuf,
    filter: MountFilter,
    previous_cpu: Option<CpuTicks>,
}

impl SystemCollector {
    /// A collector with the configured paths and filesystem exclusions.
    pub fn new(config: &HostConfig) -> Result<Self, String> {
        Ok(Self {
            procfs: config.paths.procfs.clone(),
            rootfs: config.paths.rootfs.clone(),
            filter: MountFilter::new(&config.filesystem)?,
            previous_cpu: None,
        })
    }

    fn read_cpu(&self) -> Result<CpuTicks, CollectError> {
        let path = self.procfs.join("stat");
        Ok(parse_proc_stat(&path.display().to_string(), &read_file(&path)?)?.total)
    }

    fn cpu_percent(&mut self) -> Result<f64, CollectError> {
        let before = match self.previous_cpu {
            Some(ticks) => ticks,
            None => {
                let first = self.read_cpu()?;
                std::thread::sleep(FIRST_SAMPLE_GAP);
                first
            }
        };
        let now = self.read_cpu()?;
        self.previous_cpu = Some(now);
        Ok(cpu_usage_percent(&before, &now))
    }
}

impl Collector for SystemCollector {
    fn name(&self) -> &'static str {
        "system"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let cpu = self.cpu_percent()?;
        batch.gauge(
            "system_cpu_usage_percent",
            "CPU busy time in percent of all CPU time since the previous collection.",
            &[],
            cpu,
        );
        let info = read_meminfo(&self.procfs)?;
        if let Some(mem) = memory_usage_percent(&info) {
            batch.gauge(
                "system_memory_usage_percent",
                "Memory in use in percent of MemTotal: (MemTotal - MemAvailable) / MemTotal * 100.",
                &[],
                mem,
            );
        }
        batch.gauge(
            "system_swap_usage_percent",
            "Swap in use in percent of SwapTotal (0 without swap).",
            &[],
            swap_usage_percent(&info),
        );
        if let Some(available) = info.get("MemAvailable") {
            batch.gauge(
                "system_memory_available_bytes",
                "Memory available for new work without swapping (MemAvailable), in bytes.",
                &[],
                available,
            );
        }
        let usages = filesystem_usages(&self.procfs, &self.rootfs, &self.filter)?;
        for (mount_point, percent) in disk_usage_percent(&usages) {
            batch.gauge("system_disk_usage_percent", "Filesystem space in use in percent, as df shows it: used / (used + available) * 100.", &[("mountpoint", &mount_point)], percent);
        }
        let processes = list_pids(&self.procfs)?.len() as f64;
        batch.gauge(
            "system_processes_count",
            "Number of processes.",
            &[],
            processes,
        );
        batch.gauge(
            "system_load1",
            "1m load average.",
            &[],
            read_loadavg(&self.procfs)?[0],
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::host::meminfo::parse_meminfo;
    use crate::collect::host::mounts::{FsStats, MountEntry};

    #[test]
    fn cpu_usage_is_busy_share_of_the_delta() {
        let before = CpuTicks([100, 0, 100, 700, 100, 0, 0, 0, 0, 0]);
        let after = CpuTicks([150, 0, 150, 750, 150, 0, 0, 0, 40, 0]);
        assert_eq!(cpu_usage_percent(&before, &after), 50.0);
        assert_eq!(cpu_usage_percent(&after, &after), 0.0);
    }

    #[test]
    fn memory_and_swap_percentages() {
        let info = parse_meminfo(
            "meminfo",
            "MemTotal: 1000 kB\nMemAvailable: 250 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n",
        )
        .unwrap();
        assert_eq!(memory_usage_percent(&info), Some(75.0));
        assert_eq!(swap_usage_percent(&info), 0.0);
        let swap = parse_meminfo("meminfo", "SwapTotal: 200 kB\nSwapFree: 150 kB\n").unwrap();
        assert_eq!(swap_usage_percent(&swap), 25.0);
    }

    #[test]
    fn disk_usage_matches_df() {
        let mount = |point: &str| MountEntry {
            device: "d".into(),
            mount_point: point.into(),
            fs_type: "ext4".into(),
            options: "rw".into(),
        };
        let usages = [
            FsUsage {
                mount: mount("/"),
                readonly: false,
                stats: Ok(FsStats {
                    size: 100.0,
                    free: 20.0,
                    avail: 15.0,
                    files: 1.0,
                    files_free: 1.0,
                }),
            },
            FsUsage {
                mount: mount("/gone"),
                readonly: false,
                stats: Err("x".into()),
            },
        ];
        let got = disk_usage_percent(&usages);
        assert_eq!(got.len(), 1);
        assert!((got["/"] - 80.0 / 95.0 * 100.0).abs() < 1e-9);
    }
}
