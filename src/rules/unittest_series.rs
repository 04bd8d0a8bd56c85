//! promtool's input notation: series selectors `name{a="b"}` and expanding values
//! (`a+bxN`, `a-bxN`, `axN`, `_`, `_xN`, `stale`).

use crate::model::Labels;

/// One expanded point: a value, a gap (`_`), or a staleness marker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Point {
    /// A sample.
    Value(f64),
    /// No sample at this step.
    Missing,
    /// A staleness marker: the series ends here.
    Stale,
}

/// Parses `name{a="b", c='d'}` (or `{__name__="name", ...}`) into name and labels.
pub fn parse_series(text: &str) -> Result<(String, Labels), String> {
    let text = text.trim();
    let (name, rest) = match text.find('{') {
        Some(i) => (text[..i].trim(), &text[i..]),
        None => (text, ""),
    };
    let mut labels = Labels::new();
    if !rest.is_empty() {
        let body = rest
            .strip_prefix('{')
            .and_then(|r| r.strip_suffix('}'))
            .ok_or_else(|| format!("series {text:?}: unbalanced braces"))?;
        let mut chars = body.trim();
        while !chars.is_empty() {
            let (key, after) = chars
                .split_once('=')
                .ok_or_else(|| format!("series {text:?}: expected name=\"value\""))?;
            let after = after.trim_start();
            let quote = after
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
                .ok_or_else(|| format!("series {text:?}: label values must be quoted"))?;
            let end = after[1..]
                .find(quote)
                .ok_or_else(|| format!("series {text:?}: unterminated label value"))?;
            labels.insert(key.trim(), &after[1..=end]);
            chars = after[end + 2..]
                .trim_start()
                .trim_start_matches(',')
                .trim_start();
        }
    }
    let name = match labels.remove("__name__") {
        Some(inner) if name.is_empty() => inner,
        _ => name.to_owned(),
    };
    if name.is_empty() {
        return Err(format!("series {text:?} has no metric name"));
    }
    Ok((name, labels))
}

fn number(text: &str, whole: &str) -> Result<f64, String> {
    match text {
        "Inf" | "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => text
            .parse()
            .map_err(|_| format!("values {whole:?}: {text:?} is not a number")),
    }
}

/// Expands one word: `1`, `_`, `stale`, `_x3`, `1x3`, `0+10x5`, `-2-4x3`.
fn expand_word(word: &str, whole: &str, out: &mut Vec<Point>) -> Result<(), String> {
    if word == "stale" {
        out.push(Point::Stale);
        return Ok(());
    }
    let Some((start, count)) = word.rsplit_once('x') else {
        out.push(if word == "_" {
            Point::Missing
        } else {
            Point::Value(number(word, whole)?)
        });
        return Ok(());
    };
    let count: usize = count
        .parse()
        .map_err(|_| format!("values {whole:?}: bad repeat count in {word:?}"))?;
    if start == "_" {
        out.extend(std::iter::repeat_n(Point::Missing, count));
        return Ok(());
    }
    // The step's sign is the last '+' or '-' that is not at the start or after an 'e'.
    let bytes = start.as_bytes();
    let split = (1..bytes.len())
        .rev()
        .find(|&i| (bytes[i] == b'+' || bytes[i] == b'-') && !matches!(bytes[i - 1], b'e' | b'E'));
    let (base, step) = match split {
        Some(i) => (number(&start[..i], whole)?, number(&start[i..], whole)?),
        None => (number(start, whole)?, 0.0),
    };
    for i in 0..=count {
        out.push(Point::Value(base + step * i as f64));
    }
    Ok(())
}

/// Expands a whole `values` string.
pub fn expand_values(text: &str) -> Result<Vec<Point>, String> {
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        expand_word(word, text, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Point::*;

    #[test]
    fn expands_promtool_notation() {
        assert_eq!(
            expand_values("-2+4x3").unwrap(),
            [Value(-2.0), Value(2.0), Value(6.0), Value(10.0)]
        );
        assert_eq!(
            expand_values("1-2x2").unwrap(),
            [Value(1.0), Value(-1.0), Value(-3.0)]
        );
        assert_eq!(
            expand_values("1x2 _ stale").unwrap(),
            [Value(1.0), Value(1.0), Value(1.0), Missing, Stale]
        );
        assert_eq!(
            expand_values("_x2 1e3").unwrap(),
            [Missing, Missing, Value(1000.0)]
        );
        assert!(expand_values("1+x").is_err());
        assert!(expand_values("abc").is_err());
    }

    #[test]
    fn parses_series_notation() {
        let (name, labels) = parse_series(r#"up{job="node", instance='a:1'}"#).unwrap();
        assert_eq!(name, "up");
        assert_eq!(
            labels,
            Labels::from_pairs([("job", "node"), ("instance", "a:1")])
        );
        let (name, _) = parse_series(r#"{__name__="x"}"#).unwrap();
        assert_eq!(name, "x");
        assert!(parse_series(r#"up{job=node}"#).is_err());
    }
}
