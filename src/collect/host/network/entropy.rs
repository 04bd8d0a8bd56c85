//! The `entropy` collector: `node_entropy_available_bits` and `node_entropy_pool_size_bits`
//! from `<procfs>/sys/kernel/random/`.

use super::read::{parse_error, parse_u64, read_optional};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::PathBuf;

/// The files read: path below procfs, metric name, HELP.
const FILES: &[(&str, &str, &str)] = &[
    (
        "sys/kernel/random/entropy_avail",
        "node_entropy_available_bits",
        "Bits of available entropy.",
    ),
    (
        "sys/kernel/random/poolsize",
        "node_entropy_pool_size_bits",
        "Bits of entropy pool.",
    ),
];

/// Reads the two random-pool files each run.
pub struct EntropyCollector {
    procfs: PathBuf,
}

impl EntropyCollector {
    /// A collector reading below `procfs`.
    pub fn new(procfs: PathBuf) -> Self {
        Self { procfs }
    }
}

impl Collector for EntropyCollector {
    fn name(&self) -> &'static str {
        "entropy"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        for (file, name, help) in FILES {
            let path = self.procfs.join(file);
            let Some(text) = read_optional(&path)? else {
                continue;
            };
            let bits = parse_u64(file, &text).map_err(parse_error(&path))?;
            batch.gauge(name, help, &[], bits as f64);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_files_and_rejects_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let random = dir.path().join("sys/kernel/random");
        std::fs::create_dir_all(&random).unwrap();
        std::fs::write(random.join("entropy_avail"), "256\n").unwrap();
        std::fs::write(random.join("poolsize"), "4096\n").unwrap();
        let mut collector = EntropyCollector::new(dir.path().to_path_buf());
        let mut batch = Batch::new();
        collector.collect(&mut batch).unwrap();
        assert_eq!(batch.families()[0].name, "node_entropy_available_bits");
        assert_eq!(batch.families()[1].samples[0].value, 4096.0);
        std::fs::write(random.join("poolsize"), "lots\n").unwrap();
        assert!(matches!(
            collector.collect(&mut Batch::new()),
            Err(CollectError::Parse { .. })
        ));
    }
}
