//! The `filesystem` collector: `node_filesystem_{size,free,avail}_bytes`, `_files`,
//! `_files_free`, `_readonly` and `_device_error`, labelled `{device,mountpoint,fstype}`.
//!
//! Mount selection, exclusions, deduplication and `statvfs` live in `mounts` (shared with the
//! `system` collector); see there for how a hung mount is handled.

use super::HostConfig;
use super::mounts::{FsUsage, MountFilter, filesystem_usages};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::PathBuf;

/// Exports filesystem space and inode figures per mount.
pub struct FilesystemCollector {
    procfs: PathBuf,
    rootfs: PathBuf,
    filter: MountFilter,
}

impl FilesystemCollector {
    /// A collector with the configured paths and exclusions.
    pub fn new(config: &HostConfig) -> Result<Self, String> {
        Ok(Self {
            procfs: config.paths.procfs.clone(),
            rootfs: config.paths.rootfs.clone(),
            filter: MountFilter::new(&config.filesystem)?,
        })
    }
}

impl Collector for FilesystemCollector {
    fn name(&self) -> &'static str {
        "filesystem"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        for usage in filesystem_usages(&self.procfs, &self.rootfs, &self.filter)? {
            write_usage(&usage, batch);
        }
        Ok(())
    }
}

fn write_usage(usage: &FsUsage, batch: &mut Batch) {
    let m = &usage.mount;
    let labels = [
        ("device", m.device.as_str()),
        ("mountpoint", m.mount_point.as_str()),
        ("fstype", m.fs_type.as_str()),
    ];
    batch.gauge(
        "node_filesystem_device_error",
        "Whether an error occurred while getting statistics for the given device.",
        &labels,
        if usage.stats.is_err() { 1.0 } else { 0.0 },
    );
    batch.gauge(
        "node_filesystem_readonly",
        "Filesystem read-only status.",
        &labels,
        if usage.readonly { 1.0 } else { 0.0 },
    );
    let Ok(stats) = &usage.stats else { return };
    let gauges = [
        (
            "node_filesystem_size_bytes",
            "Filesystem size in bytes.",
            stats.size,
        ),
        (
            "node_filesystem_free_bytes",
            "Filesystem free space in bytes.",
            stats.free,
        ),
        (
            "node_filesystem_avail_bytes",
            "Filesystem space available to non-root users in bytes.",
            stats.avail,
        ),
        (
            "node_filesystem_files",
            "Filesystem total file nodes.",
            stats.files,
        ),
        (
            "node_filesystem_files_free",
            "Filesystem total free file nodes.",
            stats.files_free,
        ),
    ];
    for (name, help, value) in gauges {
        batch.gauge(name, help, &labels, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::host::mounts::{FsStats, MountEntry};

    fn mount(point: &str) -> MountEntry {
        MountEntry {
            device: "/dev/vda".into(),
            mount_point: point.into(),
            fs_type: "ext4".into(),
            options: "rw".into(),
        }
    }

    #[test]
    fn a_failed_mount_reports_only_error_and_readonly() {
        let mut batch = Batch::new();
        let failed = FsUsage {
            mount: mount("/gone"),
            readonly: false,
            stats: Err("no such file".into()),
        };
        write_usage(&failed, &mut batch);
        let names: Vec<&str> = batch.families().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["node_filesystem_device_error", "node_filesystem_readonly"]
        );
        assert_eq!(batch.families()[0].samples[0].value, 1.0);
    }

    #[test]
    fn a_good_mount_reports_seven_families_with_labels() {
        let mut batch = Batch::new();
        let stats = FsStats {
            size: 100.0,
            free: 40.0,
            avail: 30.0,
            files: 10.0,
            files_free: 5.0,
        };
        let good = FsUsage {
            mount: mount("/"),
            readonly: true,
            stats: Ok(stats),
        };
        write_usage(&good, &mut batch);
        assert_eq!(batch.families().len(), 7);
        let avail = &batch.families()[4];
        assert_eq!(avail.name, "node_filesystem_avail_bytes");
        assert_eq!(avail.samples[0].value, 30.0);
        assert_eq!(avail.samples[0].labels.get("mountpoint"), Some("/"));
        assert_eq!(avail.samples[0].labels.get("fstype"), Some("ext4"));
    }
}
