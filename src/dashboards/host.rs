//! The Host dashboard: uptime, CPU, memory, disk space per mount, disk I/O, network and load,
//! from the node_exporter-compatible `node_*` series (so it also works on node_exporter).

use super::panel::{Grid, Panel, query};
use super::shell::{dashboard, job_and_instance};
use super::thresholds::{RuleThresholds, steps_for};
use serde_json::Value;

/// The stable uid of the Host dashboard.
pub const UID: &str = "watchpost-host";

/// `{job=~"$job",instance=~"$instance"}` plus `extra` matchers.
fn sel(extra: &str) -> String {
    let base = "job=~\"$job\",instance=~\"$instance\"";
    if extra.is_empty() {
        format!("{{{base}}}")
    } else {
        format!("{{{extra},{base}}}")
    }
}

/// Filesystems shown (the bundled disk rule leaves out the same pseudo filesystems).
const REAL_FS: &str = "fstype!~\"tmpfs|ramfs|squashfs|overlay\"";

/// Builds the Host dashboard.
pub fn build(rules: &[RuleThresholds]) -> Value {
    let mut grid = Grid::default();
    grid.row("Overview");
    let uptime = format!("time() - node_boot_time_seconds{}", sel(""));
    grid.place(
        &Panel::new("stat", "Uptime", "s", vec![query(uptime, "{{instance}}")]),
        6,
        4,
    );
    let cores = format!(
        "count by (instance) (node_cpu_seconds_total{})",
        sel("mode=\"idle\"")
    );
    grid.place(
        &Panel::new(
            "stat",
            "CPU cores",
            "short",
            vec![query(cores, "{{instance}}")],
        ),
        6,
        4,
    );
    let total = format!("node_memory_MemTotal_bytes{}", sel(""));
    grid.place(
        &Panel::new(
            "stat",
            "Memory",
            "bytes",
            vec![query(total, "{{instance}}")],
        ),
        6,
        4,
    );
    let load = format!("node_load1{}", sel(""));
    grid.place(
        &Panel::new(
            "stat",
            "Load (1m)",
            "short",
            vec![query(load, "{{instance}}")],
        ),
        6,
        4,
    );

    grid.row("CPU and memory");
    let busy = format!(
        "100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{}[$__rate_interval])))",
        sel("mode=\"idle\"")
    );
    let cpu = Panel::new(
        "timeseries",
        "CPU busy",
        "percent",
        vec![query(busy, "{{instance}}")],
    )
    .describe("Share of CPU time not idle, all cores.")
    .thresholds(steps_for(
        rules,
        &["system_cpu_usage_percent", "node_cpu_seconds_total"],
    ));
    grid.place(&cpu, 12, 8);
    let modes = format!(
        "sum by (instance, mode) (rate(node_cpu_seconds_total{}[$__rate_interval]))",
        sel("mode!=\"idle\"")
    );
    let by_mode = Panel::new(
        "timeseries",
        "CPU by mode",
        "short",
        vec![query(modes, "{{mode}}")],
    )
    .describe("Cores busy per mode (seconds of CPU per second).");
    grid.place(&by_mode, 12, 8);
    let used = format!(
        "100 * (1 - node_memory_MemAvailable_bytes{s} / node_memory_MemTotal_bytes{s})",
        s = sel("")
    );
    let memory = Panel::new(
        "timeseries",
        "Memory used",
        "percent",
        vec![query(used, "{{instance}}")],
    )
    .thresholds(steps_for(
        rules,
        &[
            "system_memory_usage_percent",
            "node_memory_MemAvailable_bytes",
        ],
    ));
    grid.place(&memory, 12, 8);
    let memory_parts = vec![
        query(format!("node_memory_MemTotal_bytes{}", sel("")), "total"),
        query(
            format!("node_memory_MemAvailable_bytes{}", sel("")),
            "available",
        ),
        query(format!("node_memory_Cached_bytes{}", sel("")), "cached"),
        query(format!("node_memory_Buffers_bytes{}", sel("")), "buffers"),
    ];
    grid.place(
        &Panel::new("timeseries", "Memory", "bytes", memory_parts),
        12,
        8,
    );

    grid.row("Disk");
    let full = format!(
        "100 * (1 - node_filesystem_avail_bytes{s} / node_filesystem_size_bytes{s})",
        s = sel(REAL_FS)
    );
    let disk = Panel::new(
        "timeseries",
        "Disk space used per mount",
        "percent",
        vec![query(full, "{{mountpoint}}")],
    )
    .thresholds(steps_for(
        rules,
        &["node_filesystem_avail_bytes", "system_disk_usage_percent"],
    ));
    grid.place(&disk, 12, 8);
    let io = vec![
        query(
            format!(
                "sum by (instance, device) (rate(node_disk_read_bytes_total{}[$__rate_interval]))",
                sel("")
            ),
            "{{device}} read",
        ),
        query(
            format!(
                "sum by (instance, device) (rate(node_disk_written_bytes_total{}[$__rate_interval]))",
                sel("")
            ),
            "{{device}} written",
        ),
    ];
    grid.place(&Panel::new("timeseries", "Disk I/O", "Bps", io), 12, 8);

    grid.row("Network and load");
    let network = vec![
        query(
            format!(
                "rate(node_network_receive_bytes_total{}[$__rate_interval])",
                sel("")
            ),
            "{{device}} received",
        ),
        query(
            format!(
                "rate(node_network_transmit_bytes_total{}[$__rate_interval])",
                sel("")
            ),
            "{{device}} sent",
        ),
    ];
    grid.place(
        &Panel::new("timeseries", "Network traffic", "Bps", network),
        12,
        8,
    );
    let loads = vec![
        query(format!("node_load1{}", sel("")), "1m"),
        query(format!("node_load5{}", sel("")), "5m"),
        query(format!("node_load15{}", sel("")), "15m"),
    ];
    grid.place(
        &Panel::new("timeseries", "Load average", "short", loads),
        6,
        8,
    );
    let per_core = format!(
        "node_load5{} / count by (instance, job) (node_cpu_seconds_total{})",
        sel(""),
        sel("mode=\"idle\"")
    );
    let per_core = Panel::new(
        "timeseries",
        "Load (5m) per core",
        "short",
        vec![query(per_core, "{{instance}}")],
    )
    .thresholds(steps_for(rules, &["node_load5"]));
    grid.place(&per_core, 6, 8);

    dashboard(
        UID,
        "watchpost / Host",
        "Host metrics of every watchpost (or node_exporter) target.",
        job_and_instance("node_uname_info"),
        grid.into_panels(),
    )
}
