//! Alertmanager label matchers: `name=value`, `name!=value`, `name=~regex`, `name!~regex`.
//!
//! Regexes are anchored (`^(?:...)$`); a missing label matches as the empty string. Parses one
//! matcher (`severity=~"critical|warning"`) or a list (`{a="b", c!="d"}` or `a=b, c!=d`).

use thiserror::Error;

/// Why a matcher did not parse.
#[derive(Debug, Error, PartialEq)]
pub enum MatcherError {
    /// The text does not look like `name op value`.
    #[error("invalid matcher {text:?}: {why}")]
    Syntax {
        /// The offending text.
        text: String,
        /// What is wrong.
        why: &'static str,
    },
    /// The regex does not compile.
    #[error("invalid regular expression in matcher {text:?}: {error}")]
    Regex {
        /// The offending text.
        text: String,
        /// The regex error.
        error: String,
    },
}

pub use crate::model::matcher::{MatchOp, Matcher, matches_all};

/// Formats a list as `{a="b", c!="d"}`.
pub fn display_all(matchers: &[Matcher]) -> String {
    let parts: Vec<String> = matchers.iter().map(Matcher::to_string).collect();
    format!("{{{}}}", parts.join(", "))
}

/// Parses one matcher such as `severity=~"critical|warning"` or `env!=prod`.
pub fn parse_matcher(text: &str) -> Result<Matcher, MatcherError> {
    let syntax = |why| MatcherError::Syntax {
        text: text.to_owned(),
        why,
    };
    let trimmed = text.trim();
    let name_end = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .ok_or_else(|| syntax("missing operator"))?;
    let name = &trimmed[..name_end];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(syntax("label name must match [a-zA-Z_][a-zA-Z0-9_]*"));
    }
    let rest = trimmed[name_end..].trim_start();
    let (op, rest) = [
        MatchOp::Regex,
        MatchOp::NotRegex,
        MatchOp::NotEqual,
        MatchOp::Equal,
    ]
    .into_iter()
    .find_map(|op| rest.strip_prefix(op.as_str()).map(|rest| (op, rest)))
    .ok_or_else(|| syntax("operator must be one of = != =~ !~"))?;
    let value =
        unquote(rest.trim()).ok_or_else(|| syntax("unterminated or malformed quoted value"))?;
    Matcher::new(name, op, value.as_str()).map_err(|error| MatcherError::Regex {
        text: text.to_owned(),
        error: error.to_string(),
    })
}

/// Parses `{a="b", c!="d"}` or `a=b, c!=d`; commas inside quotes are kept.
pub fn parse_matchers(text: &str) -> Result<Vec<Matcher>, MatcherError> {
    let trimmed = text.trim();
    let inner = match trimmed.strip_prefix('{') {
        Some(rest) => rest.strip_suffix('}').ok_or_else(|| MatcherError::Syntax {
            text: text.to_owned(),
            why: "missing closing brace",
        })?,
        None => trimmed,
    };
    split_outside_quotes(inner)
        .into_iter()
        .filter(|part| !part.trim().is_empty())
        .map(parse_matcher)
        .collect()
}

fn unquote(value: &str) -> Option<String> {
    let Some(body) = value.strip_prefix('"') else {
        return (!value.contains('"')).then(|| value.to_owned());
    };
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return chars.as_str().trim().is_empty().then_some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            other => out.push(other),
        }
    }
    None
}

fn split_outside_quotes(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut in_quotes, mut escaped) = (0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Labels;

    fn labels() -> Labels {
        Labels::from_pairs([("severity", "critical"), ("instance", "db-1")])
    }

    fn parsed(text: &str) -> Matcher {
        match parse_matcher(text) {
            Ok(matcher) => matcher,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn each_operator_matches() {
        let table = [
            ("severity=critical", true),
            ("severity!=critical", false),
            (r#"severity=~"critical|warning""#, true),
            ("severity=~crit", false),
            ("severity!~warn.*", true),
            ("team=", true),
            ("team!=\"\"", false),
            ("instance=~\"db-.*\"", true),
        ];
        for (text, expected) in table {
            assert_eq!(parsed(text).matches(&labels()), expected, "{text}");
        }
    }

    #[test]
    fn parses_lists_with_quotes_and_commas() {
        let list = parse_matchers(r#"{a="b", c!="d,e", f=~"x\"y"}"#);
        let list = list.unwrap_or_default();
        assert_eq!(display_all(&list), r#"{a="b", c!="d,e", f=~"x\"y"}"#);
        assert_eq!(parse_matchers("a=b,c!=d").map(|l| l.len()), Ok(2));
        assert_eq!(parse_matchers("{}").map(|l| l.len()), Ok(0));
    }

    #[test]
    fn rejects_bad_matchers() {
        for text in [
            "severity", "=x", "1a=b", "a==\"b", "a=\"open", "{a=b", "a=~\"(\"",
        ] {
            assert!(
                parse_matcher(text).is_err() || parse_matchers(text).is_err(),
                "{text}"
            );
        }
    }
}
