//! Runs the bundled rule files' unit tests (`tests/rules/*_test.yml`) and checks that every
//! bundled rule file loads.

use super::{load_rule_files, run_test_files};
use std::path::PathBuf;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn bundled_rule_files_load() {
    let files = [
        "rules/host.yml",
        "rules/application.yml",
        "rules/business.yml",
    ]
    .map(repo);
    let groups = load_rule_files(&files).unwrap_or_else(|errors| {
        panic!(
            "{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let rules: usize = groups.iter().map(|g| g.rules.len()).sum();
    assert_eq!(rules, 7 + 3 + 4);
}

#[test]
fn bundled_rule_tests_pass() {
    let files = ["host_test.yml", "application_test.yml", "business_test.yml"]
        .map(|name| repo(&format!("tests/rules/{name}")));
    let report = run_test_files(&files);
    assert!(report.passed(), "{report}");
    assert!(report.files.iter().all(|f| f.cases > 0));
}
