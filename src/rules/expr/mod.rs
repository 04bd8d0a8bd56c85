//! STUB of the expression language (branch `rules` owns the real one; take theirs on merge).
//!
//! Understands only `name`, `name{a="b",c!="d"}` and either followed by a comparison with a
//! number (`> 90`), which filters like PromQL. Enough for the engine's own unit tests.

use crate::model::Labels;
use std::time::Duration;

/// How a label matcher compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
}

/// One label matcher of a selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matcher {
    /// The label name.
    pub name: String,
    /// The comparison.
    pub op: MatchOp,
    /// The value compared with.
    pub value: String,
}

impl Matcher {
    /// True when `labels` satisfy the matcher (a missing label matches as `""`).
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.name).unwrap_or("");
        match self.op {
            MatchOp::Equal => value == self.value,
            MatchOp::NotEqual => value != self.value,
        }
    }
}

/// The samples of one series inside a window, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesSamples {
    /// The series labels (without `__name__`).
    pub labels: Labels,
    /// `(timestamp_ms, value)` pairs, oldest first.
    pub samples: Vec<(i64, f64)>,
}

/// What expressions read.
pub trait SampleSource {
    /// The series of `metric` matching `matchers` with their samples in `(now - window, now]`.
    fn select(
        &self,
        metric: &str,
        matchers: &[Matcher],
        window: Duration,
        now_ms: i64,
    ) -> Vec<SeriesSamples>;
}

/// A compile error at a byte offset of the expression text.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("at offset {offset}: {message}")]
pub struct ExprError {
    /// Byte offset into the expression text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// An evaluation error.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct EvalError(pub String);

/// A compiled expression.
#[derive(Clone, Debug)]
pub struct CompiledExpr {
    metric: String,
    matchers: Vec<Matcher>,
    comparison: Option<(String, f64)>,
}

/// How far back an instant selector (window 0) looks.
pub const LOOKBACK: Duration = Duration::from_secs(300);

/// Compiles `text`.
pub fn compile(text: &str) -> Result<CompiledExpr, ExprError> {
    let error = |offset: usize, message: &str| ExprError {
        offset,
        message: message.to_owned(),
    };
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(text.len());
    let metric = text[..name_end].to_owned();
    if metric.is_empty() {
        return Err(error(0, "expected a metric name"));
    }
    let mut rest = &text[name_end..];
    if rest.starts_with('(') {
        return Err(error(0, &format!("unknown function {metric:?}")));
    }
    let mut matchers = Vec::new();
    if let Some(body) = rest.strip_prefix('{') {
        let close = body
            .find('}')
            .ok_or_else(|| error(name_end, "unclosed '{'"))?;
        for part in body[..close].split(',').filter(|p| !p.trim().is_empty()) {
            let (name, op, value) = if let Some((n, v)) = part.split_once("!=") {
                (n, MatchOp::NotEqual, v)
            } else if let Some((n, v)) = part.split_once('=') {
                (n, MatchOp::Equal, v)
            } else {
                return Err(error(name_end, "bad matcher"));
            };
            matchers.push(Matcher {
                name: name.trim().to_owned(),
                op,
                value: value.trim().trim_matches('"').to_owned(),
            });
        }
        rest = &body[close + 1..];
    }
    let trimmed = rest.trim();
    let comparison = if trimmed.is_empty() {
        None
    } else {
        let offset = text.len() - rest.trim_start().len();
        let op_len = trimmed
            .find(|c: char| !"<>=!".contains(c))
            .unwrap_or(trimmed.len());
        let op = &trimmed[..op_len];
        if !["<", ">", "<=", ">=", "==", "!="].contains(&op) {
            return Err(error(offset, "expected a comparison"));
        }
        let number = trimmed[op_len..]
            .trim()
            .parse::<f64>()
            .map_err(|_| error(offset + op_len, "expected a number"))?;
        Some((op.to_owned(), number))
    };
    Ok(CompiledExpr {
        metric,
        matchers,
        comparison,
    })
}

impl CompiledExpr {
    /// Evaluates at `now_ms`: one `(labels, value)` per series.
    pub fn evaluate(
        &self,
        source: &dyn SampleSource,
        now_ms: i64,
    ) -> Result<Vec<(Labels, f64)>, EvalError> {
        let mut out = Vec::new();
        for series in source.select(&self.metric, &self.matchers, Duration::ZERO, now_ms) {
            let Some(&(_, value)) = series.samples.last() else {
                continue;
            };
            let keep = match &self.comparison {
                None => true,
                Some((op, n)) => match op.as_str() {
                    "<" => value < *n,
                    ">" => value > *n,
                    "<=" => value <= *n,
                    ">=" => value >= *n,
                    "==" => value == *n,
                    _ => value != *n,
                },
            };
            if keep {
                out.push((series.labels, value));
            }
        }
        Ok(out)
    }

    /// The metric names the expression reads.
    pub fn metric_names(&self) -> Vec<String> {
        vec![self.metric.clone()]
    }

    /// The longest window the expression reads.
    pub fn max_window(&self) -> Duration {
        LOOKBACK
    }
}
