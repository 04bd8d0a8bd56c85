//! The evaluator: runs a [`Plan`] against a [`SampleSource`] at one `now`.

use super::EvalError;
use super::aggregate::aggregate;
use super::ast::Selector;
use super::compile::Plan;
use super::functions::{Window, apply};
use super::matching::{join, set_operation};
use super::scalar::Program;
use super::source::{SampleSource, SeriesSamples};
use crate::model::Labels;
use std::collections::HashMap;
use std::time::Duration;

/// An instant vector: one value per label set.
pub(crate) type Vector = Vec<(Labels, f64)>;

/// Evaluates `plan` at `now_ms`.
pub(crate) fn evaluate(
    plan: &Plan,
    source: &dyn SampleSource,
    now_ms: i64,
) -> Result<Vector, EvalError> {
    let eval = |inner: &Plan| evaluate(inner, source, now_ms);
    Ok(match plan {
        Plan::Instant(selector) => select(source, selector, now_ms)
            .into_iter()
            .filter_map(|s| Some((s.labels, s.samples.last()?.1)))
            .collect(),
        Plan::Timestamp(selector) => select(source, selector, now_ms)
            .into_iter()
            .filter_map(|s| Some((s.labels, s.samples.last()?.0 as f64 / 1000.0)))
            .collect(),
        Plan::Window { func, selector } => {
            let window = Window {
                end_ms: now_ms - selector.offset_ms as i64,
                range_ms: selector.range_ms.unwrap_or(0) as i64,
            };
            select(source, selector, now_ms)
                .into_iter()
                .filter_map(|s| Some((s.labels, apply(*func, &s.samples, window)?)))
                .collect()
        }
        Plan::Absent { inner, labels } => {
            if eval(inner)?.is_empty() {
                vec![(labels.clone(), 1.0)]
            } else {
                Vec::new()
            }
        }
        Plan::Aggregate {
            op,
            grouping,
            inner,
        } => aggregate(*op, grouping, eval(inner)?),
        Plan::SetOp {
            op,
            matching,
            lhs,
            rhs,
        } => set_operation(*op, eval(lhs)?, eval(rhs)?, matching),
        Plan::Join {
            matching,
            lhs,
            rhs,
            program,
        } => join(eval(lhs)?, eval(rhs)?, matching, program, now_ms)?,
        Plan::Island { inputs, program } => {
            let vectors = inputs.iter().map(eval).collect::<Result<Vec<_>, _>>()?;
            island(vectors, program, now_ms)?
        }
    })
}

fn select(source: &dyn SampleSource, selector: &Selector, now_ms: i64) -> Vec<SeriesSamples> {
    source.select(
        &selector.metric,
        &selector.matchers,
        Duration::from_millis(selector.range_ms.unwrap_or(0)),
        now_ms - selector.offset_ms as i64,
    )
}

/// Pairs the input vectors by identical label sets and runs the program on each row.
fn island(mut vectors: Vec<Vector>, program: &Program, now_ms: i64) -> Result<Vector, EvalError> {
    let mut runner = program.runner(now_ms);
    if vectors.is_empty() {
        return Ok(runner
            .run(&[])?
            .map(|value| (Labels::new(), value))
            .into_iter()
            .collect());
    }
    let first = std::mem::take(&mut vectors[0]);
    let others: Vec<HashMap<&Labels, f64>> = vectors[1..]
        .iter()
        .map(|v| v.iter().map(|(l, x)| (l, *x)).collect())
        .collect();
    let mut row = vec![0.0; program.input_count()];
    let mut out = Vec::new();
    'rows: for (labels, value) in first {
        row[0] = value;
        for (slot, other) in row[1..].iter_mut().zip(&others) {
            match other.get(&labels) {
                Some(x) => *slot = *x,
                None => continue 'rows,
            }
        }
        if let Some(result) = runner.run(&row)? {
            out.push((labels, result));
        }
    }
    Ok(out)
}
