//! The `os` collector: `node_os_info` (all twelve labels node_exporter sets, among them `id`,
//! `id_like`, `name`, `pretty_name`, `version`, `version_id`, `version_codename`),
//! `node_os_version{id,id_like,name}` (the major.minor of `VERSION_ID`) and, when the file has
//! `SUPPORT_END`, `node_os_support_end_timestamp_seconds`; read from `<rootfs>/etc/os-release`,
//! falling back to `<rootfs>/usr/lib/os-release`.

use super::read::read_optional;
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use regex::Regex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `node_os_info` labels and the os-release keys they come from, in node_exporter's order.
const INFO_LABELS: [(&str, &str); 12] = [
    ("build_id", "BUILD_ID"),
    ("id", "ID"),
    ("id_like", "ID_LIKE"),
    ("image_id", "IMAGE_ID"),
    ("image_version", "IMAGE_VERSION"),
    ("name", "NAME"),
    ("pretty_name", "PRETTY_NAME"),
    ("variant", "VARIANT"),
    ("variant_id", "VARIANT_ID"),
    ("version", "VERSION"),
    ("version_codename", "VERSION_CODENAME"),
    ("version_id", "VERSION_ID"),
];

/// Parses os-release `KEY=value` lines (quotes and backslash escapes removed, comments skipped).
pub fn parse_os_release(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            out.insert(key.trim().to_owned(), unquote(value.trim()));
        }
    }
    out
}

fn unquote(value: &str) -> String {
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'');
    let Some(q) = quote else {
        return value.to_owned();
    };
    let inner = value[1..].strip_suffix(q).unwrap_or(&value[1..]);
    if q == '\'' {
        return inner.to_owned();
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` as a Unix timestamp at midnight UTC.
pub fn parse_support_end(text: &str) -> Option<f64> {
    let mut parts = text.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some((days_from_civil(year, month, day) * 86_400) as f64)
}

/// Exports the os-release series.
pub struct OsCollector {
    candidates: [PathBuf; 2],
    version: Regex,
}

impl OsCollector {
    /// A collector reading os-release under `rootfs`.
    pub fn new(rootfs: &Path) -> Result<Self, String> {
        Ok(Self {
            candidates: [
                rootfs.join("etc/os-release"),
                rootfs.join("usr/lib/os-release"),
            ],
            version: Regex::new(r"^[0-9]+\.?[0-9]*")
                .map_err(|e| format!("os version regex: {e}"))?,
        })
    }
}

impl Collector for OsCollector {
    fn name(&self) -> &'static str {
        "os"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        for path in &self.candidates {
            if let Some(text) = read_optional(path)? {
                write_os(&parse_os_release(&text), &self.version, batch);
                return Ok(());
            }
        }
        Ok(())
    }
}

fn write_os(release: &HashMap<String, String>, version: &Regex, batch: &mut Batch) {
    let field = |key: &str| release.get(key).map(String::as_str).unwrap_or("");
    let labels: Vec<(&str, &str)> = INFO_LABELS.iter().map(|(l, k)| (*l, field(k))).collect();
    batch.gauge(
        "node_os_info",
        "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, \
         image_version, name, pretty_name, variant, variant_id, version, version_codename, \
         version_id.",
        &labels,
        1.0,
    );
    let major_minor = version
        .find(field("VERSION_ID"))
        .and_then(|m| m.as_str().parse::<f64>().ok())
        .unwrap_or(0.0);
    if major_minor > 0.0 {
        batch.gauge(
            "node_os_version",
            "Metric containing the major.minor part of the OS version.",
            &[
                ("id", field("ID")),
                ("id_like", field("ID_LIKE")),
                ("name", field("NAME")),
            ],
            major_minor,
        );
    }
    if let Some(end) = parse_support_end(field("SUPPORT_END")) {
        batch.gauge(
            "node_os_support_end_timestamp_seconds",
            "Metric containing the end-of-life date timestamp of the OS.",
            &[],
            end,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBIAN: &str = r#"PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
# a comment
HOME_URL='https://www.debian.org/'
SUPPORT_END=2028-06-30
"#;

    #[test]
    fn parses_quoted_and_bare_values() {
        let r = parse_os_release(DEBIAN);
        assert_eq!(r["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(r["VERSION_CODENAME"], "bookworm");
        assert_eq!(r["HOME_URL"], "https://www.debian.org/");
        assert_eq!(unquote(r#""say \"hi\"""#), r#"say "hi""#);
    }

    #[test]
    fn support_end_is_midnight_utc() {
        assert_eq!(parse_support_end("1970-01-02"), Some(86_400.0));
        assert_eq!(parse_support_end("2028-06-30"), Some(1_845_936_000.0));
        assert_eq!(parse_support_end("soon"), None);
    }

    #[test]
    fn writes_info_version_and_support_end() {
        let mut batch = Batch::new();
        let re = Regex::new(r"^[0-9]+\.?[0-9]*").unwrap();
        write_os(&parse_os_release(DEBIAN), &re, &mut batch);
        let fams = batch.families();
        assert_eq!(fams[0].samples[0].labels.get("id"), Some("debian"));
        assert_eq!(fams[0].samples[0].labels.len(), 12);
        assert_eq!(fams[1].name, "node_os_version");
        assert_eq!(fams[1].samples[0].value, 12.0);
        assert_eq!(fams[2].name, "node_os_support_end_timestamp_seconds");
    }
}
