//! Configuration of the host collectors (`collectors.host` in watchpost.yml).

use crate::model::duration::serde_opt_duration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// `collectors.host`: which host collectors run, where they read from, and their filters.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HostConfig {
    /// Switches every host collector on or off.
    pub enabled: bool,
    /// Root paths of procfs, sysfs and the root filesystem (node_exporter's `--path.*`).
    pub paths: HostPaths,
    /// Host collectors to switch off, by name.
    pub disable: Vec<String>,
    /// Per-collector interval and deadline overrides, by name.
    pub overrides: BTreeMap<String, CollectorOverride>,
    /// Filesystem collector filters.
    pub filesystem: FilesystemOptions,
    /// Disk statistics collector filters.
    pub diskstats: DiskstatsOptions,
    /// Network device collector filters.
    pub netdev: NetdevOptions,
}

impl Default for HostConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            paths: HostPaths::default(),
            disable: Vec::new(),
            overrides: BTreeMap::new(),
            filesystem: FilesystemOptions::default(),
            diskstats: DiskstatsOptions::default(),
            netdev: NetdevOptions::default(),
        }
    }
}

/// Where the host collectors read from; point them at a fixture tree in tests.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HostPaths {
    /// procfs mount point (default `/proc`).
    pub procfs: PathBuf,
    /// sysfs mount point (default `/sys`).
    pub sysfs: PathBuf,
    /// The root filesystem (default `/`); mount points are read relative to it.
    pub rootfs: PathBuf,
}

impl Default for HostPaths {
    fn default() -> Self {
        Self {
            procfs: PathBuf::from("/proc"),
            sysfs: PathBuf::from("/sys"),
            rootfs: PathBuf::from("/"),
        }
    }
}

/// Interval and deadline of one collector, overriding `collectors.interval` / `.timeout`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CollectorOverride {
    /// How often the collector runs.
    #[serde(with = "serde_opt_duration", skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// How long one run may take before it counts as failed.
    #[serde(with = "serde_opt_duration", skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
}

/// node_exporter's default `--collector.filesystem.mount-points-exclude`.
pub const DEFAULT_MOUNT_POINTS_EXCLUDE: &str =
    "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
/// node_exporter's default `--collector.filesystem.fs-types-exclude`.
pub const DEFAULT_FS_TYPES_EXCLUDE: &str = "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$";
/// node_exporter's default `--collector.diskstats.device-exclude`.
pub const DEFAULT_DISK_DEVICE_EXCLUDE: &str =
    "^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";

/// Filters of the filesystem collector (regular expressions, as in node_exporter).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilesystemOptions {
    /// Mount points to skip.
    pub mount_points_exclude: String,
    /// Filesystem types to skip.
    pub fs_types_exclude: String,
}

impl Default for FilesystemOptions {
    fn default() -> Self {
        Self {
            mount_points_exclude: DEFAULT_MOUNT_POINTS_EXCLUDE.to_owned(),
            fs_types_exclude: DEFAULT_FS_TYPES_EXCLUDE.to_owned(),
        }
    }
}

/// Filters of the diskstats collector.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiskstatsOptions {
    /// Devices to skip (regular expression).
    pub device_exclude: String,
}

impl Default for DiskstatsOptions {
    fn default() -> Self {
        Self {
            device_exclude: DEFAULT_DISK_DEVICE_EXCLUDE.to_owned(),
        }
    }
}

/// Filters of the netdev collector.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetdevOptions {
    /// Devices to skip (regular expression); none by default, as in node_exporter.
    pub device_exclude: Option<String>,
}
