//! Loads a YAML file into a typed value, collecting every error with its position.
//!
//! serde stops at the first error, so loading is a loop: deserialize the (interpolated) tree,
//! and on an error record it at the failing node's position, cut that node out (its field falls
//! back to its default) and try again. The result is every type error, unknown key and unset
//! variable of the file in one run, each as `FILE:LINE:COL: message`.

use super::diagnostic::Diagnostic;
use super::interpolate::interpolate_tree;
use super::source::{Position, SourceMap, child_path, index_path};
use serde::de::DeserializeOwned;
use serde_yaml::Value;
use std::collections::HashMap;

/// At most this many errors are reported per file; past that the file is hopeless anyway.
const MAX_ERRORS: usize = 50;

/// A typed document with the source map that locates its nodes (for later semantic checks).
#[derive(Debug)]
pub struct Loaded<T> {
    /// The deserialized value.
    pub value: T,
    /// Positions of the document's nodes.
    pub map: SourceMap,
}

/// Parses `text` (named `file` in messages) into `T`, resolving `${VAR}` through `lookup`.
pub fn load_yaml<T: DeserializeOwned>(
    file: &str,
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded<T>, Vec<Diagnostic>> {
    match load_yaml_partial(file, text, lookup) {
        (Some(loaded), problems) if problems.is_empty() => Ok(loaded),
        (_, problems) => Err(problems),
    }
}

/// Like `load_yaml`, but also returns the value built after cutting out the broken nodes, so
/// semantic checks can still run on the rest and report their errors in the same pass.
pub fn load_yaml_partial<T: DeserializeOwned>(
    file: &str,
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> (Option<Loaded<T>>, Vec<Diagnostic>) {
    let mut tree: Value = match serde_yaml::from_str(text) {
        Ok(Value::Null) => Value::Mapping(Default::default()),
        Ok(tree) => tree,
        Err(error) => {
            let position = error
                .location()
                .map_or(Position { line: 1, column: 1 }, |l| Position {
                    line: l.line(),
                    column: l.column(),
                });
            let message = strip_location(&error.to_string());
            return (None, vec![Diagnostic::new(file, position, message)]);
        }
    };
    let map = SourceMap::parse(text);
    let mut problems = interpolate_tree(&mut tree, file, &map, lookup);
    let mut removed = RemovedIndices::default();
    let value = loop {
        match serde_path_to_error::deserialize::<_, T>(tree.clone()) {
            Ok(value) => break Some(value),
            Err(error) => {
                let mut path = segments(error.path());
                let message = error.inner().to_string();
                let unknown = unknown_field(&message);
                if let Some(key) = &unknown
                    && path.last() != Some(&Segment::Key(key.clone()))
                {
                    path.push(Segment::Key(key.clone()));
                }
                let original = removed.original_path(&path);
                let position = if unknown.is_some() {
                    map.locate_key(&original)
                } else {
                    map.locate(&original)
                };
                problems.push(Diagnostic::new(
                    file,
                    position,
                    describe(&original, &message),
                ));
                if problems.len() >= MAX_ERRORS || !removed.cut(&mut tree, &path) {
                    break None;
                }
            }
        }
    };
    problems.sort();
    problems.dedup();
    (value.map(|value| Loaded { value, map }), problems)
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

fn segments(path: &serde_path_to_error::Path) -> Vec<Segment> {
    path.iter()
        .filter_map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
            serde_path_to_error::Segment::Enum { variant } => Some(Segment::Key(variant.clone())),
            serde_path_to_error::Segment::Unknown => None,
        })
        .collect()
}

/// Sequence elements already cut out, so later paths can be mapped back to source indices.
#[derive(Default)]
struct RemovedIndices {
    by_sequence: HashMap<String, Vec<usize>>,
}

impl RemovedIndices {
    /// The source path of a path into the current (cut) tree.
    fn original_path(&self, path: &[Segment]) -> String {
        let mut out = String::new();
        for segment in path {
            out = match segment {
                Segment::Key(key) => child_path(&out, key),
                Segment::Index(index) => {
                    let mut original = *index;
                    if let Some(removed) = self.by_sequence.get(&out) {
                        for r in removed {
                            if *r <= original {
                                original += 1;
                            }
                        }
                    }
                    index_path(&out, original)
                }
            };
        }
        out
    }

    /// Removes the node at `path` from `tree`; false when there is nothing left to cut.
    fn cut(&mut self, tree: &mut Value, path: &[Segment]) -> bool {
        let Some((last, parents)) = path.split_last() else {
            return false;
        };
        let mut node = &mut *tree;
        for segment in parents {
            let next = match (segment, node) {
                (Segment::Key(key), Value::Mapping(m)) => m.get_mut(key.as_str()),
                (Segment::Index(i), Value::Sequence(s)) => s.get_mut(*i),
                _ => None,
            };
            match next {
                Some(next) => node = next,
                None => return false,
            }
        }
        match (last, node) {
            (Segment::Key(key), Value::Mapping(m)) => m.remove(key.as_str()).is_some(),
            (Segment::Index(i), Value::Sequence(s)) if *i < s.len() => {
                s.remove(*i);
                let sequence = self.original_path(parents);
                let original = {
                    let full = self.original_path(path);
                    full.rsplit('[')
                        .next()
                        .and_then(|n| n.trim_end_matches(']').parse().ok())
                        .unwrap_or(*i)
                };
                let removed = self.by_sequence.entry(sequence).or_default();
                removed.push(original);
                removed.sort_unstable();
                true
            }
            _ => false,
        }
    }
}

/// The key named by serde's "unknown field `x`, expected ..." message.
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_owned())
}

/// Prefixes the message with the path, so "invalid type" says which key.
fn describe(path: &str, message: &str) -> String {
    if path.is_empty() || message.starts_with("unknown field") {
        message.to_owned()
    } else {
        format!("{path}: {message}")
    }
}

/// serde_yaml appends " at line L column C"; the diagnostic already carries the position.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::duration::serde_duration;
    use serde::Deserialize;
    use std::time::Duration;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Doc {
        name: String,
        count: u32,
        #[serde(with = "serde_duration")]
        every: Duration,
        items: Vec<Item>,
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Item {
        port: u16,
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn reports_every_error_with_its_position() {
        let text = "name: x\ncount: many\nevery: soon\nitems:\n  - port: 1\n  - port: nope\n  - colour: red\nextra: 1\nsecret: ${UNSET}\n";
        let errors = load_yaml::<Doc>("f.yml", text, &no_env).unwrap_err();
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let joined = lines.join("\n");
        assert!(
            joined.contains("f.yml:2:8: count: invalid type"),
            "{joined}"
        );
        assert!(
            joined.contains("f.yml:3:8: every: invalid duration"),
            "{joined}"
        );
        assert!(
            joined.contains("f.yml:6:11: items[1].port: invalid type"),
            "{joined}"
        );
        assert!(
            joined.contains("f.yml:7:5: unknown field `colour`"),
            "{joined}"
        );
        assert!(
            joined.contains("f.yml:8:1: unknown field `extra`"),
            "{joined}"
        );
        assert!(
            joined.contains("f.yml:9:9: environment variable UNSET is not set"),
            "{joined}"
        );
    }

    #[test]
    fn maps_indices_back_after_a_cut_element() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Ports {
            ports: Vec<u16>,
        }
        let text = "ports:\n  - x\n  - 2\n  - y\n";
        let errors = load_yaml::<Ports>("p.yml", text, &no_env).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!((errors[0].line, errors[1].line), (2, 4));
        assert!(
            errors[1].message.starts_with("ports[2]:"),
            "{}",
            errors[1].message
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let errors = load_yaml::<Doc>("s.yml", "name: [unclosed\n", &no_env).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].file, "s.yml");
        assert!(errors[0].line >= 1);
    }

    #[test]
    fn good_document_loads() {
        let loaded = load_yaml::<Doc>("g.yml", "name: ok\nevery: 5m\n", &no_env).unwrap();
        assert_eq!(loaded.value.every, Duration::from_secs(300));
        assert_eq!(loaded.value.name, "ok");
    }
}
