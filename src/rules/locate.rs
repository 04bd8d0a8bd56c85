//! Where things are in a YAML file: a map from value paths (`groups[0].rules[2].expr`) to their
//! line and column, built from `yaml-rust2`'s marked event parser.
//!
//! Used to give every rule-file diagnostic a `FILE:LINE:COL`. Also maps a byte offset inside a
//! scalar (an expression's error offset) to the position in the file.

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based line and column in a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

#[derive(Clone, Copy, Debug)]
struct Node {
    position: Position,
    byte_index: usize,
    style: Option<TScalarStyle>,
}

/// Positions of every key and value of one YAML document.
#[derive(Debug, Default)]
pub struct Locator {
    source: String,
    values: HashMap<String, Node>,
    keys: HashMap<String, Node>,
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
        keys_seen: usize,
    },
    Seq {
        path: String,
        index: usize,
    },
}

struct Builder<'a> {
    locator: &'a mut Locator,
    stack: Vec<Frame>,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

impl Builder<'_> {
    /// The path of the node starting now, or `None` when it is a mapping key (recorded here).
    fn next_path(&mut self, key_text: Option<&str>, node: Node) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, index }) => {
                let child = format!("{path}[{index}]");
                *index += 1;
                Some(child)
            }
            Some(Frame::Map {
                path,
                key,
                keys_seen,
            }) => match key.take() {
                Some(name) => Some(join(path, &name)),
                None => {
                    let name = key_text.unwrap_or("?").to_owned();
                    let child = join(path, &name);
                    self.locator.keys.insert(child, node);
                    if *keys_seen == 0 {
                        // A block mapping's own marker is unhelpful; use its first key.
                        self.locator.values.insert(path.clone(), node);
                    }
                    *keys_seen += 1;
                    *key = Some(name);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let mut node = Node {
            position: Position {
                line: mark.line(),
                column: mark.col() + 1,
            },
            byte_index: mark.index(),
            style: None,
        };
        match event {
            Event::Scalar(text, style, _, _) => {
                node.style = Some(style);
                if let Some(path) = self.next_path(Some(&text), node) {
                    self.locator.values.insert(path, node);
                }
            }
            Event::Alias(_) => {
                if let Some(path) = self.next_path(None, node) {
                    self.locator.values.insert(path, node);
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_map = matches!(event, Event::MappingStart(..));
                let path = self.next_path(None, node).unwrap_or_default();
                self.locator.values.insert(path.clone(), node);
                self.stack.push(if is_map {
                    Frame::Map {
                        path,
                        key: None,
                        keys_seen: 0,
                    }
                } else {
                    Frame::Seq { path, index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

impl Locator {
    /// Indexes `source`; on a YAML syntax error returns its position and message.
    pub fn new(source: &str) -> Result<Self, (Position, String)> {
        let mut locator = Locator {
            source: source.to_owned(),
            ..Locator::default()
        };
        let mut builder = Builder {
            locator: &mut locator,
            stack: Vec::new(),
        };
        let mut parser = Parser::new_from_str(source);
        parser.load(&mut builder, false).map_err(|e| {
            let mark = e.marker();
            let position = Position {
                line: mark.line(),
                column: mark.col() + 1,
            };
            (position, e.info().to_owned())
        })?;
        Ok(locator)
    }

    /// The position of the value at `path`, or of its closest located ancestor.
    pub fn value(&self, path: &str) -> Position {
        self.lookup(&self.values, path)
    }

    /// The position of the key that names `path` (for unknown keys), else of its value.
    pub fn key(&self, path: &str) -> Position {
        match self.keys.get(path) {
            Some(node) => node.position,
            None => self.value(path),
        }
    }

    /// The position of byte `offset` inside the scalar at `path`.
    pub fn inside(&self, path: &str, offset: usize) -> Position {
        let Some(node) = self.values.get(path) else {
            return self.value(path);
        };
        match node.style {
            Some(TScalarStyle::Literal | TScalarStyle::Folded) => self.inside_block(node, offset),
            Some(TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted) => Position {
                line: node.position.line,
                column: node.position.column + 1 + offset,
            },
            _ => Position {
                line: node.position.line,
                column: node.position.column + offset,
            },
        }
    }

    /// A block scalar: its marker is at the first content character; later lines are indented.
    fn inside_block(&self, node: &Node, offset: usize) -> Position {
        let rest = self.source.get(node.byte_index..).unwrap_or("");
        let first = rest.lines().next().unwrap_or("");
        if offset <= first.len() {
            return Position {
                line: node.position.line,
                column: node.position.column + offset,
            };
        }
        let mut remaining = offset - first.len() - 1;
        for (line, text) in (node.position.line + 1..).zip(rest.lines().skip(1)) {
            let indent = text.len() - text.trim_start().len();
            let content = text.len() - indent;
            if remaining <= content {
                return Position {
                    line,
                    column: indent + remaining + 1,
                };
            }
            remaining -= content + 1;
        }
        node.position
    }

    fn lookup(&self, map: &HashMap<String, Node>, path: &str) -> Position {
        let mut current = path;
        loop {
            if let Some(node) = map.get(current) {
                return node.position;
            }
            match current.rfind(['.', '[']) {
                Some(cut) => current = &current[..cut],
                None => return Position { line: 1, column: 1 },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "groups:\n  - name: host\n    rules:\n      - alert: A\n        expr: up == 0\n      - alert: B\n        expr: \"cpu > 9\"\n        annotations:\n          summary: |\n            line one\n            x {{ bad\n";

    #[test]
    fn finds_values_and_keys() {
        let locator = Locator::new(SOURCE).unwrap();
        assert_eq!(
            locator.value("groups[0].name"),
            Position {
                line: 2,
                column: 11
            }
        );
        assert_eq!(
            locator.value("groups[0].rules[1].expr"),
            Position {
                line: 7,
                column: 15
            }
        );
        assert_eq!(
            locator.key("groups[0].rules[1].expr"),
            Position { line: 7, column: 9 }
        );
        // An unknown path falls back to its closest ancestor.
        assert_eq!(
            locator.value("groups[0].rules[1].nope"),
            Position { line: 6, column: 9 }
        );
    }

    #[test]
    fn maps_offsets_inside_scalars() {
        let locator = Locator::new(SOURCE).unwrap();
        assert_eq!(
            locator.inside("groups[0].rules[0].expr", 3),
            Position {
                line: 5,
                column: 18
            }
        );
        assert_eq!(
            locator.inside("groups[0].rules[1].expr", 4),
            Position {
                line: 7,
                column: 20
            }
        );
        let summary = "groups[0].rules[1].annotations.summary";
        assert_eq!(
            locator.inside(summary, 11),
            Position {
                line: 11,
                column: 15
            }
        );
    }

    #[test]
    fn syntax_error_has_a_position() {
        let (position, message) = Locator::new("a: [1, 2\nb: c\n").unwrap_err();
        assert!(position.line >= 1, "{position:?}");
        assert!(!message.is_empty());
    }
}
