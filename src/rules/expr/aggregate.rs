//! Aggregations across series: `sum avg min max count stddev stdvar quantile` with
//! `by (labels)` / `without (labels)` grouping.

use super::ast::Grouping;
use super::eval::Vector;
use super::functions::quantile;
use crate::model::Labels;
use std::collections::HashMap;

/// An aggregation operator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum AggOp {
    Sum,
    Avg,
    Min,
    Max,
    Count,
    Stddev,
    Stdvar,
    /// `quantile(φ, x)` with φ fixed at compile time.
    Quantile(f64),
}

/// The aggregation named `name` (`quantile` takes `param`).
pub(crate) fn agg_op(name: &str, param: Option<f64>) -> Option<AggOp> {
    Some(match name {
        "sum" => AggOp::Sum,
        "avg" => AggOp::Avg,
        "min" => AggOp::Min,
        "max" => AggOp::Max,
        "count" => AggOp::Count,
        "stddev" => AggOp::Stddev,
        "stdvar" => AggOp::Stdvar,
        "quantile" => AggOp::Quantile(param?),
        _ => return None,
    })
}

/// The group a series falls in.
fn group_labels(labels: &Labels, grouping: &Grouping) -> Labels {
    match grouping {
        Grouping::None => Labels::new(),
        Grouping::By(names) => Labels::from_pairs(
            labels
                .iter()
                .filter(|(name, _)| names.iter().any(|n| n == name)),
        ),
        Grouping::Without(names) => Labels::from_pairs(
            labels
                .iter()
                .filter(|(name, _)| !names.iter().any(|n| n == name)),
        ),
    }
}

/// Aggregates `input` into one series per group.
pub(crate) fn aggregate(op: AggOp, grouping: &Grouping, input: Vector) -> Vector {
    let mut groups: HashMap<Labels, Vec<f64>> = HashMap::new();
    for (labels, value) in input {
        groups
            .entry(group_labels(&labels, grouping))
            .or_default()
            .push(value);
    }
    groups
        .into_iter()
        .map(|(labels, values)| (labels, combine(op, values)))
        .collect()
}

fn combine(op: AggOp, mut values: Vec<f64>) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    // min/max ignore NaN unless every value is NaN, as Prometheus does.
    match op {
        AggOp::Sum => values.iter().sum(),
        AggOp::Avg => mean,
        AggOp::Min => values.iter().copied().fold(f64::NAN, f64::min),
        AggOp::Max => values.iter().copied().fold(f64::NAN, f64::max),
        AggOp::Count => n,
        AggOp::Stdvar => values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n,
        AggOp::Stddev => (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt(),
        AggOp::Quantile(phi) => quantile(phi, &mut values),
    }
}
