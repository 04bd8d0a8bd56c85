//! Small file-reading and number-parsing helpers shared by the host collectors.
//!
//! Every collector reads whole files under `paths.procfs` / `sysfs` / `rootfs` with these, so
//! I/O errors carry the path and parse errors name the field that was wrong.

use crate::collect::CollectError;
use std::io::ErrorKind;
use std::path::Path;

/// The numbers `N` of the `cpu<N>` entries in `dir` (`<sysfs>/devices/system/cpu`), sorted;
/// none when the directory cannot be read.
pub fn cpu_numbers<T: std::str::FromStr + Ord>(dir: &Path) -> Vec<T> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut cpus: Vec<T> = entries
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_prefix("cpu")?
                .parse()
                .ok()
        })
        .collect();
    cpus.sort_unstable();
    cpus
}

/// Reads a whole file to a string; the error names the path.
pub fn read_file(path: &Path) -> Result<String, CollectError> {
    std::fs::read_to_string(path).map_err(|e| CollectError::io(path.display().to_string(), e))
}

/// Reads a file that may legitimately be absent (or unsupported by the kernel): `Ok(None)` then.
pub fn read_optional(path: &Path) -> Result<Option<String>, CollectError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if is_absent(&e) => Ok(None),
        Err(e) => Err(CollectError::io(path.display().to_string(), e)),
    }
}

/// True for errors that mean "not there": a missing file, a vanished process, or a kernel
/// feature that is compiled in but switched off (PSI with `psi=0` answers `EOPNOTSUPP`).
pub fn is_absent(error: &std::io::Error) -> bool {
    matches!(error.kind(), ErrorKind::NotFound | ErrorKind::Unsupported)
        || matches!(
            error.raw_os_error(),
            Some(libc::ESRCH) | Some(libc::EOPNOTSUPP) | Some(libc::ENOENT)
        )
}

/// Parses one unsigned integer field, naming `what` in the error.
pub fn parse_u64(source: &str, what: &str, text: &str) -> Result<u64, CollectError> {
    text.trim()
        .parse::<u64>()
        .map_err(|e| CollectError::parse(source, format!("field {what}: {e} in {text:?}")))
}

/// Parses one floating-point field, naming `what` in the error.
pub fn parse_f64(source: &str, what: &str, text: &str) -> Result<f64, CollectError> {
    text.trim()
        .parse::<f64>()
        .map_err(|e| CollectError::parse(source, format!("field {what}: {e} in {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_the_field() {
        let err = parse_u64("/proc/stat", "ctxt", "x1").unwrap_err();
        assert!(err.to_string().contains("ctxt"), "{err}");
        assert_eq!(parse_f64("/proc/loadavg", "load1", " 0.5\n").unwrap(), 0.5);
    }

    #[test]
    fn missing_file_is_absent_not_an_error() {
        let missing = Path::new("/nonexistent/watchpost/file");
        assert!(read_optional(missing).unwrap().is_none());
        assert!(read_file(missing).is_err());
    }
}
