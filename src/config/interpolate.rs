//! `${VAR}` and `${VAR:-default}` in string values, resolved after parsing.
//!
//! Interpolating the parsed tree (not the raw text) means a value can never inject YAML
//! structure, and every missing variable is reported at the scalar that names it. `$$` is a
//! literal `$`. An unquoted scalar that was entirely one `${...}` is re-typed after substitution,
//! so `port: ${PORT}` yields a number.

use super::diagnostic::Diagnostic;
use super::source::{SourceMap, child_path, index_path};
use serde_yaml::Value;

/// Replaces references in every string of `value`; returns a diagnostic per unset variable.
pub fn interpolate_tree(
    value: &mut Value,
    file: &str,
    map: &SourceMap,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    walk(value, "", file, map, lookup, &mut problems);
    problems
}

fn walk(
    value: &mut Value,
    path: &str,
    file: &str,
    map: &SourceMap,
    lookup: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<Diagnostic>,
) {
    match value {
        Value::String(text) if text.contains('$') => match interpolate(text, lookup) {
            Ok(result) => {
                let whole_reference = text.starts_with("${") && text.ends_with('}');
                let plain = map.node(path).is_some_and(|n| n.plain_scalar);
                *value = if whole_reference && plain {
                    retype(result)
                } else {
                    Value::String(result)
                };
            }
            Err(messages) => {
                let position = map.locate(path);
                for message in messages {
                    problems.push(Diagnostic::new(file, position, message));
                }
            }
        },
        Value::Mapping(mapping) => {
            for (key, child) in mapping.iter_mut() {
                let key = key.as_str().map(str::to_owned).unwrap_or_default();
                walk(child, &child_path(path, &key), file, map, lookup, problems);
            }
        }
        Value::Sequence(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                walk(child, &index_path(path, i), file, map, lookup, problems);
            }
        }
        _ => {}
    }
}

/// Re-reads a substituted plain scalar as YAML, keeping it a string unless it is a scalar.
fn retype(text: String) -> Value {
    match serde_yaml::from_str::<Value>(&text) {
        Ok(v @ (Value::Number(_) | Value::Bool(_))) => v,
        _ => Value::String(text),
    }
}

/// Substitutes `${VAR}`, `${VAR:-default}` and `$$` in `text`.
pub fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Vec<String>> {
    let mut out = String::with_capacity(text.len());
    let mut problems = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                problems.push(format!("unterminated variable reference in {text:?}"));
                return Err(problems);
            };
            let reference = &body[..end];
            let (name, default) = match reference.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (reference, None),
            };
            if !is_variable_name(name) {
                problems.push(format!("invalid variable name {name:?} in {text:?}"));
            } else {
                match (lookup(name).filter(|v| !v.is_empty() || default.is_none()), default) {
                    (Some(value), _) => out.push_str(&value),
                    (None, Some(default)) => out.push_str(default),
                    (None, None) => problems.push(format!(
                        "environment variable {name} is not set (write ${{{name}:-default}} for a default)"
                    )),
                }
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("example".into()),
            "EMPTY" => Some(String::new()),
            "PORT" => Some("8080".into()),
            _ => None,
        }
    }

    #[test]
    fn substitutes_defaults_and_escapes() {
        assert_eq!(interpolate("${HOST}:1", &env).unwrap(), "example:1");
        assert_eq!(interpolate("${NOPE:-x}", &env).unwrap(), "x");
        assert_eq!(interpolate("${EMPTY:-d}", &env).unwrap(), "d");
        assert_eq!(interpolate("${EMPTY}", &env).unwrap(), "");
        assert_eq!(interpolate("$$HOME $5", &env).unwrap(), "$HOME $5");
    }

    #[test]
    fn names_every_unset_variable() {
        let problems = interpolate("${A}-${B}", &env).unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(problems[0].contains("environment variable A is not set"));
        assert!(problems[1].contains("environment variable B is not set"));
    }

    #[test]
    fn retypes_a_whole_plain_reference() {
        let text = "port: ${PORT}\nquoted: \"${PORT}\"\n";
        let mut value: Value = serde_yaml::from_str(text).unwrap();
        let map = SourceMap::parse(text);
        assert!(interpolate_tree(&mut value, "f.yml", &map, &env).is_empty());
        assert_eq!(value["port"], Value::from(8080));
        assert_eq!(value["quoted"], Value::from("8080"));
    }
}
