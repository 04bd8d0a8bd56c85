//! Tests of the promtool-style runner on files in a temporary directory.

use super::*;

const RULES: &str = r#"
groups:
  - name: example
    rules:
      - alert: InstanceDown
        expr: up == 0
        for: 2m
        labels: {severity: page}
        annotations:
          summary: "{{ $labels.instance }} of {{ $labels.job }} is down"
"#;

const TEST: &str = r#"
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="node", instance="a"}'
        values: '1 1 0x5'
      - series: 'up{job="node", instance="b"}'
        values: '1+0x6'
    alert_rule_test:
      - eval_time: 3m
        alertname: InstanceDown
      - eval_time: 4m30s
        alertname: InstanceDown
        exp_alerts:
          - exp_labels: {severity: page, job: node, instance: a}
            exp_annotations: {summary: "a of node is down"}
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn passing_file_reports_success() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rules.yml", RULES);
    let test = write(dir.path(), "test.yml", TEST);
    let report = run_test_files(&[test]);
    assert!(report.passed(), "{report}");
    assert_eq!(report.files[0].cases, 2);
    assert!(report.to_string().contains("SUCCESS"));
}

#[test]
fn failing_case_shows_expected_and_got() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rules.yml", RULES);
    let wrong = TEST.replace(
        "eval_time: 3m\n",
        "eval_time: 3m\n        exp_alerts: [{exp_labels: {instance: z}}]\n",
    );
    let test = write(dir.path(), "test.yml", &wrong);
    let report = run_test_files(&[test]);
    assert!(!report.passed());
    let text = report.to_string();
    assert!(
        text.contains("alertname InstanceDown, eval_time 3m"),
        "{text}"
    );
    assert!(
        text.contains("{alertname=\"InstanceDown\", instance=\"z\"}"),
        "{text}"
    );
    assert!(text.contains("(none)"), "{text}");
}

#[test]
fn stale_ends_a_series() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "rules.yml",
        "groups:\n  - name: g\n    rules:\n      - alert: Zero\n        expr: up == 0\n",
    );
    let text = "rule_files: [rules.yml]\ntests:\n  - input_series:\n      - series: up\n        values: 0 stale\n    alert_rule_test:\n      - eval_time: 0m\n        alertname: Zero\n        exp_alerts: [{}]\n      - eval_time: 1m\n        alertname: Zero\n";
    let test = write(dir.path(), "t.yml", text);
    let report = run_test_files(&[test]);
    assert!(report.passed(), "{report}");
}

#[test]
fn rule_file_errors_fail_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "rules.yml",
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: soon\n",
    );
    let test = write(dir.path(), "t.yml", "rule_files: [rules.yml]\ntests: []\n");
    let report = run_test_files(&[test]);
    assert!(
        report.to_string().contains("rules.yml:6:14: bad duration"),
        "{report}"
    );
    let missing = run_test_files(&[dir.path().join("nope.yml")]);
    assert!(!missing.passed());
}
