//! The `filefd` collector: `node_filefd_allocated` and `node_filefd_maximum` from
//! `/proc/sys/fs/file-nr` (allocated, unused — always 0 since 2.6 — and maximum).

use super::read::{parse_f64, read_file};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::{Path, PathBuf};

/// Parses `file-nr` into (allocated, maximum).
pub fn parse_file_nr(source: &str, text: &str) -> Result<(f64, f64), CollectError> {
    let fields: Vec<&str> = text.split_ascii_whitespace().collect();
    let [allocated, _, maximum] = fields.as_slice() else {
        return Err(CollectError::parse(
            source,
            format!("expected 3 fields, found {}", fields.len()),
        ));
    };
    Ok((
        parse_f64(source, "allocated", allocated)?,
        parse_f64(source, "maximum", maximum)?,
    ))
}

/// Exports file descriptor allocation and limit.
pub struct FilefdCollector {
    path: PathBuf,
}

impl FilefdCollector {
    /// A collector reading `<procfs>/sys/fs/file-nr`.
    pub fn new(procfs: &Path) -> Self {
        Self {
            path: procfs.join("sys/fs/file-nr"),
        }
    }
}

impl Collector for FilefdCollector {
    fn name(&self) -> &'static str {
        "filefd"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let text = read_file(&self.path)?;
        let (allocated, maximum) = parse_file_nr(&self.path.display().to_string(), &text)?;
        batch.gauge(
            "node_filefd_allocated",
            "File descriptor statistics: allocated.",
            &[],
            allocated,
        );
        batch.gauge(
            "node_filefd_maximum",
            "File descriptor statistics: maximum.",
            &[],
            maximum,
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_allocated_and_maximum() {
        let (a, m) = parse_file_nr("file-nr", "2714\t0\t2466126\n").unwrap();
        assert_eq!((a, m), (2714.0, 2466126.0));
    }

    #[test]
    fn wrong_field_count_is_an_error() {
        assert!(parse_file_nr("file-nr", "2714\t0\n").is_err());
    }
}
