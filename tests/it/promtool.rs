//! `promtool check metrics` (2.x and 3.x) on the live `/metrics` body.
//!
//! promtool exits 1 on a parse error and 3 on lint problems. node_exporter's own output has two
//! kinds of lint problem, because its names predate the lint: camelCase names taken from the
//! kernel (`node_memory_MemTotal_bytes`, `node_netstat_Tcp_InSegs`, ...) and the `_bits` unit of
//! `node_entropy_*`. watchpost keeps those names for dashboard compatibility, so those two are
//! tolerated, plus one name the product contract fixes (issue 2, after the seeds' metrics):
//! the gauge `system_processes_count`, which the lint takes for a summary's `_count`. Any other
//! problem (missing `_total`, missing HELP, a bad unit, ...) fails.

use crate::process::run_to_completion;
use crate::support::Watchpost;
use crate::tools::{self, Tool};
use std::process::Command;
use std::time::Duration;

/// Exit code promtool uses for lint problems (as opposed to 1 for unparseable input).
const LINT_EXIT_CODE: i32 = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promtool_2_accepts_metrics_output() {
    check_with(Tool::Promtool2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promtool_3_accepts_metrics_output() {
    check_with(Tool::Promtool3).await;
}

async fn check_with(tool: Tool) {
    let Some(promtool) = tools::require(tool) else {
        return;
    };
    let watchpost = Watchpost::start();
    watchpost.wait_ready().await;
    let body = watchpost.get_text("/metrics").await;
    let finished = run_to_completion(
        Command::new(&promtool).args(["check", "metrics"]),
        body.as_bytes(),
        Duration::from_secs(60),
    );
    let output = finished.all_output();
    let problems = untolerated_problems(&output);
    assert!(
        finished.code() == 0 || (finished.code() == LINT_EXIT_CODE && problems.is_empty()),
        "{} check metrics exited {}; problems not tolerated:\n{}\nfull output:\n{output}",
        promtool.display(),
        finished.code(),
        problems.join("\n")
    );
}

/// The lines of promtool's output that are not one of node_exporter's own lint problems.
fn untolerated_problems(output: &str) -> Vec<String> {
    output
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !is_tolerated(line))
        .map(str::to_string)
        .collect()
}

/// node_exporter-compatible names promtool's lint dislikes (see the module doc).
fn is_tolerated(line: &str) -> bool {
    let Some((metric, problem)) = line.split_once(' ') else {
        return false;
    };
    let camel_case = problem == "metric names should be written in 'snake_case' not 'camelCase'";
    let bits_unit = problem == "use base unit \"bytes\" instead of \"bits\"";
    let count_suffix =
        problem == "non-histogram and non-summary metrics should not have \"_count\" suffix";
    (camel_case && metric.starts_with("node_"))
        || (bits_unit && metric.starts_with("node_entropy_"))
        || (count_suffix && metric == "system_processes_count")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_only_node_exporter_naming_problems() {
        let output = "node_memory_MemTotal_bytes metric names should be written in 'snake_case' not 'camelCase'\n\
                      node_entropy_available_bits use base unit \"bytes\" instead of \"bits\"\n\
                      watchpost_fooBar metric names should be written in 'snake_case' not 'camelCase'\n\
                      system_processes_count non-histogram and non-summary metrics should not have \"_count\" suffix\n\
                      node_forks counter metrics should have \"_total\" suffix\n";
        assert_eq!(
            untolerated_problems(output),
            [
                "watchpost_fooBar metric names should be written in 'snake_case' not 'camelCase'",
                "node_forks counter metrics should have \"_total\" suffix"
            ]
        );
    }
}
