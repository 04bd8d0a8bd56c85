//! The one-shot CLI commands: `watchpost metrics --output text|json` and `watchpost version`.

use crate::process::{Finished, run_to_completion};
use crate::support::watchpost_command;
use std::time::Duration;

/// Runs watchpost with `args` in a scratch directory (the embedded default writes `./data`).
fn run_watchpost(args: &[&str]) -> Finished {
    let dir = tempfile::tempdir().unwrap();
    let mut command = watchpost_command(dir.path());
    command.args(args);
    run_to_completion(&mut command, b"", Duration::from_secs(60))
}

#[test]
fn metrics_text_prints_one_collection() {
    let finished = run_watchpost(&["metrics", "--output", "text"]);
    assert_eq!(finished.code(), 0, "stderr:\n{}", finished.stderr);
    assert!(
        finished
            .stdout
            .contains("# TYPE node_cpu_seconds_total counter"),
        "{}",
        finished.stdout
    );
    assert!(
        finished.stdout.contains("node_load1 "),
        "{}",
        finished.stdout
    );
}

#[test]
fn metrics_json_is_valid_json_with_cpu_series() {
    let finished = run_watchpost(&["metrics", "--output", "json"]);
    assert_eq!(finished.code(), 0, "stderr:\n{}", finished.stderr);
    let value: serde_json::Value = serde_json::from_str(&finished.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}):\n{}", finished.stdout));
    assert!(!value.is_null());
    assert!(
        finished.stdout.contains("node_cpu_seconds_total"),
        "{}",
        finished.stdout
    );
}

#[test]
fn version_prints_the_crate_version() {
    let finished = run_watchpost(&["version"]);
    assert_eq!(finished.code(), 0, "stderr:\n{}", finished.stderr);
    assert!(
        finished.stdout.contains(env!("CARGO_PKG_VERSION")),
        "{}",
        finished.stdout
    );
}

#[test]
fn unknown_subcommand_fails_with_usage() {
    let finished = run_watchpost(&["frobnicate"]);
    assert_ne!(finished.code(), 0);
    assert!(
        finished.stderr.to_lowercase().contains("usage"),
        "{}",
        finished.stderr
    );
}
