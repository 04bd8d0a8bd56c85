//! Parser tests: precedence, selectors, grouping, modifiers, error offsets.

use super::*;
use crate::rules::expr::MatchOp;

fn binary_parts(node: &Node) -> (BinOp, &Node, &Node) {
    match &node.kind {
        NodeKind::Binary { op, lhs, rhs, .. } => (*op, lhs, rhs),
        other => panic!("not binary: {other:?}"),
    }
}

#[test]
fn precedence_of_arithmetic_and_comparison() {
    let node = parse("a / b * 100 > 90 and c").unwrap();
    let (op, lhs, _) = binary_parts(&node);
    assert_eq!(op, BinOp::And);
    let (op, lhs, rhs) = binary_parts(lhs);
    assert_eq!(op, BinOp::Gt);
    assert_eq!(rhs.kind, NodeKind::Number(90.0));
    assert_eq!(binary_parts(lhs).0, BinOp::Mul);
}

#[test]
fn power_is_right_associative_and_binds_tighter_than_minus() {
    let node = parse("-2 ^ 3 ^ 2").unwrap();
    let NodeKind::Negate(inner) = &node.kind else {
        panic!("expected negate, got {node:?}")
    };
    let (op, _, rhs) = binary_parts(inner);
    assert_eq!(op, BinOp::Pow);
    assert_eq!(binary_parts(rhs).0, BinOp::Pow);
}

#[test]
fn selector_with_matchers_range_and_offset() {
    let node = parse(r#"node_fs{mountpoint="/",fstype!~"tmpfs|ramfs"}[5m] offset 1m"#).unwrap();
    let NodeKind::Selector(selector) = node.kind else {
        panic!("expected selector")
    };
    assert_eq!(selector.metric, "node_fs");
    assert_eq!(selector.matchers.len(), 2);
    assert_eq!(selector.matchers[1].op, MatchOp::NotRegex);
    assert_eq!(selector.range_ms, Some(300_000));
    assert_eq!(selector.offset_ms, 60_000);
}

#[test]
fn aggregation_grouping_before_or_after() {
    for text in ["sum by (job) (x)", "sum(x) by (job)"] {
        let node = parse(text).unwrap();
        let NodeKind::Aggregate { grouping, .. } = node.kind else {
            panic!("expected aggregate for {text}")
        };
        assert_eq!(grouping, Grouping::By(vec!["job".into()]));
    }
}

#[test]
fn dotted_names_map_to_underscores() {
    let node = parse("system.cpu.usage_percent > 90").unwrap();
    let (_, lhs, _) = binary_parts(&node);
    let NodeKind::Selector(selector) = &lhs.kind else {
        panic!("expected selector")
    };
    assert_eq!(selector.metric, "system_cpu_usage_percent");
}

#[test]
fn matching_and_bool_modifiers() {
    let node = parse("a > bool on(x, y) b").unwrap();
    let NodeKind::Binary {
        return_bool,
        matching,
        ..
    } = node.kind
    else {
        panic!("expected binary")
    };
    assert!(return_bool);
    assert_eq!(matching, Some(Matching::On(vec!["x".into(), "y".into()])));
}

#[test]
fn syntax_errors_point_at_the_offending_token() {
    let err = parse("rate(x[5m]").unwrap_err();
    assert_eq!(err.offset, 10);
    let err = parse("x{a=b}").unwrap_err();
    assert_eq!(err.offset, 4);
    assert!(err.message.contains("quoted label value"), "{err}");
    let err = parse("x[5]").unwrap_err();
    assert_eq!(err.offset, 2);
    assert!(err.message.contains("unit"));
    let err = parse("x + ").unwrap_err();
    assert_eq!(err.offset, 4);
    let err = parse("x y").unwrap_err();
    assert_eq!(err.offset, 2);
    let err = parse("a * on(x) group_left b").unwrap_err();
    assert_eq!(err.offset, 10);
    let err = parse("x + bool y").unwrap_err();
    assert_eq!(err.offset, 4);
}
