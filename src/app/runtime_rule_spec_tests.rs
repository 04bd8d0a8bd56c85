//! Tests of runtime rule specs: seed 001's and seed 004's shapes load; bad input names its field.

use super::*;

fn spec(body: Value) -> Result<RuleGroup, SpecError> {
    RuntimeRuleSpec::from_json(&body)?.validate()
}

fn field_of(body: Value) -> String {
    spec(body).unwrap_err().field
}

#[test]
fn seed_001_shape_loads_as_a_threshold_rule() {
    let group = spec(json!({
        "name": "high_memory_usage",
        "type": "threshold",
        "metric": "memory.usage_percent",
        "condition": "greater_than",
        "threshold": 90,
        "duration_seconds": 300,
        "severity": "warning",
        "notify": {"email": ["admin@example.com"], "webhook": "https://example.com/alerts"}
    }))
    .unwrap();
    assert_eq!(group.name, RUNTIME_GROUP);
    let rule = &group.rules[0];
    assert_eq!(rule.name, "high_memory_usage");
    assert_eq!(rule.expr_text, "memory_usage_percent > 90");
    assert_eq!(rule.hold, Duration::from_secs(300));
    assert_eq!(rule.channels, ["email", "webhook"]);
}

#[test]
fn seed_004_shape_and_expressions_load() {
    let group = spec(json!({
        "name": "slow_response", "metric": "app.health.response_time_ms",
        "threshold": 2000.0, "operator": "gt", "duration_seconds": 0,
        "severity": "warning", "channels": ["slack", "log"]
    }))
    .unwrap();
    assert_eq!(
        group.rules[0].expr_text,
        "app_health_response_time_ms > 2000"
    );
    let group = spec(json!({"name": "Busy", "expression": "rate(x[5m])", "threshold": 3, "operator": ">=", "duration": "1m"})).unwrap();
    assert_eq!(group.rules[0].expr_text, "(rate(x[5m])) >= 3");
    assert_eq!(group.rules[0].hold, Duration::from_secs(60));
    let group = spec(json!({"name": "Down", "expression": "up == 0"})).unwrap();
    assert_eq!(group.rules[0].expr_text, "(up == 0)");
}

#[test]
fn bad_input_names_the_field() {
    let base = || json!({"name": "a", "metric": "m", "threshold": 1, "operator": "gt"});
    let with = |key: &str, value: Value| {
        let mut body = base();
        body[key] = value;
        body
    };
    assert_eq!(field_of(with("name", json!("has space"))), "name");
    assert_eq!(field_of(with("threshold", json!("ninety"))), "threshold");
    assert_eq!(field_of(with("operator", json!("bigger"))), "operator");
    assert_eq!(
        field_of(with("duration_seconds", json!(-1))),
        "duration_seconds"
    );
    assert_eq!(field_of(with("type", json!("anomaly"))), "type");
    assert_eq!(field_of(with("colour", json!("red"))), "colour");
    assert_eq!(field_of(with("metric", json!("cpu{"))), "metric");
    assert_eq!(
        field_of(with("annotations", json!({"summary": "{{ $nope }}"}))),
        "annotations"
    );
    assert_eq!(
        field_of(json!({"name": "a", "threshold": 1, "operator": "gt"})),
        "metric"
    );
    assert_eq!(
        field_of(json!({"name": "a", "metric": "m", "operator": "gt"})),
        "threshold"
    );
}

#[test]
fn stored_specs_build_one_group_and_skip_broken_ones() {
    let good = RuntimeRuleSpec::from_json(
        &json!({"name": "a", "metric": "m", "threshold": 1, "operator": "lt"}),
    )
    .unwrap();
    let broken = RuntimeRuleSpec {
        name: "b".to_owned(),
        ..RuntimeRuleSpec::default()
    };
    let other = RuntimeRuleSpec {
        name: "c".to_owned(),
        ..good.clone()
    };
    let groups = runtime_groups(&[good.clone(), broken, other]);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].rules.len(), 2);
    assert!(runtime_groups(&[]).is_empty());
    let text = serde_json::to_string(&good).unwrap();
    assert_eq!(
        text,
        r#"{"name":"a","metric":"m","threshold":1.0,"operator":"lt"}"#
    );
}
