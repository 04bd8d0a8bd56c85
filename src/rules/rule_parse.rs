//! Validating and compiling one `groups[].rules[]` entry into an `AlertRule`, reporting every
//! problem (unknown key, bad duration, bad expression at its exact column, bad template, ...).

use super::expr::compile;
use super::file::{Checker, join};
use super::model::{AlertRule, Clear, Comparison, Threshold, severity_rank};
use super::template::Template;
use crate::model::Labels;
use serde_yaml::{Mapping, Value};
use std::sync::Arc;
use std::time::Duration;

const RULE_KEYS: [&str; 12] = [
    "alert",
    "expr",
    "for",
    "keep_firing_for",
    "labels",
    "annotations",
    "severity",
    "channels",
    "thresholds",
    "clear",
    "values",
    "enabled",
];

/// Parses one rule; `None` when it is too broken to build (errors are in `checker`).
/// The flag is `enabled`.
pub fn parse_rule(
    checker: &mut Checker<'_>,
    item: &Value,
    path: &str,
    group_labels: &Labels,
) -> Option<(AlertRule, bool)> {
    let Value::Mapping(map) = item else {
        checker.at_value(path, "a rule must be a mapping");
        return None;
    };
    if map.contains_key("record") {
        checker.at_key(
            &join(path, "record"),
            "recording rules are not supported; use `alert`",
        );
        return None;
    }
    checker.known_keys(map, path, &RULE_KEYS, "a rule");
    let name = checker.string(map, path, "alert").unwrap_or_default();
    if name.is_empty() {
        checker.at_value(path, "a rule needs an `alert` name");
    }
    let expr_text = checker.string(map, path, "expr");
    if expr_text.is_none() {
        checker.at_value(path, "a rule needs an `expr`");
    }
    let expr = expr_text
        .as_deref()
        .and_then(|text| compile_at(checker, text, &join(path, "expr")));
    let hold = checker.duration(map, path, "for").unwrap_or(Duration::ZERO);
    let keep_firing_for = checker
        .duration(map, path, "keep_firing_for")
        .unwrap_or(Duration::ZERO);
    let thresholds = parse_thresholds(checker, map, path);
    let clear = parse_clear(checker, map, path, !thresholds.is_empty());
    let values = parse_values(checker, map, path);
    let value_names: Vec<String> = values.iter().map(|(n, _)| n.clone()).collect();
    let labels = parse_labels(
        checker,
        map,
        path,
        group_labels,
        &value_names,
        !thresholds.is_empty(),
    );
    let annotations = templates(checker, map, path, "annotations", &value_names);
    let channels = parse_channels(checker, map, path);
    let enabled = match map.get("enabled") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            checker.at_value(&join(path, "enabled"), "enabled must be true or false");
            true
        }
    };
    let definition = format!(
        "{}{group_labels}",
        serde_yaml::to_string(item).unwrap_or_default()
    );
    let rule = AlertRule {
        name,
        expr_text: expr_text.unwrap_or_default(),
        expr: expr?,
        hold,
        keep_firing_for,
        thresholds,
        clear,
        values,
        labels,
        annotations,
        channels,
        definition,
    };
    Some((rule, enabled))
}

/// Compiles an expression, reporting its error at the exact column inside the scalar.
pub fn compile_at(
    checker: &mut Checker<'_>,
    text: &str,
    path: &str,
) -> Option<Arc<super::expr::CompiledExpr>> {
    match compile(text) {
        Ok(expr) => Some(Arc::new(expr)),
        Err(e) => {
            checker.inside(path, e.offset, format!("bad expression: {}", e.message));
            None
        }
    }
}

fn parse_thresholds(checker: &mut Checker<'_>, map: &Mapping, path: &str) -> Vec<Threshold> {
    let mut out = Vec::new();
    for (severity, text) in checker.string_map(map, path, "thresholds") {
        match Comparison::parse(&text) {
            Ok(comparison) => out.push(Threshold {
                rank: severity_rank(&severity),
                severity,
                comparison,
            }),
            Err(e) => checker.at_value(&join(&join(path, "thresholds"), &severity), e),
        }
    }
    out.sort_by_key(|t| std::cmp::Reverse(t.rank));
    out
}

fn looks_like_comparison(text: &str) -> bool {
    let text = text.trim_start();
    text.starts_with(['<', '>', '=', '!'])
        || ["gt ", "lt ", "gte ", "lte ", "eq ", "ne "]
            .iter()
            .any(|w| text.starts_with(w))
}

fn parse_clear(
    checker: &mut Checker<'_>,
    map: &Mapping,
    path: &str,
    has_thresholds: bool,
) -> Option<Clear> {
    let text = checker.string(map, path, "clear")?;
    let clear_path = join(path, "clear");
    if !looks_like_comparison(&text) {
        return compile_at(checker, &text, &clear_path).map(Clear::Expr);
    }
    if !has_thresholds {
        let message = "clear as a bare comparison needs `thresholds` (it applies to the value of \
                       `expr`); write `clear` as a whole expression instead";
        checker.at_value(&clear_path, message);
        return None;
    }
    match Comparison::parse(&text) {
        Ok(comparison) => Some(Clear::Comparison(comparison)),
        Err(e) => {
            checker.at_value(&clear_path, e);
            None
        }
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_values(
    checker: &mut Checker<'_>,
    map: &Mapping,
    path: &str,
) -> Vec<(String, Arc<super::expr::CompiledExpr>)> {
    let mut out = Vec::new();
    for (name, text) in checker.string_map(map, path, "values") {
        let value_path = join(&join(path, "values"), &name);
        if !is_identifier(&name) {
            checker.at_key(
                &value_path,
                format!("value name {name:?} must be an identifier"),
            );
        }
        if let Some(expr) = compile_at(checker, &text, &value_path) {
            out.push((name, expr));
        }
    }
    out
}

fn templates(
    checker: &mut Checker<'_>,
    map: &Mapping,
    path: &str,
    key: &str,
    names: &[String],
) -> Vec<(String, Template)> {
    let mut out = Vec::new();
    for (name, text) in checker.string_map(map, path, key) {
        let entry_path = join(&join(path, key), &name);
        if key == "labels" && !is_identifier(&name) {
            checker.at_key(&entry_path, format!("label name {name:?} is not valid"));
        }
        match Template::parse(&text, names) {
            Ok(template) => out.push((name, template)),
            Err(e) => checker.inside(
                &entry_path,
                e.offset,
                format!("bad template in {key}.{name}: {}", e.message),
            ),
        }
    }
    out
}

fn parse_labels(
    checker: &mut Checker<'_>,
    map: &Mapping,
    path: &str,
    group_labels: &Labels,
    names: &[String],
    has_thresholds: bool,
) -> Vec<(String, Template)> {
    let mut labels: Vec<(String, Template)> = group_labels
        .iter()
        .filter_map(|(k, v)| Template::parse(v, &[]).ok().map(|t| (k.to_owned(), t)))
        .collect();
    for (name, template) in templates(checker, map, path, "labels", names) {
        if name == "alertname" {
            checker.at_key(
                &join(&join(path, "labels"), &name),
                "labels cannot set alertname",
            );
        }
        labels.retain(|(n, _)| *n != name);
        labels.push((name, template));
    }
    if let Some(severity) = checker.string(map, path, "severity") {
        if has_thresholds {
            checker.at_key(
                &join(path, "severity"),
                "severity conflicts with thresholds, which set it",
            );
        }
        labels.retain(|(n, _)| n != "severity");
        match Template::parse(&severity, &[]) {
            Ok(template) => labels.push(("severity".to_owned(), template)),
            Err(e) => checker.at_value(
                &join(path, "severity"),
                format!("bad severity: {}", e.message),
            ),
        }
    }
    labels
}

fn parse_channels(checker: &mut Checker<'_>, map: &Mapping, path: &str) -> Vec<String> {
    match map.get("channels") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Sequence(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item.as_str() {
                Some(name) => Some(name.to_owned()),
                None => {
                    checker.at_value(&format!("{path}.channels[{i}]"), "a channel must be a name");
                    None
                }
            })
            .collect(),
        Some(_) => {
            checker.at_value(&join(path, "channels"), "channels must be a list of names");
            Vec::new()
        }
    }
}
