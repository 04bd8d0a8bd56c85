//! The golden shape of `/metrics`: `tests/golden/metrics_shape.txt` lists every family as
//! `name type label1,label2`. Regenerate it from the live output with
//! `WATCHPOST_UPDATE_GOLDEN=1 scripts/test.sh golden` and review the diff.
//!
//! What is compared:
//! - every family in [`ALWAYS_ON_LINUX`] must be live and match its golden line exactly;
//! - every other golden family that is live must match its golden line (type and labels);
//! - every live family must be in the golden file, except those under
//!   [`MACHINE_DEPENDENT_PREFIXES`], whose presence depends on the kernel and hardware (PSI,
//!   disk devices, the kernel's meminfo/vmstat/netstat fields, hwmon, swap): their shape is
//!   still checked whenever both sides have them.

use crate::exposition::{FamilyShape, parse_golden, shapes};
use crate::support::Watchpost;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Families every Linux host produces; missing one is a bug, not a machine difference.
const ALWAYS_ON_LINUX: &[&str] = &[
    "node_boot_time_seconds",
    "node_context_switches_total",
    "node_cpu_seconds_total",
    "node_filefd_allocated",
    "node_filefd_maximum",
    "node_filesystem_avail_bytes",
    "node_filesystem_files",
    "node_filesystem_files_free",
    "node_filesystem_free_bytes",
    "node_filesystem_readonly",
    "node_filesystem_size_bytes",
    "node_forks_total",
    "node_intr_total",
    "node_load1",
    "node_load15",
    "node_load5",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemFree_bytes",
    "node_memory_MemTotal_bytes",
    "node_network_receive_bytes_total",
    "node_network_transmit_bytes_total",
    "node_network_up",
    "node_procs_blocked",
    "node_procs_running",
    "node_time_seconds",
    "node_uname_info",
    "system_cpu_usage_percent",
    "system_disk_usage_percent",
    "system_memory_usage_percent",
    "system_processes_count",
    "watchpost_build_info",
    "watchpost_scrape_collector_duration_seconds",
    "watchpost_scrape_collector_success",
];

/// Families whose presence varies between machines (see the module doc).
const MACHINE_DEPENDENT_PREFIXES: &[&str] = &[
    "node_pressure_",           // PSI: kernels with CONFIG_PSI only
    "node_disk_",               // block devices; discard/flush fields by kernel version
    "node_memory_",             // /proc/meminfo fields differ between kernels
    "node_vmstat_",             // /proc/vmstat fields differ between kernels
    "node_netstat_",            // /proc/net/{netstat,snmp,snmp6}: IPv6, loaded protocols
    "node_sockstat_",           // /proc/net/sockstat{,6}: IPv6, loaded protocols
    "node_softnet_",            // /proc/net/softnet_stat columns by kernel version
    "node_network_",            // /sys/class/net attributes by driver
    "node_nf_conntrack_",       // only with the nf_conntrack module loaded
    "node_arp_",                // only while the ARP table has entries
    "node_hwmon_",              // sensors: absent in VMs
    "node_cpu_frequency_",      // cpufreq: absent in most VMs
    "node_cpu_scaling_",        // cpufreq governor
    "node_cpu_core_throttles_", // thermal_throttle sysfs: bare metal only
    "node_cpu_package_throttles_",
    "node_cpu_isolated",      // only with isolcpus= on the kernel command line
    "node_time_clocksource_", // clocksource sysfs
    "system_swap_",           // machines without swap
];

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/metrics_shape.txt")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_shape_matches_golden_file() {
    let watchpost = Watchpost::start();
    watchpost.wait_ready().await;
    let live = shapes(&watchpost.get_text("/metrics").await);
    if std::env::var("WATCHPOST_UPDATE_GOLDEN").as_deref() == Ok("1") {
        write_golden(&live);
        return;
    }
    let text = std::fs::read_to_string(golden_path()).unwrap_or_else(|error| {
        panic!(
            "{}: {error}; create it with WATCHPOST_UPDATE_GOLDEN=1",
            golden_path().display()
        )
    });
    let problems = compare(&parse_golden(&text), &live);
    assert!(
        problems.is_empty(),
        "/metrics shape differs from {} (if intended, regenerate with \
         WATCHPOST_UPDATE_GOLDEN=1 and review the diff):\n{}",
        golden_path().display(),
        problems.join("\n")
    );
}

/// Every difference between the golden shapes and the live ones that the rules above forbid.
fn compare(
    golden: &BTreeMap<String, FamilyShape>,
    live: &BTreeMap<String, FamilyShape>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for name in ALWAYS_ON_LINUX {
        match (golden.get(*name), live.get(*name)) {
            (None, _) => problems.push(format!("golden file lacks required family {name}")),
            (Some(_), None) => problems.push(format!("live output lacks required family {name}")),
            _ => {}
        }
    }
    for (name, expected) in golden {
        if let Some(actual) = live.get(name).filter(|actual| *actual != expected) {
            let (expected, actual) = (expected.line(name), actual.line(name));
            problems.push(format!("golden: {expected}\n  live: {actual}"));
        }
    }
    for (name, shape) in live {
        let machine_dependent = MACHINE_DEPENDENT_PREFIXES
            .iter()
            .any(|p| name.starts_with(p));
        if !golden.contains_key(name) && !machine_dependent {
            problems.push(format!(
                "new family not in golden file: {}",
                shape.line(name)
            ));
        }
    }
    problems
}

fn write_golden(live: &BTreeMap<String, FamilyShape>) {
    let mut text = String::from(
        "# The shape of watchpost's /metrics: `name type labels` per family, sorted.\n\
         # Regenerate: WATCHPOST_UPDATE_GOLDEN=1 scripts/test.sh golden (see tests/it/golden.rs)\n",
    );
    for (name, shape) in live {
        text.push_str(&shape.line(name));
        text.push('\n');
    }
    let path = golden_path();
    std::fs::create_dir_all(path.parent().expect("golden directory")).expect("create tests/golden");
    std::fs::write(&path, text).expect("write golden file");
    eprintln!("wrote {}", golden_path().display());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition::parse_golden;

    #[test]
    fn compare_flags_changed_missing_and_new_families_but_not_machine_ones() {
        let mut golden_text = String::new();
        for name in ALWAYS_ON_LINUX {
            golden_text.push_str(&format!("{name} gauge -\n"));
        }
        let golden = parse_golden(&golden_text);
        let mut live = golden.clone();
        live.remove("node_load1");
        live.get_mut("node_load5").unwrap().kind = "counter".to_string();
        live.insert(
            "node_pressure_cpu_waiting_seconds_total".into(),
            golden["node_load15"].clone(),
        );
        live.insert("watchpost_new".into(), golden["node_load15"].clone());
        let problems = compare(&golden, &live);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("live output lacks required family node_load1"));
        assert!(problems[1].contains("node_load5 counter"));
        assert!(problems[2].contains("new family not in golden file: watchpost_new"));
    }
}
