//! The "watched" part of an alert expression: the expression without its top-level comparison
//! filter (`x > 90` watches `x`), so a resolve can report the series' raw value at resolve time.

use super::ast::{Node, NodeKind};
use super::lexer::{Token, tokenize};
use super::parser::parse;

/// The text of the expression `text` watches: the side of its top-level comparison filter that
/// is not a number literal, or the whole text when the top level is not a filter (a `bool`
/// comparison, arithmetic, `and`/`or`, a function). `None` when `text` does not parse.
pub fn watched_text(text: &str) -> Option<String> {
    let root = parse(text).ok()?;
    let NodeKind::Binary {
        op,
        return_bool: false,
        lhs,
        rhs,
        ..
    } = &root.kind
    else {
        return Some(text.trim().to_owned());
    };
    if !op.is_comparison() {
        return Some(text.trim().to_owned());
    }
    if matches!(lhs.kind, NodeKind::Number(_)) {
        let right = text.get(start(rhs)..)?.trim();
        return Some(longest_parsing_prefix(right).unwrap_or(right).to_owned());
    }
    let operator = operator_offset(text, start(rhs))?;
    let left = text.get(start(lhs)..operator)?;
    Some(longest_parsing_prefix(left)?.to_owned())
}

/// The offset of the last comparison operator token before `before` (the top-level one: the
/// right-hand side and its `on(...)`/`ignoring(...)` start after it).
fn operator_offset(text: &str, before: usize) -> Option<usize> {
    let tokens = tokenize(text).ok()?;
    tokens
        .iter()
        .filter(|t| t.offset < before)
        .filter(|t| matches!(t.token, Token::Punct("==" | "!=" | ">" | "<" | ">=" | "<=")))
        .map(|t| t.offset)
        .next_back()
}

/// Where `node`'s text starts (a binary node's own offset is its operator's).
fn start(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Binary { lhs, .. } => start(lhs).min(node.offset),
        _ => node.offset,
    }
}

/// The longest prefix of `text` (trimmed) that parses on its own: `x > ` gives `x`.
fn longest_parsing_prefix(text: &str) -> Option<&str> {
    let ends = text.char_indices().map(|(i, _)| i).chain([text.len()]);
    let mut ends: Vec<usize> = ends.filter(|&i| i > 0).collect();
    ends.reverse();
    ends.into_iter()
        .map(|end| text[..end].trim())
        .find(|candidate| !candidate.is_empty() && parse(candidate).is_ok())
}

#[cfg(test)]
mod tests {
    use super::watched_text;

    #[test]
    fn strips_the_top_level_comparison() {
        let cases = [
            ("x > 90", "x"),
            ("cpu{host=\"a\"} >= 0.5", "cpu{host=\"a\"}"),
            ("a + b > 90", "a + b"),
            (
                "sum by (job) (rate(x[5m])) > 3",
                "sum by (job) (rate(x[5m]))",
            ),
            ("90 < x", "x"),
            ("(a - b) > 1", "a - b"),
            ("x > on(host) y", "x"),
            ("avg(cpu[5m]) < 10", "avg(cpu[5m])"),
        ];
        for (text, watched) in cases {
            assert_eq!(watched_text(text).as_deref(), Some(watched), "{text}");
        }
    }

    #[test]
    fn keeps_expressions_without_a_top_level_filter() {
        for text in ["x", "x > bool 90", "x > 1 and y", "absent(up)", "x * 2"] {
            assert_eq!(watched_text(text).as_deref(), Some(text), "{text}");
        }
        assert_eq!(watched_text("x >"), None);
    }
}
