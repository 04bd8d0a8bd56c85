//! The `pressure` collector: pressure stall information from `/proc/pressure/{cpu,io,memory,irq}`
//! as node_exporter's `node_pressure_*_seconds_total` counters ("some" = waiting, "full" =
//! stalled; cpu exports only "some", irq only "full"). A kernel without PSI (no files, or
//! `EOPNOTSUPP` when booted with `psi=0`) yields no series and no error.

use super::read::{parse_u64, read_optional};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::{Path, PathBuf};

/// The `total=` microseconds of a PSI file's "some" and "full" lines.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PsiTotals {
    /// Time at least one task was stalled, in microseconds.
    pub some: Option<u64>,
    /// Time all non-idle tasks were stalled, in microseconds.
    pub full: Option<u64>,
}

/// Parses one PSI file.
pub fn parse_psi(source: &str, text: &str) -> Result<PsiTotals, CollectError> {
    let mut totals = PsiTotals::default();
    for line in text.lines() {
        let mut fields = line.split_ascii_whitespace();
        let slot = match fields.next() {
            Some("some") => &mut totals.some,
            Some("full") => &mut totals.full,
            _ => continue,
        };
        if let Some(total) = fields.find_map(|f| f.strip_prefix("total=")) {
            *slot = Some(parse_u64(source, "total", total)?);
        }
    }
    Ok(totals)
}

/// (resource, line, metric, HELP) for every series node_exporter exports.
const SERIES: [(&str, bool, &str, &str); 6] = [
    (
        "cpu",
        false,
        "node_pressure_cpu_waiting_seconds_total",
        "Total time in seconds that processes have waited for CPU time",
    ),
    (
        "io",
        false,
        "node_pressure_io_waiting_seconds_total",
        "Total time in seconds that processes have waited due to IO congestion",
    ),
    (
        "io",
        true,
        "node_pressure_io_stalled_seconds_total",
        "Total time in seconds no process could make progress due to IO congestion",
    ),
    (
        "memory",
        false,
        "node_pressure_memory_waiting_seconds_total",
        "Total time in seconds that processes have waited for memory",
    ),
    (
        "memory",
        true,
        "node_pressure_memory_stalled_seconds_total",
        "Total time in seconds no process could make progress due to memory congestion",
    ),
    (
        "irq",
        true,
        "node_pressure_irq_stalled_seconds_total",
        "Total time in seconds no process could make progress due to IRQ congestion",
    ),
];

/// Exports PSI totals where the kernel has them.
pub struct PressureCollector {
    dir: PathBuf,
}

impl PressureCollector {
    /// A collector reading `<procfs>/pressure/`.
    pub fn new(procfs: &Path) -> Self {
        Self {
            dir: procfs.join("pressure"),
        }
    }

    fn read_resource(&self, resource: &str) -> Result<Option<PsiTotals>, CollectError> {
        let path = self.dir.join(resource);
        match read_optional(&path)? {
            Some(text) => Ok(Some(parse_psi(&path.display().to_string(), &text)?)),
            None => Ok(None),
        }
    }
}

impl Collector for PressureCollector {
    fn name(&self) -> &'static str {
        "pressure"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        for resource in ["cpu", "io", "memory", "irq"] {
            if let Some(totals) = self.read_resource(resource)? {
                write_resource(resource, &totals, batch);
            }
        }
        Ok(())
    }
}

fn write_resource(resource: &str, totals: &PsiTotals, batch: &mut Batch) {
    for (res, full, name, help) in SERIES {
        if res != resource {
            continue;
        }
        let micros = if full { totals.full } else { totals.some };
        if let Some(us) = micros {
            batch.counter(name, help, &[], us as f64 / 1_000_000.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IO: &str = "some avg10=7.83 avg60=3.86 avg300=1.54 total=8354018
full avg10=7.58 avg60=3.57 avg300=1.34 total=7100325
";

    #[test]
    fn parses_some_and_full_totals() {
        let t = parse_psi("io", IO).unwrap();
        assert_eq!(t.some, Some(8354018));
        assert_eq!(t.full, Some(7100325));
        assert_eq!(
            parse_psi("irq", "full avg10=0.00 total=5\n").unwrap().some,
            None
        );
    }

    #[test]
    fn cpu_exports_only_waiting_and_io_both() {
        let mut batch = Batch::new();
        let cpu = PsiTotals {
            some: Some(2_000_000),
            full: Some(0),
        };
        write_resource("cpu", &cpu, &mut batch);
        write_resource("io", &parse_psi("io", IO).unwrap(), &mut batch);
        let names: Vec<&str> = batch.families().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "node_pressure_cpu_waiting_seconds_total",
                "node_pressure_io_waiting_seconds_total",
                "node_pressure_io_stalled_seconds_total"
            ]
        );
        assert_eq!(batch.families()[0].samples[0].value, 2.0);
    }

    #[test]
    fn missing_pressure_directory_is_no_data() {
        let mut c = PressureCollector::new(Path::new("/nonexistent-watchpost-proc"));
        let mut batch = Batch::new();
        c.collect(&mut batch).unwrap();
        assert_eq!(batch.sample_count(), 0);
    }
}
