//! The evaluator: runs a [`Plan`] against a [`SampleSource`] at one `now`.

use super::EvalError;
use super::aggregate::aggregate;
use super::compile::Plan;
use super::functions::{Window, WindowFunc, apply};
use super::matching::{join, set_operation};
use super::scalar::Program;
use crate::model::Labels;
use crate::model::source::SampleSource;
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
        Plan::Instant(_) | Plan::Timestamp(_) | Plan::Window { .. } => {
            let mut out = Vec::new();
            series_values(plan, source, now_ms, &mut |labels, value| {
                out.push((labels.clone(), value));
            });
            out
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
        Plan::Island { inputs, program } if inputs.len() == 1 && is_series_plan(&inputs[0]) => {
            fused_island(&inputs[0], program, source, now_ms)?
        }
        Plan::Island { inputs, program } => {
            let vectors = inputs.iter().map(eval).collect::<Result<Vec<_>, _>>()?;
            island(vectors, program, now_ms)?
        }
    })
}

fn is_series_plan(plan: &Plan) -> bool {
    matches!(
        plan,
        Plan::Instant(_) | Plan::Timestamp(_) | Plan::Window { .. }
    )
}

/// How a series plan turns one series' samples into its value.
enum SeriesValue {
    Latest,
    LatestTimestamp,
    Window(WindowFunc, Window),
}

impl SeriesValue {
    fn of(&self, samples: &[(i64, f64)], scratch: &mut Vec<f64>) -> Option<f64> {
        match *self {
            Self::Latest => Some(samples.last()?.1),
            Self::LatestTimestamp => Some(samples.last()?.0 as f64 / 1000.0),
            Self::Window(func, window) => apply(func, samples, window, scratch),
        }
    }
}

/// Calls `emit` with each selected series' labels (borrowed) and its value under `plan`,
/// one of `Instant`, `Timestamp`, `Window`.
fn series_values(
    plan: &Plan,
    source: &dyn SampleSource,
    now_ms: i64,
    emit: &mut dyn FnMut(&Labels, f64),
) {
    let (selector, value) = match plan {
        Plan::Instant(selector) => (selector, SeriesValue::Latest),
        Plan::Timestamp(selector) => (selector, SeriesValue::LatestTimestamp),
        Plan::Window { func, selector } => {
            let window = Window {
                end_ms: now_ms - selector.offset_ms as i64,
                range_ms: selector.range_ms.unwrap_or(0) as i64,
            };
            (selector, SeriesValue::Window(*func, window))
        }
        _ => return,
    };
    let mut scratch = Vec::new();
    source.visit(
        &selector.metric,
        &selector.matchers,
        Duration::from_millis(selector.range_ms.unwrap_or(0)),
        now_ms - selector.offset_ms as i64,
        &mut |labels, samples| {
            if let Some(v) = value.of(samples, &mut scratch) {
                emit(labels, v);
            }
        },
    );
}

/// An island over a single series plan, run while visiting the series, so labels are cloned
/// only for the rows the program keeps (a threshold rule keeps few).
fn fused_island(
    input: &Plan,
    program: &Program,
    source: &dyn SampleSource,
    now_ms: i64,
) -> Result<Vector, EvalError> {
    let mut runner = program.runner(now_ms);
    let mut out = Vec::new();
    let mut failure = None;
    series_values(
        input,
        source,
        now_ms,
        &mut |labels, value| match runner.run(&[value]) {
            Ok(Some(result)) => out.push((labels.clone(), result)),
            Ok(None) => {}
            Err(error) => failure = Some(error),
        },
    );
    match failure {
        Some(error) => Err(error),
        None => Ok(out),
    }
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
