//! The tokenizer: expression text to tokens, each carrying its byte offset for error messages.

use super::ExprError;

/// One token kind.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Token {
    /// A name: metric, label, function or keyword (dots allowed: `system.cpu.usage`).
    Ident(String),
    /// A number literal.
    Number(f64),
    /// A duration literal such as `5m` or `1h30m`, in milliseconds.
    Duration(u64),
    /// A quoted string, unescaped.
    Str(String),
    /// Punctuation or an operator: `( ) { } [ ] , = != =~ !~ == > < >= <= + - * / % ^`.
    Punct(&'static str),
}

/// A token and the byte offset where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spanned {
    /// The token.
    pub token: Token,
    /// Its byte offset in the expression text.
    pub offset: usize,
}

const PUNCTS: [&str; 22] = [
    "!=", "=~", "!~", "==", ">=", "<=", "(", ")", "{", "}", "[", "]", ",", "=", ">", "<", "+", "-",
    "*", "/", "%", "^",
];

/// Splits `text` into tokens; the error names the offset of the first bad character.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Spanned>, ExprError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let c = bytes[at];
        if c.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        if c == b'#' {
            while at < bytes.len() && bytes[at] != b'\n' {
                at += 1;
            }
            continue;
        }
        let start = at;
        let token = if c.is_ascii_digit()
            || (c == b'.' && bytes.get(at + 1).is_some_and(u8::is_ascii_digit))
        {
            let (token, end) = lex_number(text, at)?;
            at = end;
            token
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b':' {
            while at < bytes.len() && is_ident_byte(bytes[at]) {
                at += 1;
            }
            Token::Ident(text[start..at].to_owned())
        } else if c == b'"' || c == b'\'' || c == b'`' {
            let (value, end) = lex_string(text, at)?;
            at = end;
            Token::Str(value)
        } else if let Some(punct) = PUNCTS.iter().find(|p| text[at..].starts_with(**p)) {
            at += punct.len();
            Token::Punct(punct)
        } else {
            let ch = text[at..].chars().next().unwrap_or('?');
            return Err(ExprError::new(at, format!("unexpected character {ch:?}")));
        };
        tokens.push(Spanned {
            token,
            offset: start,
        });
    }
    Ok(tokens)
}

fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b':' || byte == b'.'
}

/// A number (`90`, `0.5`, `1e6`) or, when letters follow the digits, a duration (`5m`, `1h30m`).
fn lex_number(text: &str, start: usize) -> Result<(Token, usize), ExprError> {
    let bytes = text.as_bytes();
    let mut at = start;
    let mut seen_exponent = false;
    while at < bytes.len() {
        let c = bytes[at];
        let exponent_start = !seen_exponent
            && (c == b'e' || c == b'E')
            && bytes
                .get(at + 1)
                .is_some_and(|n| n.is_ascii_digit() || *n == b'+' || *n == b'-');
        if c.is_ascii_digit() || c == b'.' {
            at += 1;
        } else if exponent_start {
            seen_exponent = true;
            at += 2;
        } else {
            break;
        }
    }
    if at < bytes.len() && bytes[at].is_ascii_alphabetic() && !seen_exponent {
        while at < bytes.len() && bytes[at].is_ascii_alphanumeric() {
            at += 1;
        }
        let millis = parse_duration_literal(&text[start..at])
            .ok_or_else(|| ExprError::new(start, format!("bad duration {:?}", &text[start..at])))?;
        return Ok((Token::Duration(millis), at));
    }
    let number = text[start..at]
        .parse::<f64>()
        .map_err(|_| ExprError::new(start, format!("bad number {:?}", &text[start..at])))?;
    Ok((Token::Number(number), at))
}

/// Parses `1h30m`, `5m`, `15s`, `100ms`, `2d`, `1w`, `1y` (units in decreasing order) to ms.
pub(crate) fn parse_duration_literal(text: &str) -> Option<u64> {
    const UNITS: [(&str, u64); 7] = [
        ("y", 365 * 86_400_000),
        ("w", 7 * 86_400_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ];
    let mut rest = text;
    let mut total: u64 = 0;
    let mut last_unit = usize::MAX;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let amount: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit_text = &rest[..letters];
        let unit = UNITS.iter().position(|(name, _)| *name == unit_text)?;
        if last_unit != usize::MAX && unit <= last_unit {
            return None;
        }
        last_unit = unit;
        total = total.checked_add(amount.checked_mul(UNITS[unit].1)?)?;
        rest = &rest[letters..];
    }
    Some(total)
}

/// A quoted string: `"..."` and `'...'` with `\` escapes, or a raw `` `...` ``.
fn lex_string(text: &str, start: usize) -> Result<(String, usize), ExprError> {
    let mut chars = text[start..].char_indices();
    let (_, quote) = chars
        .next()
        .ok_or_else(|| ExprError::new(start, "unterminated string"))?;
    let mut value = String::new();
    while let Some((i, ch)) = chars.next() {
        if ch == quote {
            return Ok((value, start + i + ch.len_utf8()));
        }
        if ch == '\\' && quote != '`' {
            let (_, escaped) = chars
                .next()
                .ok_or_else(|| ExprError::new(start, "unterminated string"))?;
            value.push(match escaped {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                other => other,
            });
        } else {
            value.push(ch);
        }
    }
    Err(ExprError::new(start, "unterminated string"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Token> {
        tokenize(text)
            .unwrap()
            .into_iter()
            .map(|s| s.token)
            .collect()
    }

    #[test]
    fn selector_with_matchers_and_range() {
        let tokens = kinds(r#"rate(x{a=~"b|c"}[5m]) >= 0.5"#);
        assert_eq!(tokens[0], Token::Ident("rate".into()));
        assert_eq!(tokens[5], Token::Punct("=~"));
        assert_eq!(tokens[6], Token::Str("b|c".into()));
        assert_eq!(tokens[9], Token::Duration(300_000));
        assert_eq!(tokens[12], Token::Punct(">="));
        assert_eq!(tokens[13], Token::Number(0.5));
    }

    #[test]
    fn dotted_names_and_exponents() {
        assert_eq!(
            kinds("system.load.1min > 1e3"),
            vec![
                Token::Ident("system.load.1min".into()),
                Token::Punct(">"),
                Token::Number(1000.0)
            ]
        );
    }

    #[test]
    fn durations_compose_in_decreasing_units() {
        assert_eq!(parse_duration_literal("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration_literal("100ms"), Some(100));
        assert_eq!(parse_duration_literal("30m1h"), None);
        assert_eq!(parse_duration_literal("5x"), None);
    }

    #[test]
    fn errors_carry_offsets() {
        let err = tokenize("x > 5q").unwrap_err();
        assert_eq!(err.offset, 4);
        assert!(err.message.contains("bad duration"));
        let err = tokenize("x $ 1").unwrap_err();
        assert_eq!(err.offset, 2);
        let err = tokenize(r#"x{a="b}"#).unwrap_err();
        assert_eq!(err.offset, 4);
    }

    #[test]
    fn escapes_and_comments() {
        assert_eq!(
            kinds("\"a\\\"b\" # trailing"),
            vec![Token::Str("a\"b".into())]
        );
    }
}
