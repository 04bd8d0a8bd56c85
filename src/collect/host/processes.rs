//! The `processes` collector, as node_exporter's: `node_processes_state{state}`,
//! `node_processes_threads_state{thread_state}`, `node_processes_threads`,
//! `node_processes_pids`, `node_processes_max_processes`, `node_processes_max_threads`.
//!
//! Parses `<procfs>/[pid]/stat` and `<procfs>/[pid]/task/[tid]/stat` by hand rather than through
//! `sysinfo`: sysinfo cannot be pointed at another procfs root (containers, fixture trees) and
//! does not report per-thread states, which node_exporter does. Processes and threads that exit
//! mid-scan are skipped, as node_exporter does.

use super::read::{is_absent, parse_u64, read_file};
use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The two fields of `/proc/[pid]/stat` this collector needs.
#[derive(Clone, Debug, PartialEq)]
pub struct PidStat {
    /// The one-letter state (`R`, `S`, `D`, `Z`, `I`, ...).
    pub state: String,
    /// Field 20, the number of threads.
    pub num_threads: u64,
}

/// Parses a `stat` line; the command name may contain spaces and parentheses, so fields are
/// counted after the last `)`.
pub fn parse_pid_stat(source: &str, text: &str) -> Result<PidStat, CollectError> {
    let after = text
        .rfind(')')
        .map(|i| &text[i + 1..])
        .ok_or_else(|| CollectError::parse(source, "no ')' after the command name"))?;
    let fields: Vec<&str> = after.split_ascii_whitespace().collect();
    let (Some(state), Some(threads)) = (fields.first(), fields.get(17)) else {
        return Err(CollectError::parse(source, "fewer than 20 fields"));
    };
    Ok(PidStat {
        state: (*state).to_owned(),
        num_threads: parse_u64(source, "num_threads", threads)?,
    })
}

/// The numeric entries of a /proc-like directory (processes, or a process's tasks).
pub fn list_pids(dir: &Path) -> Result<Vec<u32>, CollectError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| CollectError::io(dir.display().to_string(), e))?;
    let mut pids: Vec<u32> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    Ok(pids)
}

/// Reads a stat file; `Ok(None)` when the process or thread has gone.
fn read_stat(path: &Path) -> Result<Option<PidStat>, CollectError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_pid_stat(&path.display().to_string(), &text).map(Some),
        Err(e) if is_absent(&e) => Ok(None),
        Err(e) => Err(CollectError::io(path.display().to_string(), e)),
    }
}

/// Counts gathered in one scan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProcessCounts {
    /// Processes seen.
    pub pids: u64,
    /// Sum of their thread counts.
    pub threads: u64,
    /// Processes per state letter.
    pub states: BTreeMap<String, u64>,
    /// Threads per state letter.
    pub thread_states: BTreeMap<String, u64>,
}

/// Scans every process and its threads under `procfs`.
pub fn scan_processes(procfs: &Path) -> Result<ProcessCounts, CollectError> {
    let mut counts = ProcessCounts::default();
    for pid in list_pids(procfs)? {
        let dir = procfs.join(pid.to_string());
        let Some(stat) = read_stat(&dir.join("stat"))? else {
            continue;
        };
        counts.pids += 1;
        counts.threads += stat.num_threads;
        *counts.states.entry(stat.state.clone()).or_default() += 1;
        let tasks = match list_pids(&dir.join("task")) {
            Ok(tasks) => tasks,
            Err(_) => continue,
        };
        for tid in tasks {
            let state = if tid == pid {
                Some(stat.state.clone())
            } else {
                read_stat(&dir.join(format!("task/{tid}/stat")))?.map(|s| s.state)
            };
            if let Some(state) = state {
                *counts.thread_states.entry(state).or_default() += 1;
            }
        }
    }
    Ok(counts)
}

/// Exports process and thread counts and limits.
pub struct ProcessesCollector {
    procfs: PathBuf,
}

impl ProcessesCollector {
    /// A collector scanning `procfs`.
    pub fn new(procfs: &Path) -> Self {
        Self {
            procfs: procfs.to_path_buf(),
        }
    }

    fn read_limit(&self, relative: &str) -> Result<f64, CollectError> {
        let path = self.procfs.join(relative);
        let text = read_file(&path)?;
        Ok(parse_u64(&path.display().to_string(), relative, &text)? as f64)
    }
}

impl Collector for ProcessesCollector {
    fn name(&self) -> &'static str {
        "processes"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        let counts = scan_processes(&self.procfs)?;
        let max_threads = self.read_limit("sys/kernel/threads-max")?;
        let max_pids = self.read_limit("sys/kernel/pid_max")?;
        write_counts(&counts, max_threads, max_pids, batch);
        Ok(())
    }
}

fn write_counts(counts: &ProcessCounts, max_threads: f64, max_pids: f64, batch: &mut Batch) {
    batch.gauge(
        "node_processes_threads",
        "Allocated threads in system",
        &[],
        counts.threads as f64,
    );
    batch.gauge(
        "node_processes_max_threads",
        "Limit of threads in the system",
        &[],
        max_threads,
    );
    for (state, n) in &counts.states {
        batch.gauge(
            "node_processes_state",
            "Number of processes in each state.",
            &[("state", state)],
            *n as f64,
        );
    }
    for (state, n) in &counts.thread_states {
        batch.gauge(
            "node_processes_threads_state",
            "Number of threads in each state.",
            &[("thread_state", state)],
            *n as f64,
        );
    }
    batch.gauge(
        "node_processes_pids",
        "Number of PIDs",
        &[],
        counts.pids as f64,
    );
    batch.gauge(
        "node_processes_max_processes",
        "Number of max PIDs limit",
        &[],
        max_pids,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "1234 (tmux: server (x)) S 1 1234 1234 0 -1 4194560 1039 0 0 0 25 11 0 0 20 0 3 0 1680 9240576 1012 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

    #[test]
    fn parses_state_and_threads_past_tricky_command_names() {
        let stat = parse_pid_stat("stat", STAT).unwrap();
        assert_eq!(stat.state, "S");
        assert_eq!(stat.num_threads, 3);
    }

    #[test]
    fn truncated_stat_is_an_error() {
        assert!(parse_pid_stat("stat", "1 (init) S 0 1").is_err());
        assert!(parse_pid_stat("stat", "garbage").is_err());
    }

    #[test]
    fn this_machine_has_processes() {
        let counts = scan_processes(Path::new("/proc")).unwrap();
        assert!(counts.pids >= 1);
        assert!(counts.threads >= counts.pids);
        assert!(counts.thread_states.values().sum::<u64>() >= counts.pids);
    }

    #[test]
    fn writes_node_exporter_families() {
        let mut counts = ProcessCounts {
            pids: 2,
            threads: 5,
            ..Default::default()
        };
        counts.states.insert("S".into(), 2);
        counts.thread_states.insert("R".into(), 5);
        let mut batch = Batch::new();
        write_counts(&counts, 100.0, 4194304.0, &mut batch);
        let names: Vec<&str> = batch.families().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "node_processes_threads",
                "node_processes_max_threads",
                "node_processes_state",
                "node_processes_threads_state",
                "node_processes_pids",
                "node_processes_max_processes"
            ]
        );
        assert_eq!(
            batch.families()[3].samples[0].labels.get("thread_state"),
            Some("R")
        );
    }
}
