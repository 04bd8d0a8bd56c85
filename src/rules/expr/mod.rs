//! The rule expression language: parse, compile (to evalexpr) and evaluate over sample history.
//!
//! A small PromQL dialect; `docs/rules.md` is the user-facing reference. In short:
//!
//! - **Selectors**: `node_filesystem_avail_bytes{mountpoint="/",fstype!~"tmpfs|ramfs"}` with
//!   `=`, `!=`, `=~`, `!~` (regexes fully anchored); `x[5m]` is a range, `offset 5m` shifts back.
//!   Dotted names map to underscores (`system.cpu.usage_percent`). A missing label matches `""`.
//! - **Operators** `^`, `* / %`, `+ -`, `== != > < >= <=`, `and unless`, `or` (PromQL
//!   precedence). Between a vector and a scalar the scalar applies to every series; between two
//!   vectors series pair up by identical label sets, or by `on(a, b)` / `ignoring(a)` (result
//!   labels then follow PromQL: only the `on` labels, or all but the ignored ones). A comparison
//!   filters (`x > 90` keeps the series where true, with `x`'s value); `x > bool 90` yields 1/0.
//!   `group_left`/`group_right` are refused at compile time.
//! - **Window functions** on a range selector: `rate irate increase delta idelta changes resets
//!   deriv predict_linear(x[1h], 3600)`, `avg_/min_/max_/sum_/count_/last_/present_/stddev_/
//!   stdvar_over_time`, `quantile_over_time(0.95, x[5m])`, `absent_over_time(x[10m])`, and the
//!   short aliases `avg min max sum count last stddev stdvar median(x[5m])`, `quantile(0.9,
//!   x[5m])`, `p50 p90 p95 p99 p999(x[5m])`.
//! - **Aggregations** over series: `sum avg min max count stddev stdvar quantile(φ, ·)`, with
//!   `by (labels)` or `without (labels)` before or after the argument.
//! - **Other functions**: `absent(x)`, `abs ceil floor round(x[, to]) sqrt exp ln log2 log10 sgn
//!   clamp(x, lo, hi) clamp_min clamp_max`, `timestamp(x)`, `time()`, `vector(s)`.
//!
//! ## How evalexpr is used
//! evalexpr (11.3) computes every per-series scalar: the compiler turns each maximal run of
//! arithmetic, comparisons and scalar functions (an *island*) into one evalexpr operator tree in
//! which each vector operand (selector, window function, aggregation, ...) and each literal is a
//! variable `vN`, and the scalar functions are provided by our own evalexpr `Context` (builtins
//! disabled). Because evalexpr does not short-circuit and resolves names only when evaluating,
//! `compile` checks that every variable and function of every tree exists before accepting it.
//! What evalexpr cannot carry is done around it in Rust: selecting series, window functions,
//! pairing series by labels (one-to-one, `on`/`ignoring`), filtering by comparisons, `and`/`or`/
//! `unless`, and aggregations across series.

mod aggregate;
mod ast;
mod compile;
mod eval;
mod fast_compare;
mod functions;
mod lexer;
mod matching;
mod parser;
pub mod promql;
mod scalar;
mod watched;

pub use crate::model::matcher::{MatchOp, Matcher, matches_all};
pub use crate::model::source::{LOOKBACK, SampleSource, SeriesSamples, SeriesVisitor};
pub use watched::watched_text;

use crate::model::Labels;
use std::time::Duration;

/// A compile error: a byte offset into the expression text and a message.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message} (at offset {offset})")]
pub struct ExprError {
    /// Byte offset into the expression text where the problem starts.
    pub offset: usize,
    /// What is wrong, lowercase.
    pub message: String,
}

impl ExprError {
    /// An error at `offset`.
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
        }
    }
}

/// An evaluation error (the expression compiled, but the data made it fail).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// Vector matching found two series with the same match labels on one side.
    #[error("many-to-many matching: duplicate series {labels} on the {side} side")]
    DuplicateSeries {
        /// `left` or `right`.
        side: &'static str,
        /// The duplicated match labels.
        labels: String,
    },
    /// evalexpr failed computing a value.
    #[error("evaluating scalar expression: {0}")]
    Scalar(String),
}

/// A compiled expression, ready to evaluate at any `now`.
#[derive(Debug)]
pub struct CompiledExpr {
    text: String,
    plan: compile::Plan,
    metric_names: Vec<String>,
    max_window: Duration,
}

/// Parses and compiles `text`, checking every function, variable and duration.
pub fn compile(text: &str) -> Result<CompiledExpr, ExprError> {
    let node = parser::parse(text)?;
    let compiled = compile::compile_root(&node)?;
    Ok(CompiledExpr {
        text: text.to_owned(),
        plan: compiled.plan,
        metric_names: compiled.metric_names.into_iter().collect(),
        max_window: Duration::from_millis(compiled.max_window_ms),
    })
}

impl CompiledExpr {
    /// Evaluates at `now_ms`: one `(labels, value)` per result series, sorted by labels.
    pub fn evaluate(
        &self,
        source: &dyn SampleSource,
        now_ms: i64,
    ) -> Result<Vec<(Labels, f64)>, EvalError> {
        let mut rows = eval::evaluate(&self.plan, source, now_ms)?;
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(rows)
    }

    /// Every metric the expression reads (for push-triggered evaluation), sorted.
    pub fn metric_names(&self) -> Vec<String> {
        self.metric_names.clone()
    }

    /// The longest range plus offset any selector uses (the history retention it needs).
    pub fn max_window(&self) -> Duration {
        self.max_window
    }

    /// The expression text as written.
    pub fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests;
