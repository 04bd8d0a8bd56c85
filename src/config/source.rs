//! `SourceMap`: where each node of a YAML document stands, by path (`a.b[0].c`).
//!
//! serde_yaml reports only the first error and its `Value` keeps no positions, so this map is
//! built from a second, event-level parse (yaml-rust2, which gives a marker per event). Every
//! later diagnostic — env interpolation, type errors, semantic checks — is located through it.

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// What the map knows about one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    /// Where the node's value starts.
    pub value: Position,
    /// Where its key starts, for mapping entries.
    pub key: Option<Position>,
    /// True for an unquoted scalar (so an interpolated value may be re-typed).
    pub plain_scalar: bool,
}

/// Positions of every node of a YAML document, by path.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    nodes: HashMap<String, NodeInfo>,
}

impl SourceMap {
    /// Builds the map of `text`; a document yaml-rust2 cannot parse gives an empty map (serde_yaml
    /// reports the syntax error itself, with its position).
    pub fn parse(text: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return Self::default();
        }
        Self {
            nodes: builder.nodes,
        }
    }

    /// The node at `path`, if it exists.
    pub fn node(&self, path: &str) -> Option<&NodeInfo> {
        self.nodes.get(path)
    }

    /// Where the value at `path` stands, or the nearest ancestor's position, or 1:1.
    pub fn locate(&self, path: &str) -> Position {
        self.nearest(path).map_or(START, |n| n.value)
    }

    /// Where the key of `path` stands (falls back like `locate`).
    pub fn locate_key(&self, path: &str) -> Position {
        self.nearest(path)
            .map_or(START, |n| n.key.unwrap_or(n.value))
    }

    fn nearest(&self, path: &str) -> Option<&NodeInfo> {
        let mut path = path;
        loop {
            if let Some(node) = self.nodes.get(path) {
                return Some(node);
            }
            path = parent_path(path)?;
        }
    }
}

const START: Position = Position { line: 1, column: 1 };

/// The parent of `a.b[0].c` is `a.b[0]`, of `a.b[0]` is `a.b`; the root has none.
pub fn parent_path(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

/// `parent` + `.key` (or `key` at the root).
pub fn child_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[index]`.
pub fn index_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

enum Frame {
    Map {
        path: String,
        pending_key: Option<(String, Position)>,
    },
    Seq {
        path: String,
        next: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    nodes: HashMap<String, NodeInfo>,
}

impl Builder {
    /// Where the next value goes: its path and its key position; `None` when it is a map key.
    fn next_value_slot(&mut self) -> Option<(String, Option<Position>)> {
        match self.stack.last_mut() {
            None => Some((String::new(), None)),
            Some(Frame::Seq { path, next }) => {
                let slot = index_path(path, *next);
                *next += 1;
                Some((slot, None))
            }
            Some(Frame::Map { path, pending_key }) => {
                let (key, key_pos) = pending_key.take()?;
                Some((child_path(path, &key), Some(key_pos)))
            }
        }
    }

    fn record(&mut self, path: String, key: Option<Position>, mark: Marker, plain: bool) {
        let value = Position {
            line: mark.line(),
            column: mark.col() + 1,
        };
        self.nodes.insert(
            path,
            NodeInfo {
                value,
                key,
                plain_scalar: plain,
            },
        );
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(text, style, _, _) => match self.next_value_slot() {
                Some((path, key)) => {
                    self.record(path, key, mark, style == TScalarStyle::Plain);
                }
                None => {
                    // A scalar in key position: remember it until its value arrives.
                    if let Some(Frame::Map { pending_key, .. }) = self.stack.last_mut() {
                        let position = Position {
                            line: mark.line(),
                            column: mark.col() + 1,
                        };
                        *pending_key = Some((text, position));
                    }
                }
            },
            Event::Alias(_) => {
                if let Some((path, key)) = self.next_value_slot() {
                    self.record(path, key, mark, false);
                }
            }
            Event::MappingStart(..) => {
                let (path, key) = self.next_value_slot().unwrap_or_default();
                self.record(path.clone(), key, mark, false);
                self.stack.push(Frame::Map {
                    path,
                    pending_key: None,
                });
            }
            Event::SequenceStart(..) => {
                let (path, key) = self.next_value_slot().unwrap_or_default();
                self.record(path.clone(), key, mark, false);
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "server:\n  listen_address: \"0.0.0.0:1\"\nlist:\n  - a: 1\n  - b: x\n";

    #[test]
    fn locates_values_and_keys() {
        let map = SourceMap::parse(DOC);
        assert_eq!(
            map.locate("server.listen_address"),
            Position {
                line: 2,
                column: 19
            }
        );
        assert_eq!(
            map.locate_key("server.listen_address"),
            Position { line: 2, column: 3 }
        );
        assert_eq!(map.locate("list[1].b"), Position { line: 5, column: 8 });
        assert!(map.node("list[1].b").is_some_and(|n| n.plain_scalar));
        assert!(
            !map.node("server.listen_address")
                .is_some_and(|n| n.plain_scalar)
        );
    }

    #[test]
    fn falls_back_to_the_nearest_ancestor() {
        let map = SourceMap::parse(DOC);
        assert_eq!(map.locate("list[1].missing"), map.locate("list[1]"));
        assert_eq!(parent_path("a.b[0].c"), Some("a.b[0]"));
        assert_eq!(parent_path("a.b[0]"), Some("a.b"));
        assert_eq!(parent_path("a"), Some(""));
        assert_eq!(parent_path(""), None);
    }
}
