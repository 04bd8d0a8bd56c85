//! The `netstat` collector: protocol counters from `<procfs>/net/netstat`, `net/snmp` and
//! `net/snmp6` as untyped `node_netstat_<Protocol>_<Field>`, filtered by node_exporter's default
//! `--collector.netstat.fields` pattern.

use super::read::{parse_error, read_optional};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use regex::Regex;
use std::path::PathBuf;

/// node_exporter's default `--collector.netstat.fields` (collector/netstat_linux.go).
pub const DEFAULT_NETSTAT_FIELDS: &str = "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";

/// One protocol statistic, e.g. `Tcp` / `ActiveOpens` / `47`.
#[derive(Debug, PartialEq)]
pub(super) struct Statistic {
    /// The protocol prefix (`Tcp`, `TcpExt`, `Ip6`, ...).
    pub protocol: String,
    /// The field name within the protocol.
    pub field: String,
    /// The value (may be negative: `Tcp MaxConn` is -1).
    pub value: f64,
}

/// Parses a file of line pairs, `Proto: Name1 Name2` then `Proto: 1 2` (`net/netstat`, `net/snmp`).
pub(super) fn parse_paired(text: &str) -> Result<Vec<Statistic>, String> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if !lines.len().is_multiple_of(2) {
        return Err(format!("{} lines, expected name/value pairs", lines.len()));
    }
    let mut stats = Vec::new();
    for pair in lines.chunks(2) {
        let (protocol, names) = split_protocol(pair[0])?;
        let (value_protocol, values) = split_protocol(pair[1])?;
        if protocol != value_protocol {
            return Err(format!(
                "names of {protocol} followed by values of {value_protocol}"
            ));
        }
        let names: Vec<&str> = names.split_whitespace().collect();
        let values: Vec<&str> = values.split_whitespace().collect();
        if names.len() != values.len() {
            return Err(format!(
                "{protocol}: {} names but {} values",
                names.len(),
                values.len()
            ));
        }
        for (field, value) in names.into_iter().zip(values) {
            stats.push(statistic(protocol, field, value)?);
        }
    }
    Ok(stats)
}

/// Splits `Proto: rest` at the colon.
fn split_protocol(line: &str) -> Result<(&str, &str), String> {
    let (protocol, rest) = line
        .split_once(':')
        .ok_or_else(|| format!("line {line:?} has no protocol prefix"))?;
    Ok((protocol.trim(), rest))
}

/// Builds a statistic, parsing its value.
fn statistic(protocol: &str, field: &str, value: &str) -> Result<Statistic, String> {
    let value = value
        .parse::<f64>()
        .map_err(|_| format!("{protocol} {field}: {value:?} is not a number"))?;
    Ok(Statistic {
        protocol: protocol.to_owned(),
        field: field.to_owned(),
        value,
    })
}

/// Parses `net/snmp6`: `Ip6InReceives   1` lines; the protocol is the name up to its first `6`.
pub(super) fn parse_snmp6(text: &str) -> Result<Vec<Statistic>, String> {
    let mut stats = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 2 {
            continue;
        }
        let Some(six) = fields[0].find('6') else {
            continue;
        };
        let (protocol, field) = fields[0].split_at(six + 1);
        stats.push(statistic(protocol, field, fields[1])?);
    }
    Ok(stats)
}

/// Adds the statistics whose `Protocol_Field` key matches `fields` to the batch.
pub(super) fn emit_statistics(batch: &mut Batch, stats: &[Statistic], fields: &Regex) {
    for stat in stats {
        let key = format!("{}_{}", stat.protocol, stat.field);
        if !fields.is_match(&key) {
            continue;
        }
        batch.untyped(
            &format!("node_netstat_{key}"),
            &format!("Statistic {}{}.", stat.protocol, stat.field),
            &[],
            stat.value,
        );
    }
}

/// Reads the three protocol statistics files each run.
pub struct NetstatCollector {
    procfs: PathBuf,
    fields: Regex,
}

impl NetstatCollector {
    /// A collector reading below `procfs`, exporting the fields matching `fields`.
    pub fn new(procfs: PathBuf, fields: Regex) -> Self {
        Self { procfs, fields }
    }
}

impl Collector for NetstatCollector {
    fn name(&self) -> &'static str {
        "netstat"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        type Parser = fn(&str) -> Result<Vec<Statistic>, String>;
        let files: [(&str, Parser); 3] = [
            ("net/netstat", parse_paired),
            ("net/snmp", parse_paired),
            ("net/snmp6", parse_snmp6),
        ];
        for (file, parse) in files {
            let path = self.procfs.join(file);
            let Some(text) = read_optional(&path)? else {
                continue;
            };
            let stats = parse(&text).map_err(parse_error(&path))?;
            emit_statistics(batch, &stats, &self.fields);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Part of `/proc/net/snmp` of the development machine.
    const SNMP: &str = "Ip: Forwarding DefaultTTL InReceives InHdrErrors
Ip: 2 64 13857 0
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 47 3 0 33 0 13767 9481 0 0 39 0
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 89 0 0 90 0 0 0 0 0
";

    /// Part of `/proc/net/snmp6` of the development machine.
    const SNMP6: &str = "Ip6InReceives                   \t1
Ip6InOctets                     \t72
Icmp6InMsgs                     \t0
Udp6InDatagrams                 \t0
Icmp6InType1                    \t0
";

    fn names(batch: &Batch) -> Vec<&str> {
        batch.families().iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn parses_pairs_including_negative_values() {
        let stats = parse_paired(SNMP).unwrap();
        let max_conn = stats.iter().find(|s| s.field == "MaxConn").unwrap();
        assert_eq!(max_conn.protocol, "Tcp");
        assert_eq!(max_conn.value, -1.0);
        assert_eq!(stats.len(), 4 + 15 + 9);
    }

    #[test]
    fn default_filter_keeps_node_exporter_fields_only() {
        let fields = Regex::new(DEFAULT_NETSTAT_FIELDS).unwrap();
        let mut batch = Batch::new();
        emit_statistics(&mut batch, &parse_paired(SNMP).unwrap(), &fields);
        let names = names(&batch);
        assert!(names.contains(&"node_netstat_Ip_Forwarding"));
        assert!(names.contains(&"node_netstat_Tcp_CurrEstab"));
        assert!(names.contains(&"node_netstat_Udp_InErrors"));
        assert!(!names.contains(&"node_netstat_Tcp_MaxConn"));
        assert!(!names.contains(&"node_netstat_Ip_DefaultTTL"));
        let family = &batch.families()[0];
        assert_eq!(family.help, "Statistic IpForwarding.");
        assert_eq!(family.kind, crate::metrics::MetricType::Untyped);
    }

    #[test]
    fn snmp6_splits_the_protocol_at_the_six() {
        let stats = parse_snmp6(SNMP6).unwrap();
        assert_eq!(stats[0].protocol, "Ip6");
        assert_eq!(stats[0].field, "InReceives");
        assert_eq!(stats[2].protocol, "Icmp6");
        let fields = Regex::new(DEFAULT_NETSTAT_FIELDS).unwrap();
        let mut batch = Batch::new();
        emit_statistics(&mut batch, &stats, &fields);
        assert_eq!(
            names(&batch),
            [
                "node_netstat_Ip6_InOctets",
                "node_netstat_Icmp6_InMsgs",
                "node_netstat_Udp6_InDatagrams"
            ]
        );
    }

    #[test]
    fn malformed_pairs_are_errors() {
        assert!(parse_paired("Ip: Forwarding\n").is_err());
        assert!(parse_paired("Ip: Forwarding DefaultTTL\nIp: 2\n").is_err());
        assert!(parse_paired("Ip: Forwarding\nTcp: 2\n").is_err());
        assert!(parse_paired("Ip: Forwarding\nIp: two\n").is_err());
        assert!(parse_snmp6("Ip6InReceives x\n").is_err());
    }
}
