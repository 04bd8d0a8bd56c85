//! `FastCompare`: the filter `input OP literal` (or `literal OP input`) of an evalexpr program,
//! recognised at build time and run as one native `f64` comparison.
//!
//! Nearly every alert rule is a threshold (`x > 90`, `avg_over_time(x[5m]) >= 0.8`); running
//! evalexpr for those costs a tree walk, `Value` boxing and a variable lookup by name per series.
//! The result is the same: all slots hold `Value::Float`, and evalexpr compares two floats with
//! the `f64` operators (`==`/`!=` through `Value`'s `PartialEq`, so NaN compares as in Rust).

use evalexpr::{Node, Operator, Value};

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CompareOp {
    Greater,
    Less,
    GreaterOrEqual,
    LessOrEqual,
    Equal,
    NotEqual,
}

/// `slots[input] OP constant`, or `constant OP slots[input]` when `input_on_left` is false.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct FastCompare {
    op: CompareOp,
    input: usize,
    constant: f64,
    input_on_left: bool,
}

impl FastCompare {
    /// Recognises `filter` (a built tree over `vN` slots) when it compares one of the first
    /// `inputs` slots with a constant slot of `slots`.
    pub fn recognise(filter: &Node, inputs: usize, slots: &[Value]) -> Option<Self> {
        let node = unwrap_roots(filter);
        let op = match node.operator() {
            Operator::Gt => CompareOp::Greater,
            Operator::Lt => CompareOp::Less,
            Operator::Geq => CompareOp::GreaterOrEqual,
            Operator::Leq => CompareOp::LessOrEqual,
            Operator::Eq => CompareOp::Equal,
            Operator::Neq => CompareOp::NotEqual,
            _ => return None,
        };
        let [left, right] = node.children() else {
            return None;
        };
        let (left, right) = (slot_of(left)?, slot_of(right)?);
        let constant_at = |slot: usize| match slots.get(slot) {
            Some(Value::Float(value)) if slot >= inputs => Some(*value),
            _ => None,
        };
        let (input, constant, input_on_left) = if left < inputs {
            (left, constant_at(right)?, true)
        } else {
            (right, constant_at(left)?, false)
        };
        (input < inputs).then_some(Self {
            op,
            input,
            constant,
            input_on_left,
        })
    }

    /// The comparison's truth for one row of inputs (false when the input is missing).
    pub fn holds(&self, inputs: &[f64]) -> bool {
        let Some(&value) = inputs.get(self.input) else {
            return false;
        };
        let (a, b) = if self.input_on_left {
            (value, self.constant)
        } else {
            (self.constant, value)
        };
        match self.op {
            CompareOp::Greater => a > b,
            CompareOp::Less => a < b,
            CompareOp::GreaterOrEqual => a >= b,
            CompareOp::LessOrEqual => a <= b,
            CompareOp::Equal => a == b,
            CompareOp::NotEqual => a != b,
        }
    }
}

/// Skips the root and parenthesis nodes that wrap a single child.
fn unwrap_roots(mut node: &Node) -> &Node {
    while matches!(node.operator(), Operator::RootNode) && node.children().len() == 1 {
        node = &node.children()[0];
    }
    node
}

/// The slot number of a lone `vN` variable read.
fn slot_of(node: &Node) -> Option<usize> {
    match unwrap_roots(node).operator() {
        Operator::VariableIdentifierRead { identifier } => {
            identifier.strip_prefix('v')?.parse().ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recognise(text: &str, inputs: usize, constants: &[f64]) -> Option<FastCompare> {
        let tree = evalexpr::build_operator_tree(text).unwrap();
        let mut slots = vec![Value::Float(0.0); inputs];
        slots.extend(constants.iter().map(|&c| Value::Float(c)));
        FastCompare::recognise(&tree, inputs, &slots)
    }

    #[test]
    fn input_against_a_literal_is_recognised_on_either_side() {
        let above = recognise("(v0 > v1)", 1, &[90.0]).unwrap();
        assert!(above.holds(&[95.0]));
        assert!(!above.holds(&[90.0]));
        let below = recognise("(v1 < v0)", 1, &[90.0]).unwrap();
        assert!(below.holds(&[95.0]), "90 < x");
        assert!(!below.holds(&[85.0]));
    }

    #[test]
    fn every_operator_matches_f64_semantics_including_nan() {
        for (op, at_threshold, nan) in [
            (">", false, false),
            ("<", false, false),
            (">=", true, false),
            ("<=", true, false),
            ("==", true, false),
            ("!=", false, true),
        ] {
            let fast = recognise(&format!("(v0 {op} v1)"), 1, &[5.0]).unwrap();
            assert_eq!(fast.holds(&[5.0]), at_threshold, "{op}");
            assert_eq!(fast.holds(&[f64::NAN]), nan, "{op} NaN");
        }
    }

    #[test]
    fn anything_else_is_left_to_evalexpr() {
        assert_eq!(recognise("(v0 > v1)", 2, &[]), None, "two inputs");
        assert_eq!(recognise("((v0 * v1) > v2)", 1, &[2.0, 9.0]), None);
        assert_eq!(recognise("(v0 + v1)", 1, &[1.0]), None);
        assert_eq!(recognise("(v1 > v2)", 1, &[1.0, 2.0]), None, "two literals");
    }
}
