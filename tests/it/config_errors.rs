//! `watchpost check config FILE`: exit 0 on a good file; exit 2 with `FILE:LINE:COL: message`
//! lines naming the unknown key, the unset `${VAR}`, the bad duration.

use crate::process::{Finished, run_to_completion};
use crate::support::{test_config, watchpost_command};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

/// An environment variable no test machine sets (removed from the child's env to be sure).
const UNSET_VAR: &str = "WATCHPOST_IT_SURELY_UNSET_VARIABLE";

/// Writes `yaml` to `<dir>/watchpost.yml` and runs `watchpost check config` on it.
fn check_config(yaml: &str) -> (TempDir, PathBuf, Finished) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("watchpost.yml");
    std::fs::write(&path, yaml).unwrap();
    let mut command = watchpost_command(dir.path());
    command
        .args(["check", "config"])
        .arg(&path)
        .env_remove(UNSET_VAR);
    let finished = run_to_completion(&mut command, b"", Duration::from_secs(30));
    (dir, path, finished)
}

/// Asserts exit 2 and a `FILE:LINE:COL: ` line at `(line, column)` (1-based, where the key or
/// value starts) that mentions every word in `words`.
fn assert_error_at(path: &Path, finished: &Finished, at: (usize, usize), words: &[&str]) {
    let output = finished.all_output();
    assert_eq!(finished.code(), 2, "expected exit 2; output:\n{output}");
    let prefix = format!("{}:{}:{}: ", path.display(), at.0, at.1);
    let Some(located) = output.lines().find(|line| line.starts_with(&prefix)) else {
        panic!("no `{prefix}` line in the output:\n{output}");
    };
    for word in words {
        assert!(
            located.contains(word),
            "{located:?} does not mention {word:?}"
        );
    }
}

#[test]
fn good_config_exits_zero() {
    let data = tempfile::tempdir().unwrap();
    let (_dir, _path, finished) = check_config(&test_config(data.path()));
    assert_eq!(finished.code(), 0, "output:\n{}", finished.all_output());
}

#[test]
fn unknown_key_is_named_with_its_position() {
    let yaml = "collectors:\n  interval: 15s\n  intervall: 30s\n";
    let (_dir, path, finished) = check_config(yaml);
    assert_error_at(&path, &finished, (3, 3), &["intervall"]);
}

#[test]
fn unset_variable_is_named_with_its_position() {
    let yaml =
        format!("server:\n  listen_address: 127.0.0.1:0\nstorage:\n  path: ${{{UNSET_VAR}}}\n");
    let (_dir, path, finished) = check_config(&yaml);
    assert_error_at(&path, &finished, (4, 9), &[UNSET_VAR]);
}

#[test]
fn variable_with_default_is_accepted() {
    let yaml = format!("storage:\n  path: ${{{UNSET_VAR}:-./data}}\n");
    let (_dir, _path, finished) = check_config(&yaml);
    assert_eq!(finished.code(), 0, "output:\n{}", finished.all_output());
}

#[test]
fn bad_duration_is_reported_with_its_position() {
    let yaml = "collectors:\n  interval: fifteen\n";
    let (_dir, path, finished) = check_config(yaml);
    assert_error_at(&path, &finished, (2, 13), &["interval"]);
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let yaml =
        format!("bogus_top: 1\ncollectors:\n  interval: 15s\nstorage:\n  path: ${{{UNSET_VAR}}}\n");
    let (_dir, path, finished) = check_config(&yaml);
    assert_error_at(&path, &finished, (1, 1), &["bogus_top"]);
    assert_error_at(&path, &finished, (5, 9), &[UNSET_VAR]);
}

#[test]
fn syntax_error_exits_two_with_a_position() {
    let yaml = "collectors:\n  interval: [15s\n";
    let (_dir, path, finished) = check_config(yaml);
    let output = finished.all_output();
    assert_eq!(finished.code(), 2, "output:\n{output}");
    assert!(output.contains(&format!("{}:", path.display())), "{output}");
}
