//! `watchpost gen prometheus-rules` on the bundled config: the committed
//! `prometheus/rules/watchpost.yml` (loaded by docker-compose.prometheus-rules.yml) is what it
//! generates, and `promtool check rules` 2.42 and 3.x accept it.

use crate::process::run_to_completion;
use crate::support::watchpost_command;
use crate::tools::{self, Tool};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const COMMITTED: &str = "prometheus/rules/watchpost.yml";

/// What `gen prometheus-rules --out` writes for the bundled config.
fn generate() -> String {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("watchpost.yml");
    let finished = run_to_completion(
        watchpost_command(&repo)
            .args([
                "gen",
                "prometheus-rules",
                "--config.file",
                "deploy/watchpost.yml",
                "--out",
            ])
            .arg(&out),
        b"",
        Duration::from_secs(60),
    );
    assert_eq!(finished.code(), 0, "{}", finished.all_output());
    std::fs::read_to_string(&out).expect("generated rules")
}

#[test]
fn committed_prometheus_rules_are_up_to_date() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let committed = std::fs::read_to_string(repo.join(COMMITTED)).unwrap_or_default();
    assert!(
        committed == generate(),
        "{COMMITTED} is out of date; regenerate with `cargo run -- gen prometheus-rules \
         --config.file deploy/watchpost.yml --out {COMMITTED}`"
    );
}

fn promtool_accepts(tool: Tool) {
    let Some(promtool) = tools::require(tool) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("watchpost.yml");
    std::fs::write(&path, generate()).unwrap();
    let finished = run_to_completion(
        Command::new(&promtool).args(["check", "rules"]).arg(&path),
        b"",
        Duration::from_secs(60),
    );
    assert_eq!(finished.code(), 0, "{tool:?}: {}", finished.all_output());
}

#[test]
fn promtool_2_accepts_generated_rules() {
    promtool_accepts(Tool::Promtool2);
}

#[test]
fn promtool_3_accepts_generated_rules() {
    promtool_accepts(Tool::Promtool3);
}
