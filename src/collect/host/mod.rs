//! Host collectors: node_exporter-compatible metrics from /proc and /sys, one file per subsystem.
//!
//! Each collector splits its I/O (files under `paths.procfs` / `sysfs` / `rootfs`) from a pure
//! parser of `&str`; `build` creates the enabled ones, skipping names in `disable`.

pub mod config;
mod cpu;
mod cpu_sysfs;
mod cpufreq;
mod disk_info;
mod diskstats;
mod filefd;
mod filesystem;
mod loadavg;
mod meminfo;
mod mounts;
mod network;
mod os;
mod pressure;
mod processes;
mod read;
mod stat;
mod system;
mod time;
mod uname;
mod vmstat;

pub use config::HostConfig;

use super::Collector;

/// Names of the host collectors built in this module (see also `network::NETWORK_NAMES`).
const LOCAL_NAMES: &[&str] = &[
    "cpu",
    "cpufreq",
    "stat",
    "loadavg",
    "meminfo",
    "vmstat",
    "filesystem",
    "diskstats",
    "uname",
    "os",
    "time",
    "filefd",
    "pressure",
    "processes",
    "system",
];

/// Names of every host collector, as used in `collectors.host.disable` and `overrides`.
pub fn names() -> Vec<&'static str> {
    LOCAL_NAMES
        .iter()
        .chain(network::NETWORK_NAMES)
        .copied()
        .collect()
}

/// Builds one local collector by name.
fn build_local(name: &str, config: &HostConfig) -> Result<Box<dyn Collector>, String> {
    let procfs = config.paths.procfs.as_path();
    Ok(match name {
        "cpu" => Box::new(cpu::CpuCollector::new(procfs, &config.paths.sysfs)),
        "cpufreq" => Box::new(cpufreq::CpufreqCollector::new(&config.paths.sysfs)),
        "stat" => Box::new(stat::StatCollector::new(procfs)),
        "loadavg" => Box::new(loadavg::LoadavgCollector::new(procfs)),
        "meminfo" => Box::new(meminfo::MeminfoCollector::new(procfs)),
        "vmstat" => Box::new(vmstat::VmstatCollector::new(procfs)?),
        "filesystem" => Box::new(filesystem::FilesystemCollector::new(config)?),
        "diskstats" => Box::new(diskstats::DiskstatsCollector::new(config)?),
        "uname" => Box::new(uname::UnameCollector),
        "os" => Box::new(os::OsCollector::new(&config.paths.rootfs)?),
        "time" => Box::new(time::TimeCollector::new(&config.paths.sysfs)),
        "filefd" => Box::new(filefd::FilefdCollector::new(procfs)),
        "pressure" => Box::new(pressure::PressureCollector::new(procfs)),
        "processes" => Box::new(processes::ProcessesCollector::new(procfs)),
        "system" => Box::new(system::SystemCollector::new(config)?),
        other => return Err(format!("unknown host collector {other:?}")),
    })
}

/// Builds the enabled host collectors from config.
pub fn build(config: &HostConfig) -> Result<Vec<Box<dyn Collector>>, String> {
    let mut out: Vec<Box<dyn Collector>> = Vec::new();
    if !config.enabled {
        return Ok(out);
    }
    for name in LOCAL_NAMES {
        if !config.disable.iter().any(|d| d == name) {
            out.push(build_local(name, config)?);
        }
    }
    network::build_network(config, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Batch, MetricType};
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    fn fixture_config() -> HostConfig {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host");
        let mut config = HostConfig::default();
        config.paths.procfs = root.join("proc");
        config.paths.sysfs = root.join("sys");
        config.paths.rootfs = root.join("rootfs");
        config.disable = network::NETWORK_NAMES
            .iter()
            .map(|n| n.to_string())
            .collect();
        config
    }

    /// (family, type, label names of its first sample) for every family the fixture yields.
    #[rustfmt::skip]
    const EXPECTED: &[(&str, MetricType, &[&str])] = &[
        ("node_cpu_seconds_total", MetricType::Counter, &["cpu", "mode"]),
        ("node_cpu_guest_seconds_total", MetricType::Counter, &["cpu", "mode"]),
        ("node_intr_total", MetricType::Counter, &[]),
        ("node_context_switches_total", MetricType::Counter, &[]),
        ("node_forks_total", MetricType::Counter, &[]),
        ("node_boot_time_seconds", MetricType::Gauge, &[]),
        ("node_procs_running", MetricType::Gauge, &[]),
        ("node_procs_blocked", MetricType::Gauge, &[]),
        ("node_load1", MetricType::Gauge, &[]),
        ("node_load15", MetricType::Gauge, &[]),
        ("node_memory_MemTotal_bytes", MetricType::Gauge, &[]),
        ("node_memory_Active_anon_bytes", MetricType::Gauge, &[]),
        ("node_memory_HugePages_Total", MetricType::Gauge, &[]),
        ("node_vmstat_pgfault", MetricType::Untyped, &[]),
        ("node_vmstat_oom_kill", MetricType::Untyped, &[]),
        ("node_filesystem_size_bytes", MetricType::Gauge, &["device", "fstype", "mountpoint"]),
        ("node_filesystem_avail_bytes", MetricType::Gauge, &["device", "fstype", "mountpoint"]),
        ("node_filesystem_files_free", MetricType::Gauge, &["device", "fstype", "mountpoint"]),
        ("node_filesystem_readonly", MetricType::Gauge, &["device", "fstype", "mountpoint"]),
        ("node_filesystem_device_error", MetricType::Gauge, &["device", "fstype", "mountpoint"]),
        ("node_disk_reads_completed_total", MetricType::Counter, &["device"]),
        ("node_disk_written_bytes_total", MetricType::Counter, &["device"]),
        ("node_disk_io_now", MetricType::Gauge, &["device"]),
        ("node_disk_flush_requests_time_seconds_total", MetricType::Counter, &["device"]),
        ("node_uname_info", MetricType::Gauge, &["domainname", "machine", "nodename", "release", "sysname", "version"]),
        ("node_os_info", MetricType::Gauge, &["build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant", "variant_id", "version", "version_codename", "version_id"]),
        ("node_os_version", MetricType::Gauge, &["id", "id_like", "name"]),
        ("node_time_seconds", MetricType::Gauge, &[]),
        ("node_time_zone_offset_seconds", MetricType::Gauge, &["time_zone"]),
        ("node_filefd_allocated", MetricType::Gauge, &[]),
        ("node_filefd_maximum", MetricType::Gauge, &[]),
        ("node_pressure_cpu_waiting_seconds_total", MetricType::Counter, &[]),
        ("node_pressure_io_stalled_seconds_total", MetricType::Counter, &[]),
        ("node_pressure_memory_waiting_seconds_total", MetricType::Counter, &[]),
        ("node_processes_state", MetricType::Gauge, &["state"]),
        ("node_processes_threads_state", MetricType::Gauge, &["thread_state"]),
        ("node_processes_threads", MetricType::Gauge, &[]),
        ("node_processes_pids", MetricType::Gauge, &[]),
        ("node_processes_max_processes", MetricType::Gauge, &[]),
        ("node_processes_max_threads", MetricType::Gauge, &[]),
        ("system_cpu_usage_percent", MetricType::Gauge, &[]),
        ("system_memory_usage_percent", MetricType::Gauge, &[]),
        ("system_swap_usage_percent", MetricType::Gauge, &[]),
        ("system_disk_usage_percent", MetricType::Gauge, &["mountpoint"]),
        ("system_processes_count", MetricType::Gauge, &[]),
        ("system_memory_available_bytes", MetricType::Gauge, &[]),
        ("system_load1", MetricType::Gauge, &[]),
    ];

    #[test]
    fn every_collector_runs_on_the_fixture_tree() {
        let config = fixture_config();
        let mut collectors = build(&config).unwrap();
        let names: Vec<&str> = collectors.iter().map(|c| c.name()).collect();
        assert_eq!(names, LOCAL_NAMES);
        let mut batch = Batch::new();
        for collector in &mut collectors {
            let name = collector.name();
            collector
                .collect(&mut batch)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let families: BTreeMap<&str, _> = batch
            .families()
            .iter()
            .map(|f| (f.name.as_str(), f))
            .collect();
        for (name, kind, labels) in EXPECTED {
            let family = families
                .get(name)
                .unwrap_or_else(|| panic!("missing {name}"));
            assert_eq!(family.kind, *kind, "{name}");
            let got: Vec<&str> = family.samples[0].labels.iter().map(|(k, _)| k).collect();
            assert_eq!(got, *labels, "{name}");
            assert!(!family.help.is_empty(), "{name}");
        }
        let mounts: Vec<(&str, f64)> = families["node_filesystem_device_error"]
            .samples
            .iter()
            .map(|s| (s.labels.get("mountpoint").unwrap_or(""), s.value))
            .collect();
        assert_eq!(mounts, [("/", 0.0), ("/etc", 0.0), ("/missing", 1.0)]);
        let disks = &families["node_disk_reads_completed_total"].samples;
        assert!(
            disks
                .iter()
                .all(|s| !s.labels.get("device").unwrap_or("").starts_with("loop"))
        );
    }

    /// Sanity check on the real host: `cargo test --lib real_host_output -- --ignored --nocapture`
    /// prints the text exposition of every local collector.
    #[test]
    #[ignore]
    fn real_host_output() {
        let config = HostConfig {
            disable: network::NETWORK_NAMES
                .iter()
                .map(|n| n.to_string())
                .collect(),
            ..HostConfig::default()
        };
        let mut batch = Batch::new();
        for collector in &mut build(&config).unwrap() {
            collector.collect(&mut batch).unwrap();
        }
        let mut out = String::new();
        crate::metrics::encode_families(batch.families(), &mut out);
        assert!(out.contains("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"));
        println!("{out}");
    }

    #[test]
    fn disabled_collectors_are_not_built() {
        let mut config = fixture_config();
        config.disable.push("cpu".into());
        config.disable.push("system".into());
        let names: Vec<&str> = build(&config).unwrap().iter().map(|c| c.name()).collect();
        assert!(!names.contains(&"cpu") && !names.contains(&"system"));
        assert_eq!(names.len(), LOCAL_NAMES.len() - 2);
        config.enabled = false;
        assert!(build(&config).unwrap().is_empty());
    }

    #[test]
    fn a_bad_exclusion_regex_is_a_build_error() {
        let mut config = fixture_config();
        config.diskstats.device_exclude = "(".into();
        let err = build(&config).err().unwrap_or_default();
        assert!(err.contains("device_exclude"), "{err}");
    }
}
