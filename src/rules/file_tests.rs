//! Tests of rule file loading and positioned diagnostics.

use super::parse_rule_text;
use crate::rules::model::{AlertRule, Clear, CompareOp};
use std::path::Path;

const GOOD: &str = r#"
groups:
  - name: host
    interval: 30s
    labels: {team: ops}
    rules:
      - alert: HighCpu
        expr: system_cpu_usage_percent
        thresholds: {warning: "> 80", critical: "> 90"}
        clear: "< 70"
        for: 5m
        keep_firing_for: 1m
        values: {load: node_load1}
        labels: {instance: "{{ $labels.instance }}"}
        annotations:
          summary: "cpu {{ $value | printf \"%.0f\" }}%, load {{ $values.load }}"
        channels: [slack]
      - alert: Off
        expr: up == 0
        enabled: false
"#;

fn errors(text: &str) -> Vec<String> {
    match parse_rule_text(Path::new("r.yml"), text) {
        Ok(groups) => panic!("expected errors, got {} groups", groups.len()),
        Err(diagnostics) => diagnostics.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn loads_a_full_rule() {
    let groups = parse_rule_text(Path::new("r.yml"), GOOD).unwrap();
    assert_eq!(groups.len(), 1);
    let group = &groups[0];
    assert_eq!(group.interval, Some(std::time::Duration::from_secs(30)));
    assert_eq!(group.rules.len(), 1, "the disabled rule is dropped");
    let rule = &group.rules[0];
    assert_eq!(rule.name, "HighCpu");
    assert_eq!(rule.thresholds[0].severity, "critical");
    assert_eq!(rule.thresholds[1].comparison.op, CompareOp::Greater);
    assert!(matches!(rule.clear, Some(Clear::Comparison(c)) if c.threshold == 70.0));
    assert_eq!(rule.hold.as_secs(), 300);
    assert_eq!(rule.keep_firing_for.as_secs(), 60);
    assert_eq!(rule.values[0].0, "load");
    assert!(rule.labels.iter().any(|(k, _)| k == "team"));
    assert_eq!(rule.channels, ["slack"]);
}

#[test]
fn reports_every_error_with_its_position() {
    let text = "\
groups:
  - name: g
    rules:
      - alert: A
        expr: up == 0
        for: fivemin
        colour: red
        annotations:
          summary: \"{{ $value | humanise }}\"
      - alert: A
        expr: up >> 0
";
    let got = errors(text);
    assert!(
        got.iter()
            .any(|e| e.starts_with("r.yml:6:14: bad duration")),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|e| e.starts_with("r.yml:7:9: unknown key \"colour\"")),
        "{got:#?}"
    );
    // The template error points inside the quoted scalar, at the function name.
    assert!(
        got.iter()
            .any(|e| e.starts_with("r.yml:9:33: bad template")),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|e| e.starts_with("r.yml:10:16: duplicate alert name \"A\"")),
        "{got:#?}"
    );
    let expr_error = got.iter().find(|e| e.contains("bad expression")).unwrap();
    assert!(expr_error.starts_with("r.yml:11:"), "{expr_error}");
    assert_eq!(got.len(), 5, "{got:#?}");
}

#[test]
fn unknown_function_is_reported() {
    let got = errors(
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: frobnicate(up)\n",
    );
    assert!(
        got.iter()
            .any(|e| e.starts_with("r.yml:5:") && e.contains("frobnicate")),
        "{got:#?}"
    );
}

#[test]
fn clear_comparison_needs_thresholds() {
    let got = errors(
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: cpu > 90\n        clear: \"< 80\"\n",
    );
    assert!(
        got[0].starts_with("r.yml:6:16: clear as a bare comparison needs"),
        "{got:#?}"
    );
}

#[test]
fn syntax_error_is_positioned() {
    let got = errors("groups:\n  - name: [g\n");
    assert!(
        got[0].starts_with("r.yml:") && got[0].contains("yaml syntax error"),
        "{got:#?}"
    );
}

const SEED: &str = r#"
alerts:
  system:
    high_cpu:
      metric: "system.cpu.usage_percent"
      threshold: 80.0
      operator: "gt"
      duration_seconds: 300
      severity: "warning"
      channels: ["slack"]

    critical_memory:
      metric: "system.memory.usage_percent"
      threshold: 95.0
      operator: "gt"
      duration_seconds: 60
      severity: "critical"
      channels: ["slack", "email"]
  application:
    app_down:
      metric: "app.health.status"
      threshold: 0.5
      operator: "lt"
      duration_seconds: 30
      severity: "critical"
      enabled: true
      channels: ["slack", "email", "log"]
"#;

#[test]
fn seed_shorthand_loads_unchanged() {
    let groups = parse_rule_text(Path::new("seed.yml"), SEED).unwrap();
    let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["system", "application"]);
    let cpu = &groups[0].rules[0];
    assert_eq!(cpu.name, "high_cpu");
    assert_eq!(cpu.expr_text, "system_cpu_usage_percent > 80");
    assert_eq!(cpu.hold.as_secs(), 300);
    assert_eq!(cpu.channels, ["slack"]);
    let label = |rule: &AlertRule, name: &str| {
        rule.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, t)| t.source().to_owned())
    };
    assert_eq!(label(cpu, "severity").as_deref(), Some("warning"));
    assert_eq!(label(cpu, "category").as_deref(), Some("system"));
    assert_eq!(groups[1].rules[0].expr_text, "app_health_status < 0.5");
}

#[test]
fn seed_shorthand_errors_are_positioned() {
    let text = "alerts:\n  system:\n    high_cpu:\n      metric: cpu\n      threshold: high\n      operator: above\n      colour: red\n";
    let got = errors(text);
    assert!(
        got.iter()
            .any(|e| e.starts_with("r.yml:7:7: unknown key \"colour\"")),
        "{got:#?}"
    );
    assert!(
        got.iter().any(|e| e.starts_with("r.yml:5:18: bad alert")),
        "{got:#?}"
    );
}

#[test]
fn every_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yml");
    let b = dir.path().join("b.yml");
    std::fs::write(&a, "groups:\n  - name: g\n    bogus: 1\n").unwrap();
    std::fs::write(
        &b,
        "alerts:\n  c:\n    n: {metric: m, threshold: 1, operator: gt, duration_seconds: -1}\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.yml");
    let errors =
        crate::rules::load_rule_files(&[a.clone(), b.clone(), missing.clone()]).unwrap_err();
    let files: Vec<&Path> = errors.iter().map(|d| d.file.as_path()).collect();
    assert_eq!(
        files,
        [a.as_path(), b.as_path(), missing.as_path()],
        "{errors:?}"
    );
    assert_eq!((errors[0].line, errors[0].column), (3, 5));
    assert!(
        errors[1].message.contains("duration_seconds"),
        "{}",
        errors[1]
    );
    assert!(errors[2].message.starts_with("cannot read rule file"));
}
