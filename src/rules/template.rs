//! Prometheus-style templates for alert labels and annotations, parsed once at load time.
//!
//! Supported: text with `{{ ... }}` actions (`{{-`/`-}}` trim spaces); terms `$value`,
//! `$labels.NAME`, `$values.NAME`, `"strings"`, numbers; functions `humanize`, `humanize1024`,
//! `humanizeDuration`, `humanizePercentage`, `printf FORMAT ARGS...`, `toUpper`, `toLower`;
//! pipes (`$value | printf "%.1f"` passes the value as the last argument, as in Go).

use super::humanize::{self, FormatArg};
use crate::model::Labels;
use std::collections::BTreeMap;

/// A template error at a byte offset of the template text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad template at offset {offset}: {message}")]
pub struct TemplateError {
    /// Byte offset into the template text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// What a template sees when rendered.
#[derive(Clone, Copy, Debug)]
pub struct TemplateContext<'a> {
    /// `$value`.
    pub value: f64,
    /// `$labels`.
    pub labels: &'a Labels,
    /// `$values`: the rule's named extra values for this series.
    pub values: &'a BTreeMap<String, f64>,
}

#[derive(Clone, Debug, PartialEq)]
enum Term {
    Value,
    Label(String),
    Named(String),
    Literal(FormatArg),
}

#[derive(Clone, Debug, PartialEq)]
enum Command {
    Term(Term),
    Call(String, Vec<Term>),
}

#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Text(String),
    Action(Vec<Command>),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    source: String,
    pieces: Vec<Piece>,
}

const FUNCTIONS: [&str; 7] = [
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "printf",
    "toUpper",
    "toLower",
];

impl Template {
    /// Parses `source`; `value_names` are the names `$values.NAME` may use.
    pub fn parse(source: &str, value_names: &[String]) -> Result<Self, TemplateError> {
        let mut pieces = Vec::new();
        let mut rest = 0;
        let mut trim_next = false;
        while let Some(open) = source[rest..].find("{{").map(|i| i + rest) {
            let mut text = &source[rest..open];
            if trim_next {
                text = text.trim_start();
            }
            let body_start = open + 2;
            let close = source[body_start..]
                .find("}}")
                .map(|i| i + body_start)
                .ok_or_else(|| error(open, "unclosed action: missing '}}'"))?;
            let mut body = &source[body_start..close];
            let mut offset = body_start;
            if let Some(stripped) = body.strip_prefix('-') {
                text = text.trim_end();
                body = stripped;
                offset += 1;
            }
            trim_next = body.ends_with('-');
            let body = body.strip_suffix('-').unwrap_or(body);
            if !text.is_empty() {
                pieces.push(Piece::Text(text.to_owned()));
            }
            pieces.push(Piece::Action(parse_action(body, offset, value_names)?));
            rest = close + 2;
        }
        let tail = &source[rest..];
        let tail = if trim_next { tail.trim_start() } else { tail };
        if !tail.is_empty() {
            pieces.push(Piece::Text(tail.to_owned()));
        }
        Ok(Self {
            source: source.to_owned(),
            pieces,
        })
    }

    /// The template text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders with `context`; a runtime error (printf of a non-number) renders inline.
    pub fn render(&self, context: &TemplateContext<'_>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Action(commands) => match run(commands, context) {
                    Ok(FormatArg::Text(text)) => out.push_str(&text),
                    Ok(FormatArg::Number(n)) => out.push_str(&humanize::format_shortest(n)),
                    Err(message) => out.push_str(&format!("<error: {message}>")),
                },
            }
        }
        out
    }
}

fn error(offset: usize, message: &str) -> TemplateError {
    TemplateError {
        offset,
        message: message.to_owned(),
    }
}

/// Splits an action body into words, keeping quoted strings whole; returns (offset, word).
fn words(body: &str, base: usize) -> Result<Vec<(usize, String)>, TemplateError> {
    let mut out = Vec::new();
    let bytes: Vec<(usize, char)> = body.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        let (start, c) = bytes[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '`' {
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j].1 != c || (c == '"' && bytes[j - 1].1 == '\\')) {
                j += 1;
            }
            if j >= bytes.len() {
                return Err(error(base + start, "unterminated string"));
            }
            out.push((base + start, body[start..=bytes[j].0].to_owned()));
            i = j + 1;
        } else {
            let mut j = i;
            while j < bytes.len() && !bytes[j].1.is_whitespace() && (j == i || bytes[j].1 != '|') {
                j += 1;
            }
            let end = bytes.get(j).map_or(body.len(), |b| b.0);
            out.push((base + start, body[start..end].to_owned()));
            i = j;
        }
    }
    Ok(out)
}

fn parse_action(
    body: &str,
    base: usize,
    value_names: &[String],
) -> Result<Vec<Command>, TemplateError> {
    let mut commands = Vec::new();
    let mut current: Vec<(usize, String)> = Vec::new();
    let all = words(body, base)?;
    if all.is_empty() {
        return Err(error(base, "empty action"));
    }
    for word in all.into_iter().chain([(base + body.len(), "|".to_owned())]) {
        if word.1 != "|" {
            current.push(word);
            continue;
        }
        let Some((offset, head)) = current.first().cloned() else {
            return Err(error(word.0, "empty command in pipeline"));
        };
        let piped = !commands.is_empty();
        if FUNCTIONS.contains(&head.as_str()) {
            let args = current[1..]
                .iter()
                .map(|(o, w)| parse_term(w, *o, value_names))
                .collect::<Result<Vec<_>, _>>()?;
            check_arity(&head, args.len() + usize::from(piped), offset)?;
            commands.push(Command::Call(head, args));
        } else if piped || current.len() > 1 {
            let message = format!("unknown function {head:?}");
            return Err(error(offset, &message));
        } else {
            commands.push(Command::Term(parse_term(&head, offset, value_names)?));
        }
        current.clear();
    }
    Ok(commands)
}

fn check_arity(function: &str, count: usize, offset: usize) -> Result<(), TemplateError> {
    let ok = if function == "printf" {
        count >= 1
    } else {
        count == 1
    };
    if ok {
        Ok(())
    } else {
        Err(error(
            offset,
            &format!("wrong number of arguments for {function}"),
        ))
    }
}

fn parse_term(word: &str, offset: usize, value_names: &[String]) -> Result<Term, TemplateError> {
    if word == "$value" || word == ".Value" {
        return Ok(Term::Value);
    }
    if let Some(name) = word
        .strip_prefix("$labels.")
        .or(word.strip_prefix(".Labels."))
    {
        return Ok(Term::Label(name.to_owned()));
    }
    if let Some(name) = word.strip_prefix("$values.") {
        if !value_names.iter().any(|n| n == name) {
            let message = format!("$values.{name} is not defined in the rule's `values`");
            return Err(error(offset, &message));
        }
        return Ok(Term::Named(name.to_owned()));
    }
    if word.starts_with('"') {
        let text = serde_json::from_str::<String>(word)
            .map_err(|e| error(offset, &format!("bad string: {e}")))?;
        return Ok(Term::Literal(FormatArg::Text(text)));
    }
    if let Some(text) = word.strip_prefix('`').and_then(|w| w.strip_suffix('`')) {
        return Ok(Term::Literal(FormatArg::Text(text.to_owned())));
    }
    if let Ok(number) = word.parse::<f64>() {
        return Ok(Term::Literal(FormatArg::Number(number)));
    }
    let message = if word.starts_with('$') {
        format!("undefined variable {word:?}")
    } else {
        format!("unknown function {word:?}")
    };
    Err(error(offset, &message))
}

fn resolve(term: &Term, context: &TemplateContext<'_>) -> FormatArg {
    match term {
        Term::Value => FormatArg::Number(context.value),
        Term::Label(name) => FormatArg::Text(context.labels.get(name).unwrap_or("").to_owned()),
        Term::Named(name) => {
            FormatArg::Number(context.values.get(name).copied().unwrap_or(f64::NAN))
        }
        Term::Literal(arg) => arg.clone(),
    }
}

fn number(arg: &FormatArg) -> Result<f64, String> {
    match arg {
        FormatArg::Number(n) => Ok(*n),
        FormatArg::Text(t) => t
            .trim()
            .parse()
            .map_err(|_| format!("{t:?} is not a number")),
    }
}

fn text(arg: FormatArg) -> String {
    match arg {
        FormatArg::Number(n) => humanize::format_shortest(n),
        FormatArg::Text(t) => t,
    }
}

fn run(commands: &[Command], context: &TemplateContext<'_>) -> Result<FormatArg, String> {
    let mut piped: Option<FormatArg> = None;
    for command in commands {
        let result = match command {
            Command::Term(term) => resolve(term, context),
            Command::Call(function, terms) => {
                let mut args: Vec<FormatArg> = terms.iter().map(|t| resolve(t, context)).collect();
                args.extend(piped.take());
                call(function, args)?
            }
        };
        piped = Some(result);
    }
    piped.ok_or_else(|| "empty pipeline".to_owned())
}

fn call(function: &str, mut args: Vec<FormatArg>) -> Result<FormatArg, String> {
    let first = args
        .first()
        .cloned()
        .unwrap_or(FormatArg::Text(String::new()));
    let out = match function {
        "humanize" => humanize::humanize(number(&first)?),
        "humanize1024" => humanize::humanize_1024(number(&first)?),
        "humanizeDuration" => humanize::humanize_duration(number(&first)?),
        "humanizePercentage" => humanize::humanize_percentage(number(&first)?),
        "toUpper" => text(first).to_uppercase(),
        "toLower" => text(first).to_lowercase(),
        _ => {
            let format = text(args.remove(0));
            humanize::printf(&format, &args)?
        }
    };
    Ok(FormatArg::Text(out))
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
