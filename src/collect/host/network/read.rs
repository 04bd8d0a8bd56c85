//! File access shared by the network collectors: absent files are `None`, not errors; sysfs
//! attributes the driver refuses to report (EINVAL, EOPNOTSUPP, ...) are `None` too.

use crate::collect::CollectError;
use std::io::ErrorKind;
use std::path::Path;

/// Reads a whole procfs file; `Ok(None)` when it does not exist.
pub(super) fn read_optional(path: &Path) -> Result<Option<String>, CollectError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(CollectError::io(path.display().to_string(), error)),
    }
}

/// Reads one sysfs attribute, trimmed; `Ok(None)` when it is absent or the kernel refuses it.
///
/// Reading `speed` of a link that is down, `duplex` of a virtual device or `phys_port_name` of a
/// device without ports fails with EINVAL, EOPNOTSUPP or ENODEV: those attributes are skipped,
/// as node_exporter does.
pub(super) fn read_attribute(path: &Path) -> Result<Option<String>, CollectError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text.trim().to_owned())),
        Err(error) if attribute_is_unavailable(&error) => Ok(None),
        Err(error) => Err(CollectError::io(path.display().to_string(), error)),
    }
}

/// Whether an attribute read failed because the attribute is not available (not a real error).
fn attribute_is_unavailable(error: &std::io::Error) -> bool {
    if matches!(
        error.kind(),
        ErrorKind::NotFound | ErrorKind::PermissionDenied | ErrorKind::InvalidInput
    ) {
        return true;
    }
    matches!(
        error.raw_os_error(),
        Some(libc::EINVAL | libc::EOPNOTSUPP | libc::ENODEV | libc::ENODATA | libc::EBUSY)
    )
}

/// Turns a pure parser's message into a `CollectError::Parse` naming `path`.
pub(super) fn parse_error(path: &Path) -> impl FnOnce(String) -> CollectError + '_ {
    move |message| CollectError::parse(path.display().to_string(), message)
}

/// Parses a decimal unsigned integer field, naming it in the error.
pub(super) fn parse_u64(field: &str, text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| format!("field {field}: {text:?} is not an unsigned integer"))
}

/// Parses a hexadecimal unsigned integer field (no `0x` prefix), naming it in the error.
pub(super) fn parse_hex_u64(field: &str, text: &str) -> Result<u64, String> {
    u64::from_str_radix(text.trim(), 16)
        .map_err(|_| format!("field {field}: {text:?} is not a hexadecimal integer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_file_is_none_and_present_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("value");
        assert!(read_optional(&path).unwrap().is_none());
        assert!(read_attribute(&path).unwrap().is_none());
        std::fs::write(&path, "42\n").unwrap();
        assert_eq!(read_optional(&path).unwrap().as_deref(), Some("42\n"));
        assert_eq!(read_attribute(&path).unwrap().as_deref(), Some("42"));
    }

    #[test]
    fn a_directory_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_optional(dir.path()),
            Err(CollectError::Io { .. })
        ));
    }

    #[test]
    fn integers_parse_and_bad_ones_name_the_field() {
        assert_eq!(parse_u64("mtu", " 1500 "), Ok(1500));
        assert_eq!(parse_hex_u64("processed", "00003603"), Ok(0x3603));
        let error = parse_u64("mtu", "x").unwrap_err();
        assert!(error.contains("mtu"), "{error}");
        assert!(parse_hex_u64("processed", "zz").is_err());
    }
}
