//! Mount table parsing, node_exporter's mount-point / fs-type exclusions, and `statvfs` of each
//! kept mount: shared by the `filesystem` collector and `system_disk_usage_percent`.
//!
//! The mount table is `<procfs>/1/mounts` (the host's view when watchpost runs in a container
//! with the host's /proc), falling back to `<procfs>/mounts`. Mount points are reported without
//! the `rootfs` prefix and stat'ed at `rootfs` joined with the mount point.
//!
//! A `statvfs` on a hung network mount blocks in the kernel and cannot be cancelled. Unlike
//! node_exporter (which marks such mounts stuck after 5 s and skips them), watchpost relies on the
//! scheduler's per-collector deadline: the run is reported failed, its last good snapshot kept,
//! and later ticks are skipped while the stuck run is still in flight.

use super::config::FilesystemOptions;
use super::read::{is_absent, read_file};
use crate::collect::CollectError;
use regex::Regex;
use rustix::fs::StatVfsMountFlags;
use std::collections::HashSet;
use std::path::Path;

/// One line of a mounts file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MountEntry {
    /// The mounted device (`/dev/vda`, `tmpfs`, ...).
    pub device: String,
    /// Where it is mounted, with octal escapes (`\040`) decoded.
    pub mount_point: String,
    /// The filesystem type.
    pub fs_type: String,
    /// The comma-separated mount options.
    pub options: String,
}

/// Decodes the kernel's octal escapes in mounts fields (`\040` space, `\011` tab, ...).
fn unescape_octal(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match escape {
            Some(d) => {
                let value =
                    (d[0] - b'0') as u32 * 64 + (d[1] - b'0') as u32 * 8 + (d[2] - b'0') as u32;
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses a mounts file; lines with fewer than four fields are skipped.
pub fn parse_mounts(text: &str) -> Vec<MountEntry> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_ascii_whitespace().collect();
            let [device, mount_point, fs_type, options, ..] = fields.as_slice() else {
                return None;
            };
            Some(MountEntry {
                device: unescape_octal(device),
                mount_point: unescape_octal(mount_point),
                fs_type: (*fs_type).to_owned(),
                options: (*options).to_owned(),
            })
        })
        .collect()
}

/// Reads `<procfs>/1/mounts`, or `<procfs>/mounts` when the former is unreadable.
pub fn read_mounts(procfs: &Path) -> Result<Vec<MountEntry>, CollectError> {
    let primary = procfs.join("1/mounts");
    match std::fs::read_to_string(&primary) {
        Ok(text) => Ok(parse_mounts(&text)),
        Err(e) if is_absent(&e) || e.kind() == std::io::ErrorKind::PermissionDenied => {
            Ok(parse_mounts(&read_file(&procfs.join("mounts"))?))
        }
        Err(e) => Err(CollectError::io(primary.display().to_string(), e)),
    }
}

/// The compiled exclusion filters.
pub struct MountFilter {
    mount_points_exclude: Regex,
    fs_types_exclude: Regex,
}

impl MountFilter {
    /// Compiles the configured exclusions.
    pub fn new(options: &FilesystemOptions) -> Result<Self, String> {
        let compile = |what: &str, pattern: &str| {
            Regex::new(pattern).map_err(|e| format!("filesystem {what} {pattern:?}: {e}"))
        };
        Ok(Self {
            mount_points_exclude: compile("mount_points_exclude", &options.mount_points_exclude)?,
            fs_types_exclude: compile("fs_types_exclude", &options.fs_types_exclude)?,
        })
    }

    /// True when neither the mount point nor the fs type is excluded.
    pub fn wanted(&self, mount: &MountEntry) -> bool {
        !self.mount_points_exclude.is_match(&mount.mount_point)
            && !self.fs_types_exclude.is_match(&mount.fs_type)
    }
}

/// Removes the `rootfs` prefix from a mount point, as node_exporter's `rootfsStripPrefix`.
pub fn strip_rootfs(rootfs: &Path, mount_point: &str) -> String {
    let root = rootfs.to_string_lossy();
    let root = root.trim_end_matches('/');
    if root.is_empty() {
        return mount_point.to_owned();
    }
    match mount_point.strip_prefix(root) {
        Some("") => "/".to_owned(),
        Some(rest) if rest.starts_with('/') => rest.to_owned(),
        _ => mount_point.to_owned(),
    }
}

/// Filters, strips the rootfs prefix, and drops repeated (device, mount point, fs type).
pub fn select_mounts(
    mounts: Vec<MountEntry>,
    filter: &MountFilter,
    rootfs: &Path,
) -> Vec<MountEntry> {
    let mut seen = HashSet::new();
    mounts
        .into_iter()
        .map(|mut m| {
            m.mount_point = strip_rootfs(rootfs, &m.mount_point);
            m
        })
        .filter(|m| filter.wanted(m))
        .filter(|m| seen.insert((m.device.clone(), m.mount_point.clone(), m.fs_type.clone())))
        .collect()
}

/// Space and inode figures of one filesystem, in bytes and counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FsStats {
    /// Total size (`f_blocks * f_frsize`).
    pub size: f64,
    /// Free including root-reserved (`f_bfree`).
    pub free: f64,
    /// Available to unprivileged users (`f_bavail`).
    pub avail: f64,
    /// Total inodes.
    pub files: f64,
    /// Free inodes.
    pub files_free: f64,
}

/// One kept mount and what `statvfs` said about it.
#[derive(Clone, Debug)]
pub struct FsUsage {
    /// The mount (mount point without the rootfs prefix).
    pub mount: MountEntry,
    /// Mounted read-only (options or statvfs flags).
    pub readonly: bool,
    /// The figures, or the statvfs error text.
    pub stats: Result<FsStats, String>,
}

/// `statvfs` of every selected mount, at `rootfs` joined with its mount point.
pub fn filesystem_usages(
    procfs: &Path,
    rootfs: &Path,
    filter: &MountFilter,
) -> Result<Vec<FsUsage>, CollectError> {
    let mounts = select_mounts(read_mounts(procfs)?, filter, rootfs);
    Ok(mounts.into_iter().map(|m| stat_mount(rootfs, m)).collect())
}

fn stat_mount(rootfs: &Path, mount: MountEntry) -> FsUsage {
    let target = rootfs.join(mount.mount_point.trim_start_matches('/'));
    let ro_option = mount.options.split(',').any(|o| o == "ro");
    match rustix::fs::statvfs(&target) {
        Ok(vfs) => {
            let unit = if vfs.f_frsize > 0 {
                vfs.f_frsize
            } else {
                vfs.f_bsize
            } as f64;
            FsUsage {
                readonly: ro_option || vfs.f_flag.contains(StatVfsMountFlags::RDONLY),
                stats: Ok(FsStats {
                    size: vfs.f_blocks as f64 * unit,
                    free: vfs.f_bfree as f64 * unit,
                    avail: vfs.f_bavail as f64 * unit,
                    files: vfs.f_files as f64,
                    files_free: vfs.f_ffree as f64,
                }),
                mount,
            }
        }
        Err(e) => FsUsage {
            readonly: ro_option,
            stats: Err(e.to_string()),
            mount,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: &str = "proc /proc proc rw,relatime 0 0
/dev/vda / ext4 rw,relatime,discard 0 0
tmpfs /dev/shm tmpfs rw,relatime 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
/dev/vdb /mnt/my\\040disk ext4 ro,relatime 0 0
/dev/vda / ext4 rw,relatime,discard 0 0
overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0
tmpfs /run tmpfs rw,nosuid 0 0
";

    fn default_filter() -> MountFilter {
        MountFilter::new(&FilesystemOptions::default()).unwrap()
    }

    #[test]
    fn parses_and_unescapes_mount_points() {
        let mounts = parse_mounts(MOUNTS);
        assert_eq!(mounts.len(), 8);
        assert_eq!(mounts[4].mount_point, "/mnt/my disk");
        assert_eq!(mounts[4].options, "ro,relatime");
        assert_eq!(unescape_octal("a\\011b\\134c"), "a\tb\\c");
    }

    #[test]
    fn default_exclusions_and_dedup_match_node_exporter() {
        let kept = select_mounts(parse_mounts(MOUNTS), &default_filter(), Path::new("/"));
        let points: Vec<&str> = kept.iter().map(|m| m.mount_point.as_str()).collect();
        assert_eq!(points, ["/", "/mnt/my disk", "/run"]);
    }

    #[test]
    fn rootfs_prefix_is_stripped() {
        assert_eq!(strip_rootfs(Path::new("/host"), "/host/boot"), "/boot");
        assert_eq!(strip_rootfs(Path::new("/host"), "/host"), "/");
        assert_eq!(strip_rootfs(Path::new("/host"), "/hostile"), "/hostile");
        assert_eq!(strip_rootfs(Path::new("/"), "/boot"), "/boot");
    }

    #[test]
    fn statvfs_of_root_and_of_a_missing_mount() {
        let root = MountEntry {
            device: "/dev/root".into(),
            mount_point: "/".into(),
            fs_type: "ext4".into(),
            options: "rw".into(),
        };
        let ok = stat_mount(Path::new("/"), root.clone());
        assert!(ok.stats.as_ref().is_ok_and(|s| s.size > 0.0));
        let missing = MountEntry {
            mount_point: "/nonexistent-watchpost-mount".into(),
            options: "ro".into(),
            ..root
        };
        let failed = stat_mount(Path::new("/"), missing);
        assert!(failed.stats.is_err());
        assert!(failed.readonly);
    }
}
