//! The `meminfo` collector: every `/proc/meminfo` field as `node_memory_<Field>`.
//!
//! node_exporter's naming rule: `Active(anon)` becomes `Active_anon`; a value in `kB` is
//! multiplied by 1024 and gets the `_bytes` suffix; a field without a unit (`HugePages_Total`)
//! keeps its bare name. All are gauges with HELP `Memory information field <name>.`.

use super::read::{parse_f64, read_file};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::{Path, PathBuf};

/// One `/proc/meminfo` line, converted.
#[derive(Clone, Debug, PartialEq)]
pub struct MeminfoField {
    /// The kernel's key, e.g. `Active(anon)`.
    pub key: String,
    /// The metric name suffix after `node_memory_`, e.g. `Active_anon_bytes`.
    pub metric: String,
    /// The value in bytes (or the bare count for unitless fields).
    pub value: f64,
}

/// The parsed `/proc/meminfo`, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meminfo(pub Vec<MeminfoField>);

impl Meminfo {
    /// The converted value of the kernel key `key` (`MemTotal`, `SwapFree`, ...).
    pub fn get(&self, key: &str) -> Option<f64> {
        self.0.iter().find(|f| f.key == key).map(|f| f.value)
    }
}

/// `Active(anon)` -> `Active_anon`, as node_exporter's `\((.*)\)` -> `_$1`.
fn metric_stem(key: &str) -> String {
    match (key.find('('), key.rfind(')')) {
        (Some(open), Some(close)) if open < close => {
            format!(
                "{}_{}{}",
                &key[..open],
                &key[open + 1..close],
                &key[close + 1..]
            )
        }
        _ => key.to_owned(),
    }
}

/// Parses `/proc/meminfo`; blank lines are skipped.
pub fn parse_meminfo(source: &str, text: &str) -> Result<Meminfo, CollectError> {
    let mut fields = Vec::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split_ascii_whitespace().collect();
        let (key, value, unit) = match parts.as_slice() {
            [] => continue,
            [key, value] => (*key, *value, None),
            [key, value, unit] => (*key, *value, Some(*unit)),
            _ => {
                return Err(CollectError::parse(
                    source,
                    format!("invalid line {line:?}"),
                ));
            }
        };
        let key = key.strip_suffix(':').unwrap_or(key);
        let mut value = parse_f64(source, key, value)?;
        let mut metric = metric_stem(key);
        if unit.is_some() {
            value *= 1024.0;
            metric.push_str("_bytes");
        }
        fields.push(MeminfoField {
            key: key.to_owned(),
            metric,
            value,
        });
    }
    Ok(Meminfo(fields))
}

/// Reads and parses `<procfs>/meminfo`.
pub fn read_meminfo(procfs: &Path) -> Result<Meminfo, CollectError> {
    let path = procfs.join("meminfo");
    parse_meminfo(&path.display().to_string(), &read_file(&path)?)
}

/// Exports every meminfo field.
pub struct MeminfoCollector {
    procfs: PathBuf,
}

impl MeminfoCollector {
    /// A collector reading `<procfs>/meminfo`.
    pub fn new(procfs: &Path) -> Self {
        Self {
            procfs: procfs.to_path_buf(),
        }
    }
}

impl Collector for MeminfoCollector {
    fn name(&self) -> &'static str {
        "meminfo"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        for field in read_meminfo(&self.procfs)?.0 {
            let name = format!("node_memory_{}", field.metric);
            let help = format!("Memory information field {}.", field.metric);
            batch.gauge(&name, &help, &[], field.value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "MemTotal:       24683584 kB
MemAvailable:   24179368 kB
Active(anon):     123456 kB
Inactive(file):     7890 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
";

    #[test]
    fn applies_node_exporter_naming_rule() {
        let info = parse_meminfo("meminfo", SAMPLE).unwrap();
        let names: Vec<&str> = info.0.iter().map(|f| f.metric.as_str()).collect();
        assert_eq!(
            names,
            [
                "MemTotal_bytes",
                "MemAvailable_bytes",
                "Active_anon_bytes",
                "Inactive_file_bytes",
                "HugePages_Total",
                "Hugepagesize_bytes"
            ]
        );
        assert_eq!(info.get("MemTotal"), Some(24683584.0 * 1024.0));
        assert_eq!(info.get("HugePages_Total"), Some(0.0));
    }

    #[test]
    fn malformed_line_is_an_error() {
        assert!(parse_meminfo("meminfo", "MemTotal: 1 kB extra\n").is_err());
        assert!(parse_meminfo("meminfo", "MemTotal: x kB\n").is_err());
    }
}
