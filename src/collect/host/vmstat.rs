//! The `vmstat` collector: `/proc/vmstat` fields matching node_exporter's default filter
//! `^(oom_kill|pgpg|pswp|pg.*fault).*`, each as an untyped `node_vmstat_<field>`.

use super::read::{parse_f64, read_file};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use regex::Regex;
use std::path::{Path, PathBuf};

/// node_exporter's default `--collector.vmstat.fields`.
pub const DEFAULT_VMSTAT_FIELDS: &str = "^(oom_kill|pgpg|pswp|pg.*fault).*";

/// Parses `/proc/vmstat` lines `name value`, keeping the names `fields` matches.
pub fn parse_vmstat(
    source: &str,
    text: &str,
    fields: &Regex,
) -> Result<Vec<(String, f64)>, CollectError> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut parts = line.split_ascii_whitespace();
        let (Some(name), Some(value)) = (parts.next(), parts.next()) else {
            continue;
        };
        if fields.is_match(name) {
            out.push((name.to_owned(), parse_f64(source, name, value)?));
        }
    }
    Ok(out)
}

/// Exports the selected vmstat fields.
pub struct VmstatCollector {
    path: PathBuf,
    fields: Regex,
}

impl VmstatCollector {
    /// A collector reading `<procfs>/vmstat` with the default field filter.
    pub fn new(procfs: &Path) -> Result<Self, String> {
        let fields = Regex::new(DEFAULT_VMSTAT_FIELDS)
            .map_err(|e| format!("vmstat field filter {DEFAULT_VMSTAT_FIELDS:?}: {e}"))?;
        Ok(Self {
            path: procfs.join("vmstat"),
            fields,
        })
    }
}

impl Collector for VmstatCollector {
    fn name(&self) -> &'static str {
        "vmstat"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let text = read_file(&self.path)?;
        for (field, value) in parse_vmstat(&self.path.display().to_string(), &text, &self.fields)? {
            let name = format!("node_vmstat_{field}");
            let help = format!("/proc/vmstat information field {field}.");
            batch.untyped(&name, &help, &[], value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_default_fields() {
        let text = "nr_free_pages 4601906\npgpgin 2208125\npswpin 0\npgfault 9911057\n\
pgmajfault 1321\noom_kill 0\nnr_dirty 12\npgsteal_kswapd 3\n";
        let re = Regex::new(DEFAULT_VMSTAT_FIELDS).unwrap();
        let got = parse_vmstat("vmstat", text, &re).unwrap();
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["pgpgin", "pswpin", "pgfault", "pgmajfault", "oom_kill"]
        );
        assert_eq!(got[2].1, 9911057.0);
    }
}
