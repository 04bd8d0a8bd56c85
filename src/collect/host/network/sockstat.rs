//! The `sockstat` collector: socket counts from `<procfs>/net/sockstat` and `net/sockstat6` as
//! `node_sockstat_<PROTO>_<state>` gauges, plus `_mem_bytes` (pages × page size), as node_exporter.

use super::read::{parse_error, parse_u64, read_optional};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::path::PathBuf;

/// The per-protocol keys node_exporter exports, in its order.
const KEYS: &[&str] = &["inuse", "orphan", "tw", "alloc", "mem", "memory"];

/// One parsed sockstat file.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Sockstat {
    /// `sockets: used N` (IPv4 file only).
    pub sockets_used: Option<u64>,
    /// Per protocol (`TCP`, `UDP6`, ...), its `key value` pairs in file order.
    pub protocols: Vec<(String, Vec<(String, u64)>)>,
}

/// Parses `PROTO: key value key value ...` lines.
pub(super) fn parse_sockstat(text: &str) -> Result<Sockstat, String> {
    let mut stat = Sockstat::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (protocol, rest) = line
            .split_once(':')
            .ok_or_else(|| format!("line {line:?} has no protocol prefix"))?;
        let tokens: Vec<&str> = rest.split_whitespace().collect();
        if !tokens.len().is_multiple_of(2) {
            return Err(format!("{protocol}: odd number of key/value tokens"));
        }
        let mut pairs = Vec::new();
        for pair in tokens.chunks(2) {
            let value = parse_u64(&format!("{protocol} {}", pair[0]), pair[1])?;
            pairs.push((pair[0].to_owned(), value));
        }
        if protocol == "sockets" {
            stat.sockets_used = pairs.iter().find(|(k, _)| k == "used").map(|(_, v)| *v);
        } else {
            stat.protocols.push((protocol.to_owned(), pairs));
        }
    }
    Ok(stat)
}

/// Adds one file's series to the batch; `page_size` converts `mem` pages to `mem_bytes`.
pub(super) fn emit_sockstat(batch: &mut Batch, stat: &Sockstat, page_size: u64) {
    if let Some(used) = stat.sockets_used {
        batch.gauge(
            "node_sockstat_sockets_used",
            "Number of IPv4 sockets in use.",
            &[],
            used as f64,
        );
    }
    for (protocol, pairs) in &stat.protocols {
        let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
        for key in KEYS {
            if let Some(value) = get(key) {
                emit_state(batch, protocol, key, value as f64);
            }
        }
        if let Some(pages) = get("mem") {
            emit_state(batch, protocol, "mem_bytes", (pages * page_size) as f64);
        }
    }
}

/// Adds `node_sockstat_<protocol>_<state>`.
fn emit_state(batch: &mut Batch, protocol: &str, state: &str, value: f64) {
    batch.gauge(
        &format!("node_sockstat_{protocol}_{state}"),
        &format!("Number of {protocol} sockets in state {state}."),
        &[],
        value,
    );
}

/// The system page size in bytes.
fn page_size() -> u64 {
    // SAFETY: sysconf only reads a system constant; it has no memory-safety preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).unwrap_or(4096)
}

/// Reads the IPv4 and IPv6 sockstat files each run.
pub struct SockstatCollector {
    procfs: PathBuf,
    page_size: u64,
}

impl SockstatCollector {
    /// A collector reading below `procfs`.
    pub fn new(procfs: PathBuf) -> Self {
        Self {
            procfs,
            page_size: page_size(),
        }
    }
}

impl Collector for SockstatCollector {
    fn name(&self) -> &'static str {
        "sockstat"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        for file in ["net/sockstat", "net/sockstat6"] {
            let path = self.procfs.join(file);
            let Some(text) = read_optional(&path)? else {
                continue;
            };
            let stat = parse_sockstat(&text).map_err(parse_error(&path))?;
            emit_sockstat(batch, &stat, self.page_size);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/proc/net/sockstat` of the development machine.
    const SOCKSTAT: &str = "sockets: used 12
TCP: inuse 1 orphan 0 tw 3 alloc 1 mem 265
UDP: inuse 0 mem 0
UDPLITE: inuse 0
RAW: inuse 0
FRAG: inuse 0 memory 0
";

    fn value(batch: &Batch, name: &str) -> Option<f64> {
        let family = batch.families().iter().find(|f| f.name == name)?;
        Some(family.samples[0].value)
    }

    #[test]
    fn parses_used_and_protocols() {
        let stat = parse_sockstat(SOCKSTAT).unwrap();
        assert_eq!(stat.sockets_used, Some(12));
        assert_eq!(stat.protocols.len(), 5);
        assert_eq!(stat.protocols[0].0, "TCP");
        assert_eq!(stat.protocols[0].1[2], ("tw".to_owned(), 3));
    }

    #[test]
    fn emits_states_and_mem_bytes() {
        let mut batch = Batch::new();
        emit_sockstat(&mut batch, &parse_sockstat(SOCKSTAT).unwrap(), 4096);
        assert_eq!(value(&batch, "node_sockstat_sockets_used"), Some(12.0));
        assert_eq!(value(&batch, "node_sockstat_TCP_tw"), Some(3.0));
        assert_eq!(
            value(&batch, "node_sockstat_TCP_mem_bytes"),
            Some(265.0 * 4096.0)
        );
        assert_eq!(value(&batch, "node_sockstat_FRAG_memory"), Some(0.0));
        assert_eq!(value(&batch, "node_sockstat_UDPLITE_mem_bytes"), None);
        let tcp = batch
            .families()
            .iter()
            .find(|f| f.name == "node_sockstat_TCP_inuse")
            .unwrap();
        assert_eq!(tcp.help, "Number of TCP sockets in state inuse.");
    }

    #[test]
    fn ipv6_file_has_no_sockets_used() {
        let mut batch = Batch::new();
        let stat = parse_sockstat("TCP6: inuse 2\nFRAG6: inuse 0 memory 0\n").unwrap();
        emit_sockstat(&mut batch, &stat, 4096);
        assert_eq!(value(&batch, "node_sockstat_sockets_used"), None);
        assert_eq!(value(&batch, "node_sockstat_TCP6_inuse"), Some(2.0));
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert!(parse_sockstat("TCP: inuse\n").is_err());
        assert!(parse_sockstat("TCP inuse 1\n").is_err());
        assert!(parse_sockstat("TCP: inuse many\n").is_err());
    }
}
