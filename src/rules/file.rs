//! Loading rule files: read, locate, validate piece by piece, and collect every error of every
//! file as a `Diagnostic` (`FILE:LINE:COL: message`).
//!
//! A file holds `groups:` (Prometheus-like, see `rule_parse`) and/or the seed's `alerts:`
//! shorthand (see `shorthand`). Nothing is returned unless every file is clean.

use super::locate::{Locator, Position};
use super::model::RuleGroup;
use super::{rule_parse, shorthand};
use crate::model::Labels;
use crate::model::duration::parse_duration;
use serde_yaml::{Mapping, Value};
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One error in a rule file, with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file.
    pub file: PathBuf,
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        write!(f, "{file}:{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Collects the diagnostics of one file, positioned through its `Locator`.
pub struct Checker<'a> {
    file: &'a Path,
    locator: &'a Locator,
    /// The diagnostics so far.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    /// A checker for `file`.
    pub fn new(file: &'a Path, locator: &'a Locator) -> Self {
        Self {
            file,
            locator,
            diagnostics: Vec::new(),
        }
    }

    fn push(&mut self, position: Position, message: String) {
        self.diagnostics.push(Diagnostic {
            file: self.file.to_owned(),
            line: position.line,
            column: position.column,
            message,
        });
    }

    /// An error about the value at `path`.
    pub fn at_value(&mut self, path: &str, message: impl Into<String>) {
        self.push(self.locator.value(path), message.into());
    }

    /// An error about the key naming `path`.
    pub fn at_key(&mut self, path: &str, message: impl Into<String>) {
        self.push(self.locator.key(path), message.into());
    }

    /// An error at byte `offset` inside the scalar at `path`.
    pub fn inside(&mut self, path: &str, offset: usize, message: impl Into<String>) {
        self.push(self.locator.inside(path, offset), message.into());
    }

    /// Reports every key of `map` not in `known` as unknown; returns false if there was one.
    pub fn known_keys(&mut self, map: &Mapping, path: &str, known: &[&str], what: &str) -> bool {
        let mut clean = true;
        for key in map.keys() {
            let name = key
                .as_str()
                .map_or_else(|| format!("{key:?}"), str::to_owned);
            if !known.contains(&name.as_str()) {
                let key_path = join(path, &name);
                self.at_key(
                    &key_path,
                    format!(
                        "unknown key {name:?} in {what} (known: {})",
                        known.join(", ")
                    ),
                );
                clean = false;
            }
        }
        clean
    }

    /// A string field; an error if present but not a string.
    pub fn string(&mut self, map: &Mapping, path: &str, key: &str) -> Option<String> {
        match map.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => {
                self.at_value(&join(path, key), format!("{key} must be a string"));
                None
            }
        }
    }

    /// A duration field (`5m`, `0`); bad ones are reported.
    pub fn duration(&mut self, map: &Mapping, path: &str, key: &str) -> Option<Duration> {
        let text = self.string(map, path, key)?;
        match parse_duration(&text) {
            Ok(duration) => Some(duration),
            Err(e) => {
                self.at_value(&join(path, key), format!("bad duration in {key}: {e}"));
                None
            }
        }
    }

    /// A `name: string` map field (labels, annotations).
    pub fn string_map(&mut self, map: &Mapping, path: &str, key: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match map.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Mapping(entries)) => {
                for (name, value) in entries {
                    let name = name.as_str().unwrap_or_default().to_owned();
                    let entry_path = join(&join(path, key), &name);
                    match value {
                        Value::String(s) => out.push((name, s.clone())),
                        Value::Number(n) => out.push((name, n.to_string())),
                        Value::Bool(b) => out.push((name, b.to_string())),
                        _ => self.at_value(&entry_path, format!("{key}.{name} must be a string")),
                    }
                }
            }
            Some(_) => self.at_value(&join(path, key), format!("{key} must be a mapping")),
        }
        out
    }
}

/// `parent.key`, or `key` at the top.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// Loads and validates every file; all groups, or every diagnostic of every file.
pub fn load_rule_files(paths: &[PathBuf]) -> Result<Vec<RuleGroup>, Vec<Diagnostic>> {
    let mut groups = Vec::new();
    let mut diagnostics = Vec::new();
    for path in paths {
        match load_rule_file(path) {
            Ok(mut loaded) => groups.append(&mut loaded),
            Err(mut errors) => diagnostics.append(&mut errors),
        }
    }
    if diagnostics.is_empty() {
        Ok(groups)
    } else {
        Err(diagnostics)
    }
}

/// Loads one file.
pub fn load_rule_file(path: &Path) -> Result<Vec<RuleGroup>, Vec<Diagnostic>> {
    let at_start = |message: String| {
        vec![Diagnostic {
            file: path.to_owned(),
            line: 1,
            column: 1,
            message,
        }]
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| at_start(format!("cannot read rule file: {e}")))?;
    parse_rule_text(path, &text)
}

/// Parses rule file text (`path` names it in diagnostics).
pub fn parse_rule_text(path: &Path, text: &str) -> Result<Vec<RuleGroup>, Vec<Diagnostic>> {
    let locator = Locator::new(text).map_err(|(position, message)| {
        vec![Diagnostic {
            file: path.to_owned(),
            line: position.line,
            column: position.column,
            message: format!("yaml syntax error: {message}"),
        }]
    })?;
    let mut checker = Checker::new(path, &locator);
    let root: Value = match serde_yaml::from_str(text) {
        Ok(value) => value,
        Err(e) => {
            checker.at_value("", format!("yaml error: {e}"));
            return Err(checker.diagnostics);
        }
    };
    let groups = match &root {
        Value::Null => Vec::new(),
        Value::Mapping(map) => parse_root(&mut checker, map, path),
        _ => {
            checker.at_value(
                "",
                "a rule file must be a mapping with `groups:` or `alerts:`",
            );
            Vec::new()
        }
    };
    if checker.diagnostics.is_empty() {
        Ok(groups)
    } else {
        Err(checker.diagnostics)
    }
}

fn parse_root(checker: &mut Checker<'_>, map: &Mapping, path: &Path) -> Vec<RuleGroup> {
    checker.known_keys(map, "", &["groups", "alerts"], "a rule file");
    let mut groups = Vec::new();
    match map.get("groups") {
        None | Some(Value::Null) => {}
        Some(Value::Sequence(items)) => {
            for (index, item) in items.iter().enumerate() {
                let group_path = format!("groups[{index}]");
                if let Some(group) = parse_group(checker, item, &group_path, path) {
                    groups.push(group);
                }
            }
        }
        Some(_) => checker.at_value("groups", "groups must be a list"),
    }
    let mut seen = HashSet::new();
    for (index, group) in groups.iter().enumerate() {
        if !seen.insert(group.name.clone()) {
            let message = format!("duplicate group name {:?}", group.name);
            checker.at_value(&format!("groups[{index}].name"), message);
        }
    }
    if let Some(alerts) = map.get("alerts") {
        for group in shorthand::parse_alerts(checker, alerts, path) {
            if !seen.insert(group.name.clone()) {
                let message = format!("duplicate group name {:?} (also under groups)", group.name);
                checker.at_key(&format!("alerts.{}", group.name), message);
            }
            groups.push(group);
        }
    }
    groups
}

const GROUP_KEYS: [&str; 4] = ["name", "interval", "labels", "rules"];

fn parse_group(
    checker: &mut Checker<'_>,
    item: &Value,
    path: &str,
    file: &Path,
) -> Option<RuleGroup> {
    let Value::Mapping(map) = item else {
        checker.at_value(path, "a group must be a mapping");
        return None;
    };
    checker.known_keys(map, path, &GROUP_KEYS, "a group");
    let name = checker.string(map, path, "name");
    if name.as_deref().is_none_or(str::is_empty) {
        checker.at_value(path, "a group needs a `name`");
    }
    let interval = checker.duration(map, path, "interval");
    let labels = Labels::from_pairs(checker.string_map(map, path, "labels"));
    let mut rules = Vec::new();
    let mut names = HashSet::new();
    match map.get("rules") {
        Some(Value::Sequence(items)) => {
            for (index, item) in items.iter().enumerate() {
                let rule_path = format!("{path}.rules[{index}]");
                let name = item
                    .get("alert")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if !name.is_empty() && !names.insert(name.to_owned()) {
                    let message = format!("duplicate alert name {name:?} in group");
                    checker.at_value(&join(&rule_path, "alert"), message);
                }
                let parsed = rule_parse::parse_rule(checker, item, &rule_path, &labels);
                if let Some((rule, true)) = parsed {
                    rules.push(rule);
                }
            }
        }
        None | Some(Value::Null) => {}
        Some(_) => checker.at_value(&join(path, "rules"), "rules must be a list"),
    }
    Some(RuleGroup {
        name: name.unwrap_or_default(),
        file: file.to_owned(),
        interval,
        labels,
        rules,
    })
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
