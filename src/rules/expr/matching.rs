//! Vector matching: pairing two vectors' series by label signature (all labels, `on`,
//! `ignoring`) for binary operators, and the set operators `and`, `or`, `unless`.

use super::EvalError;
use super::ast::{BinOp, Matching};
use super::eval::Vector;
use super::scalar::Program;
use crate::model::Labels;
use std::collections::{HashMap, HashSet};

/// The labels two series are compared on under `matching`.
pub(crate) fn signature(labels: &Labels, matching: &Matching) -> Labels {
    match matching {
        Matching::All => labels.clone(),
        Matching::On(names) => Labels::from_pairs(
            labels
                .iter()
                .filter(|(name, _)| names.iter().any(|n| n == name)),
        ),
        Matching::Ignoring(names) => Labels::from_pairs(
            labels
                .iter()
                .filter(|(name, _)| !names.iter().any(|n| n == name)),
        ),
    }
}

/// One-to-one matching of `lhs` and `rhs`, running `program` (inputs: left, right) per pair.
/// Result labels are the left side's, reduced to the `on` labels or without the ignored ones.
pub(crate) fn join(
    lhs: Vector,
    rhs: Vector,
    matching: &Matching,
    program: &Program,
    now_ms: i64,
) -> Result<Vector, EvalError> {
    let mut right: HashMap<Labels, f64> = HashMap::with_capacity(rhs.len());
    for (labels, value) in rhs {
        let key = signature(&labels, matching);
        if right.insert(key.clone(), value).is_some() {
            return Err(duplicate("right", &key));
        }
    }
    let mut seen = HashSet::with_capacity(lhs.len());
    let mut runner = program.runner(now_ms);
    let mut out = Vec::new();
    for (labels, value) in lhs {
        let key = signature(&labels, matching);
        let Some(&other) = right.get(&key) else {
            continue;
        };
        if !seen.insert(key.clone()) {
            return Err(duplicate("left", &key));
        }
        if let Some(result) = runner.run(&[value, other])? {
            let labels = match matching {
                Matching::All => labels,
                Matching::On(_) | Matching::Ignoring(_) => key,
            };
            out.push((labels, result));
        }
    }
    Ok(out)
}

fn duplicate(side: &'static str, labels: &Labels) -> EvalError {
    EvalError::DuplicateSeries {
        side,
        labels: labels.to_string(),
    }
}

/// `and` (left series with a match), `or` (left, plus unmatched right), `unless` (left
/// series without a match).
pub(crate) fn set_operation(op: BinOp, lhs: Vector, rhs: Vector, matching: &Matching) -> Vector {
    let right_keys: HashSet<Labels> = rhs.iter().map(|(l, _)| signature(l, matching)).collect();
    match op {
        BinOp::And => lhs
            .into_iter()
            .filter(|(l, _)| right_keys.contains(&signature(l, matching)))
            .collect(),
        BinOp::Unless => lhs
            .into_iter()
            .filter(|(l, _)| !right_keys.contains(&signature(l, matching)))
            .collect(),
        _ => {
            let left_keys: HashSet<Labels> =
                lhs.iter().map(|(l, _)| signature(l, matching)).collect();
            let mut out = lhs;
            out.extend(
                rhs.into_iter()
                    .filter(|(l, _)| !left_keys.contains(&signature(l, matching))),
            );
            out
        }
    }
}
