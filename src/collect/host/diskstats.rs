//! The `diskstats` collector: `node_disk_*{device}` from `/proc/diskstats`, with node_exporter's
//! names, HELP texts and units (sectors of 512 bytes, milliseconds to seconds) and its default
//! device exclusion (`collectors.host.diskstats.device_exclude`). Discard and flush series appear
//! only when the kernel reports those columns (4.18+ and 5.5+). The info series are in
//! `disk_info`.

use super::HostConfig;
use super::disk_info::{DiskInfoSource, write_disk_info};
use super::read::{parse_u64, read_file};
use crate::collect::{CollectError, Collector};
use crate::metrics::{Batch, MetricType};
use regex::Regex;
use std::path::PathBuf;

/// Bytes per diskstats sector (always 512, whatever the device's block size).
const SECTOR_BYTES: f64 = 512.0;
/// Seconds per diskstats tick (milliseconds).
const SECONDS_PER_TICK: f64 = 0.001;

/// One series per diskstats column: name, HELP, type, multiplier.
const COLUMNS: [(&str, &str, MetricType, f64); 17] = [
    (
        "node_disk_reads_completed_total",
        "The total number of reads completed successfully.",
        MetricType::Counter,
        1.0,
    ),
    (
        "node_disk_reads_merged_total",
        "The total number of reads merged.",
        MetricType::Counter,
        1.0,
    ),
    (
        "node_disk_read_bytes_total",
        "The total number of bytes read successfully.",
        MetricType::Counter,
        SECTOR_BYTES,
    ),
    (
        "node_disk_read_time_seconds_total",
        "The total number of seconds spent by all reads.",
        MetricType::Counter,
        SECONDS_PER_TICK,
    ),
    (
        "node_disk_writes_completed_total",
        "The total number of writes completed successfully.",
        MetricType::Counter,
        1.0,
    ),
    (
        "node_disk_writes_merged_total",
        "The number of writes merged.",
        MetricType::Counter,
        1.0,
    ),
    (
        "node_disk_written_bytes_total",
        "The total number of bytes written successfully.",
        MetricType::Counter,
        SECTOR_BYTES,
    ),
    (
        "node_disk_write_time_seconds_total",
        "This is the total number of seconds spent by all writes.",
        MetricType::Counter,
        SECONDS_PER_TICK,
    ),
    (
        "node_disk_io_now",
        "The number of I/Os currently in progress.",
        MetricType::Gauge,
        1.0,
    ),
    (
        "node_disk_io_time_seconds_total",
        "Total seconds spent doing I/Os.",
        MetricType::Counter,
        SECONDS_PER_TICK,
    ),
    (
        "node_disk_io_time_weighted_seconds_total",
        "The weighted # of seconds spent doing I/Os.",
        MetricType::Counter,
        SECONDS_PER_TICK,
    ),
    (
        "node_disk_discards_completed_total",
        "The total number of discards completed successfully.",
        MetricType::Counter,
        1.0,
    ),
    (
        "node_disk_discards_merged_total",
        "The total number of discards merged.",
        MetricType::Counter,
        1.0,
    ),
    (
        "node_disk_discarded_sectors_total",
        "The total number of sectors discarded successfully.",
        MetricType::Counter,
        1.0,
    ),
    (
        "node_disk_discard_time_seconds_total",
        "This is the total number of seconds spent by all discards.",
        MetricType::Counter,
        SECONDS_PER_TICK,
    ),
    (
        "node_disk_flush_requests_total",
        "The total number of flush requests completed successfully",
        MetricType::Counter,
        1.0,
    ),
    (
        "node_disk_flush_requests_time_seconds_total",
        "This is the total number of seconds spent by all flush requests.",
        MetricType::Counter,
        SECONDS_PER_TICK,
    ),
];

/// One `/proc/diskstats` line: device name and its raw columns (up to 17).
#[derive(Clone, Debug, PartialEq)]
pub struct DiskLine {
    /// The major device number.
    pub major: u64,
    /// The minor device number.
    pub minor: u64,
    /// The device name (`vda`, `nvme0n1`, `dm-0`).
    pub device: String,
    /// The raw counters after the name, as many as the kernel wrote.
    pub columns: Vec<u64>,
}

/// Parses `/proc/diskstats`; lines with fewer than the 11 classic columns are errors.
pub fn parse_diskstats(source: &str, text: &str) -> Result<Vec<DiskLine>, CollectError> {
    let mut out = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_ascii_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        if fields.len() < 14 {
            return Err(CollectError::parse(source, format!("short line {line:?}")));
        }
        let device = fields[2];
        let columns = fields[3..]
            .iter()
            .take(COLUMNS.len())
            .map(|f| parse_u64(source, device, f))
            .collect::<Result<Vec<u64>, _>>()?;
        out.push(DiskLine {
            major: parse_u64(source, "major", fields[0])?,
            minor: parse_u64(source, "minor", fields[1])?,
            device: device.to_owned(),
            columns,
        });
    }
    Ok(out)
}

/// Exports per-device I/O counters.
pub struct DiskstatsCollector {
    path: PathBuf,
    sysfs: PathBuf,
    rootfs: PathBuf,
    exclude: Regex,
}

impl DiskstatsCollector {
    /// A collector reading `<procfs>/diskstats`, skipping devices `device_exclude` matches.
    pub fn new(config: &HostConfig) -> Result<Self, String> {
        let pattern = &config.diskstats.device_exclude;
        let exclude = Regex::new(pattern)
            .map_err(|e| format!("diskstats device_exclude {pattern:?}: {e}"))?;
        Ok(Self {
            path: config.paths.procfs.join("diskstats"),
            sysfs: config.paths.sysfs.clone(),
            rootfs: config.paths.rootfs.clone(),
            exclude,
        })
    }
}

impl Collector for DiskstatsCollector {
    fn name(&self) -> &'static str {
        "diskstats"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let text = read_file(&self.path)?;
        let info = DiskInfoSource {
            sysfs: &self.sysfs,
            rootfs: &self.rootfs,
        };
        for disk in parse_diskstats(&self.path.display().to_string(), &text)? {
            if self.exclude.is_match(&disk.device) {
                continue;
            }
            let udev = info.udev(disk.major, disk.minor)?;
            let rotational = info.rotational(&disk.device)?;
            write_disk_info(
                &disk.device,
                disk.major,
                disk.minor,
                &rotational,
                &udev,
                batch,
            );
            write_disk(&disk, batch);
        }
        Ok(())
    }
}

fn write_disk(disk: &DiskLine, batch: &mut Batch) {
    let labels = [("device", disk.device.as_str())];
    for ((name, help, kind, scale), raw) in COLUMNS.iter().zip(&disk.columns) {
        let value = *raw as f64 * scale;
        match kind {
            MetricType::Gauge => batch.gauge(name, help, &labels, value),
            _ => batch.counter(name, help, &labels, value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::host::config::DEFAULT_DISK_DEVICE_EXCLUDE;

    const SAMPLE: &str = "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 254       0 vda 57581 7890 4416250 63631 9980 38826 12870632 104429 0 18144 171570 5956 86 726072 2920 618 588
 254       1 vda1 100 0 800 10 0 0 0 0 0 5 10
 253       0 dm-0 10 0 80 1 2 0 16 3 0 4 4
";

    #[test]
    fn parses_old_and_new_column_counts() {
        let disks = parse_diskstats("diskstats", SAMPLE).unwrap();
        assert_eq!(disks.len(), 4);
        assert_eq!(disks[1].columns.len(), 17);
        assert_eq!(disks[2].columns.len(), 11);
        assert_eq!((disks[1].major, disks[1].minor), (254, 0));
    }

    #[test]
    fn default_exclusion_drops_loop_and_partitions() {
        let re = Regex::new(DEFAULT_DISK_DEVICE_EXCLUDE).unwrap();
        let kept: Vec<String> = parse_diskstats("diskstats", SAMPLE)
            .unwrap()
            .into_iter()
            .filter(|d| !re.is_match(&d.device))
            .map(|d| d.device)
            .collect();
        assert_eq!(kept, ["vda", "dm-0"]);
    }

    #[test]
    fn converts_units_and_limits_series_to_present_columns() {
        let disks = parse_diskstats("diskstats", SAMPLE).unwrap();
        let mut batch = Batch::new();
        write_disk(&disks[1], &mut batch);
        assert_eq!(batch.families().len(), 17);
        let read_bytes = &batch.families()[2];
        assert_eq!(read_bytes.name, "node_disk_read_bytes_total");
        assert_eq!(read_bytes.samples[0].value, 4416250.0 * 512.0);
        assert_eq!(batch.families()[3].samples[0].value, 63.631);
        assert_eq!(batch.families()[8].kind, MetricType::Gauge);
        let mut old = Batch::new();
        write_disk(&disks[3], &mut old);
        assert_eq!(old.families().len(), 11);
    }

    #[test]
    fn short_line_is_an_error() {
        assert!(parse_diskstats("diskstats", "8 0 sda 1 2 3\n").is_err());
    }
}
