//! The per-device info series of the `diskstats` collector, as node_exporter's:
//! `node_disk_info` (major/minor from `/proc/diskstats`, rotational from
//! `<sysfs>/block/<dev>/queue/rotational`, the rest from udev's database
//! `<rootfs>/run/udev/data/b<major>:<minor>`), and, where udev knows them,
//! `node_disk_filesystem_info`, `node_disk_device_mapper_info` and the `node_disk_ata_*` gauges.

use super::read::read_optional;
use crate::collect::CollectError;
use crate::metrics::Batch;
use std::collections::HashMap;
use std::path::Path;

/// Parses a udev database file's `E:KEY=value` property lines.
pub fn parse_udev_properties(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("E:")?.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Where a device's info comes from.
pub struct DiskInfoSource<'a> {
    /// The sysfs root.
    pub sysfs: &'a Path,
    /// The root filesystem (udev's database lives under `run/udev/data`).
    pub rootfs: &'a Path,
}

impl DiskInfoSource<'_> {
    /// The udev properties of a block device; empty without udev.
    pub fn udev(&self, major: u64, minor: u64) -> Result<HashMap<String, String>, CollectError> {
        let path = self.rootfs.join(format!("run/udev/data/b{major}:{minor}"));
        Ok(read_optional(&path)?
            .map(|t| parse_udev_properties(&t))
            .unwrap_or_default())
    }

    /// `queue/rotational` of a device as node_exporter prints it ("0" when unknown).
    pub fn rotational(&self, device: &str) -> Result<String, CollectError> {
        let path = self.sysfs.join(format!("block/{device}/queue/rotational"));
        let text = read_optional(&path)?.unwrap_or_default();
        Ok(if text.trim() == "1" { "1" } else { "0" }.to_owned())
    }
}

/// Writes the info series of one device.
pub fn write_disk_info(
    device: &str,
    major: u64,
    minor: u64,
    rotational: &str,
    udev: &HashMap<String, String>,
    batch: &mut Batch,
) {
    let get = |key: &str| udev.get(key).map(String::as_str).unwrap_or("");
    let serial = [
        get("SCSI_IDENT_SERIAL"),
        get("ID_SERIAL_SHORT"),
        get("ID_SERIAL"),
    ]
    .into_iter()
    .find(|s| !s.is_empty())
    .unwrap_or("");
    let (major, minor) = (major.to_string(), minor.to_string());
    batch.gauge(
        "node_disk_info",
        "Info of /sys/block/<block_device>.",
        &[
            ("device", device),
            ("major", &major),
            ("minor", &minor),
            ("path", get("ID_PATH")),
            ("wwn", get("ID_WWN")),
            ("model", get("ID_MODEL")),
            ("serial", serial),
            ("revision", get("ID_REVISION")),
            ("rotational", rotational),
        ],
        1.0,
    );
    if !get("ID_FS_TYPE").is_empty() {
        batch.gauge(
            "node_disk_filesystem_info",
            "Info about disk filesystem.",
            &[
                ("device", device),
                ("type", get("ID_FS_TYPE")),
                ("usage", get("ID_FS_USAGE")),
                ("uuid", get("ID_FS_UUID")),
                ("version", get("ID_FS_VERSION")),
            ],
            1.0,
        );
    }
    if !get("DM_NAME").is_empty() {
        batch.gauge(
            "node_disk_device_mapper_info",
            "Info about disk device mapper.",
            &[
                ("device", device),
                ("name", get("DM_NAME")),
                ("uuid", get("DM_UUID")),
                ("vg_name", get("DM_VG_NAME")),
                ("lv_name", get("DM_LV_NAME")),
                ("lv_layer", get("DM_LV_LAYER")),
            ],
            1.0,
        );
    }
    if !get("ID_ATA").is_empty() {
        write_ata(device, udev, batch);
    }
}

fn write_ata(device: &str, udev: &HashMap<String, String>, batch: &mut Batch) {
    let gauges = [
        (
            "ID_ATA_WRITE_CACHE",
            "node_disk_ata_write_cache",
            "ATA disk has a write cache.",
        ),
        (
            "ID_ATA_WRITE_CACHE_ENABLED",
            "node_disk_ata_write_cache_enabled",
            "ATA disk has its write cache enabled.",
        ),
        (
            "ID_ATA_ROTATION_RATE_RPM",
            "node_disk_ata_rotation_rate_rpm",
            "ATA disk rotation rate in RPMs (0 for SSDs).",
        ),
    ];
    for (key, name, help) in gauges {
        if let Some(value) = udev.get(key).and_then(|v| v.parse::<f64>().ok()) {
            batch.gauge(name, help, &[("device", device)], value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UDEV: &str = "S:disk/by-id/ata-Samsung_SSD
E:ID_ATA=1
E:ID_ATA_WRITE_CACHE=1
E:ID_ATA_ROTATION_RATE_RPM=0
E:ID_MODEL=Samsung_SSD_860
E:ID_SERIAL=Samsung_SSD_860_S3Z
E:ID_SERIAL_SHORT=S3Z
E:ID_FS_TYPE=ext4
E:ID_FS_UUID=1234
";

    #[test]
    fn parses_only_property_lines() {
        let props = parse_udev_properties(UDEV);
        assert_eq!(props.len(), 8);
        assert_eq!(props["ID_MODEL"], "Samsung_SSD_860");
    }

    #[test]
    fn writes_info_filesystem_and_ata_series() {
        let mut batch = Batch::new();
        write_disk_info("sda", 8, 0, "0", &parse_udev_properties(UDEV), &mut batch);
        let names: Vec<&str> = batch.families().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "node_disk_info",
                "node_disk_filesystem_info",
                "node_disk_ata_write_cache",
                "node_disk_ata_rotation_rate_rpm"
            ]
        );
        let info = &batch.families()[0].samples[0].labels;
        assert_eq!(info.get("serial"), Some("S3Z"));
        assert_eq!(info.get("major"), Some("8"));
        assert_eq!(info.len(), 9);
    }

    #[test]
    fn without_udev_only_the_info_series_appears() {
        let mut batch = Batch::new();
        write_disk_info("vda", 254, 0, "1", &HashMap::new(), &mut batch);
        assert_eq!(batch.families().len(), 1);
        assert_eq!(
            batch.families()[0].samples[0].labels.get("rotational"),
            Some("1")
        );
    }
}
