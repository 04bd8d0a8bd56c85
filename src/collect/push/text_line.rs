//! Byte scanning of one sample line of the text exposition format 0.0.4:
//! `name{label="value",...} value [timestamp]`. No regex, no per-byte allocation: names are
//! borrowed from the line, only label names and values are copied into the `Labels`.

use super::names::{
    is_label_name_byte, is_metric_name_byte, label_name_problem, metric_name_problem,
};
use crate::model::Labels;

/// One parsed sample line, before it is attached to its family.
#[derive(Debug, PartialEq)]
pub struct SampleLine<'a> {
    /// The series name as written (`x_bucket` for a histogram bucket).
    pub name: &'a str,
    /// The labels, sorted.
    pub labels: Labels,
    /// The value.
    pub value: f64,
}

/// A cursor over the bytes of one line.
struct Cursor<'a> {
    line: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.line.as_bytes().get(self.pos).copied()
    }

    fn skip_blanks(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        &self.line[start..self.pos]
    }

    fn token(&mut self) -> &'a str {
        self.take_while(|b| b != b' ' && b != b'\t')
    }
}

/// Parses a sample line (already known not to be blank or a comment).
pub fn parse_sample_line(line: &str) -> Result<SampleLine<'_>, String> {
    let mut cursor = Cursor { line, pos: 0 };
    cursor.skip_blanks();
    let name = cursor.take_while(is_metric_name_byte);
    if let Some(problem) = metric_name_problem(name) {
        let shown = if name.is_empty() {
            cursor.token()
        } else {
            name
        };
        return Err(format!("invalid metric name {shown:?}: {problem}"));
    }
    let mut labels = Labels::new();
    let had_blank = cursor.skip_blanks() > 0;
    if cursor.peek() == Some(b'{') {
        cursor.pos += 1;
        parse_labels(&mut cursor, &mut labels)?;
        cursor.skip_blanks();
    } else if !had_blank {
        return match cursor.peek() {
            None => Err(format!("sample {name:?} has no value")),
            Some(_) => Err(format!("invalid metric name {:?}", {
                cursor.pos = 0;
                cursor.token()
            })),
        };
    }
    let value_token = cursor.token();
    if value_token.is_empty() {
        return Err(format!("sample {name:?} has no value"));
    }
    let value = parse_value(value_token)?;
    cursor.skip_blanks();
    if cursor.peek().is_some() {
        let extra = cursor.token();
        if extra.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return Err(format!(
                "sample {name:?} has a timestamp ({extra}); pushed metrics must not have timestamps"
            ));
        }
        return Err(format!("unexpected {extra:?} after the value of {name:?}"));
    }
    Ok(SampleLine {
        name,
        labels,
        value,
    })
}

/// Parses the `label="value",...}` part, the opening brace already consumed.
fn parse_labels(cursor: &mut Cursor<'_>, labels: &mut Labels) -> Result<(), String> {
    loop {
        cursor.skip_blanks();
        if cursor.peek() == Some(b'}') {
            cursor.pos += 1;
            return Ok(());
        }
        let name = cursor.take_while(is_label_name_byte);
        if let Some(problem) = label_name_problem(name) {
            let shown = if name.is_empty() {
                cursor.token()
            } else {
                name
            };
            return Err(format!("invalid label name {shown:?}: {problem}"));
        }
        cursor.skip_blanks();
        if cursor.peek() != Some(b'=') {
            return Err(format!("expected '=' after label name {name:?}"));
        }
        cursor.pos += 1;
        cursor.skip_blanks();
        if cursor.peek() != Some(b'"') {
            return Err(format!("expected '\"' to open the value of label {name:?}"));
        }
        cursor.pos += 1;
        let value = parse_label_value(cursor, name)?;
        if labels.get(name).is_some() {
            return Err(format!("duplicate label {name:?}"));
        }
        labels.insert(name, value);
        cursor.skip_blanks();
        match cursor.peek() {
            Some(b',') => cursor.pos += 1,
            Some(b'}') => {}
            _ => {
                return Err(format!(
                    "expected ',' or '}}' after the value of label {name:?}"
                ));
            }
        }
    }
}

/// Reads a quoted label value up to its closing quote, resolving `\\`, `\"` and `\n`.
fn parse_label_value(cursor: &mut Cursor<'_>, name: &str) -> Result<String, String> {
    let bytes = cursor.line.as_bytes();
    let start = cursor.pos;
    // Fast path: no escapes, the value is one slice.
    while let Some(&b) = bytes.get(cursor.pos) {
        match b {
            b'"' => {
                cursor.pos += 1;
                return Ok(cursor.line[start..cursor.pos - 1].to_owned());
            }
            b'\\' => break,
            _ => cursor.pos += 1,
        }
    }
    let mut value = cursor.line[start..cursor.pos].to_owned();
    let mut run_start = cursor.pos;
    while let Some(&b) = bytes.get(cursor.pos) {
        match b {
            b'"' => {
                value.push_str(&cursor.line[run_start..cursor.pos]);
                cursor.pos += 1;
                return Ok(value);
            }
            b'\\' => {
                value.push_str(&cursor.line[run_start..cursor.pos]);
                let escaped = match bytes.get(cursor.pos + 1) {
                    Some(b'\\') => '\\',
                    Some(b'"') => '"',
                    Some(b'n') => '\n',
                    _ => {
                        return Err(format!(
                            "invalid escape sequence in the value of label {name:?}"
                        ));
                    }
                };
                value.push(escaped);
                cursor.pos += 2;
                run_start = cursor.pos;
            }
            _ => cursor.pos += 1,
        }
    }
    Err(format!("unterminated value of label {name:?}"))
}

/// Parses a sample value: a float, an integer, `+Inf`, `-Inf` or `NaN`.
pub fn parse_value(token: &str) -> Result<f64, String> {
    token
        .parse::<f64>()
        .map_err(|_| format!("bad value {token:?}: expected a number, +Inf, -Inf or NaN"))
}

/// Resolves the escapes of a HELP text (`\\` and `\n`; any other backslash is kept).
pub fn unescape_help(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_sample_without_labels() {
        let line = parse_sample_line("up 1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(line.name, "up");
        assert!(line.labels.is_empty());
        assert_eq!(line.value, 1.0);
    }

    #[test]
    fn labels_with_escapes_blanks_and_trailing_comma() {
        let line = parse_sample_line(r#"x{ b = "q\"uote" , a="back\\slash\nnl", } -2.5e3"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(line.labels.get("a"), Some("back\\slash\nnl"));
        assert_eq!(line.labels.get("b"), Some("q\"uote"));
        assert_eq!(line.value, -2500.0);
    }

    #[test]
    fn special_values() {
        assert_eq!(parse_value("+Inf"), Ok(f64::INFINITY));
        assert_eq!(parse_value("-Inf"), Ok(f64::NEG_INFINITY));
        assert!(parse_value("NaN").is_ok_and(f64::is_nan));
        assert_eq!(parse_value("42"), Ok(42.0));
        assert!(parse_value("1,5").is_err());
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let error = |line: &str| parse_sample_line(line).err().unwrap_or_default();
        assert!(error("9x 1").contains("invalid metric name \"9x"));
        assert!(error("x{9a=\"1\"} 1").contains("invalid label name \"9a"));
        assert!(error("x{__a=\"1\"} 1").contains("reserved"));
        assert!(error("x{a=\"1\",a=\"2\"} 1").contains("duplicate label \"a\""));
        assert!(error("x{a=\"\\t\"} 1").contains("invalid escape"));
        assert!(error("x{a=\"1} 1").contains("unterminated"));
        assert!(error("x abc").contains("bad value \"abc\""));
        assert!(error("x 1 1700000000000").contains("must not have timestamps"));
        assert!(error("x").contains("has no value"));
        assert!(error("x 1 junk").contains("unexpected \"junk\""));
        assert!(error("x-y 1").contains("invalid metric name \"x-y\""));
    }

    #[test]
    fn help_escapes() {
        assert_eq!(unescape_help(r"a\\b\nc\t"), "a\\b\nc\\t");
        assert_eq!(unescape_help("plain"), "plain");
    }
}
