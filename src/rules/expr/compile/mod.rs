//! The compiler: syntax tree to an executable [`Plan`], resolving functions and aliases,
//! checking types (scalar, instant vector, range) and building the evalexpr programs.

use super::ExprError;
use super::aggregate::AggOp;
use super::ast::{BinOp, Grouping, Matching, Node, NodeKind, Selector};
use super::functions::WindowFunc;
use super::scalar::{BOOL_FUNCTION, Program, SCALAR_FUNCTIONS, SlotAllocator};
use crate::model::Labels;
use crate::model::matcher::MatchOp;
use std::collections::BTreeSet;

mod calls;

/// An executable expression tree; every node yields an instant vector.
#[derive(Debug)]
pub(crate) enum Plan {
    /// Scalar code over vector inputs paired by identical labels (no inputs: one row, no labels).
    Island { inputs: Vec<Plan>, program: Program },
    /// The latest sample of each selected series.
    Instant(Selector),
    /// A window function over each selected series.
    Window {
        func: WindowFunc,
        selector: Selector,
    },
    /// The latest sample's timestamp (seconds) of each selected series.
    Timestamp(Selector),
    /// One series `labels = 1` when `inner` is empty, else nothing.
    Absent { inner: Box<Plan>, labels: Labels },
    /// An aggregation across series.
    Aggregate {
        op: AggOp,
        grouping: Grouping,
        inner: Box<Plan>,
    },
    /// `and`, `or`, `unless`.
    SetOp {
        op: BinOp,
        matching: Matching,
        lhs: Box<Plan>,
        rhs: Box<Plan>,
    },
    /// A binary operator with `on`/`ignoring` matching; the program reads (left, right).
    Join {
        matching: Matching,
        lhs: Box<Plan>,
        rhs: Box<Plan>,
        program: Program,
    },
}

/// The compiler's output.
pub(crate) struct Compiled {
    pub plan: Plan,
    pub metric_names: BTreeSet<String>,
    pub max_window_ms: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Type {
    Scalar,
    Vector,
    Range,
}

/// Compiles a parsed expression.
pub(crate) fn compile_root(node: &Node) -> Result<Compiled, ExprError> {
    let mut compiler = Compiler::default();
    let plan = compiler.plan(node)?;
    Ok(Compiled {
        plan,
        metric_names: compiler.metric_names,
        max_window_ms: compiler.max_window_ms,
    })
}

#[derive(Default)]
pub(super) struct Compiler {
    metric_names: BTreeSet<String>,
    max_window_ms: u64,
}

fn is_scalar_function(name: &str) -> bool {
    SCALAR_FUNCTIONS.iter().any(|(f, _, _)| *f == name)
}

pub(super) fn type_of(node: &Node) -> Type {
    match &node.kind {
        NodeKind::Number(_) => Type::Scalar,
        NodeKind::Selector(s) if s.range_ms.is_some() => Type::Range,
        NodeKind::Selector(_) | NodeKind::Aggregate { .. } => Type::Vector,
        NodeKind::Negate(inner) => type_of(inner),
        NodeKind::Call { name, args } => match name.as_str() {
            "time" => Type::Scalar,
            f if is_scalar_function(f) => args.first().map_or(Type::Scalar, type_of),
            _ => Type::Vector,
        },
        NodeKind::Binary { op, lhs, rhs, .. } => {
            let (l, r) = (type_of(lhs), type_of(rhs));
            if l == Type::Range || r == Type::Range {
                Type::Range
            } else if op.is_set() || l == Type::Vector || r == Type::Vector {
                Type::Vector
            } else {
                Type::Scalar
            }
        }
    }
}

pub(super) fn literal(node: &Node, what: &str) -> Result<f64, ExprError> {
    match node.kind {
        NodeKind::Number(n) => Ok(n),
        _ => Err(ExprError::new(
            node.offset,
            format!("{what} must be a number literal"),
        )),
    }
}

/// Equality matchers of a selector argument, the labels `absent` reports.
pub(super) fn absent_labels(node: &Node) -> Labels {
    let NodeKind::Selector(selector) = &node.kind else {
        return Labels::new();
    };
    Labels::from_pairs(
        selector
            .matchers
            .iter()
            .filter(|m| m.op == MatchOp::Equal)
            .map(|m| (m.name.clone(), m.value.clone())),
    )
}

impl Compiler {
    /// Any scalar or instant-vector node to a plan.
    pub(super) fn plan(&mut self, node: &Node) -> Result<Plan, ExprError> {
        match &node.kind {
            NodeKind::Selector(selector) => {
                if selector.range_ms.is_some() {
                    return Err(ExprError::new(
                        node.offset,
                        "a range selector must be the argument of a window function, \
                         e.g. avg_over_time(x[5m])",
                    ));
                }
                self.record(selector);
                Ok(Plan::Instant(selector.clone()))
            }
            NodeKind::Aggregate {
                name,
                grouping,
                args,
            } => self.aggregate(name, grouping, args, node.offset),
            NodeKind::Binary {
                op,
                matching,
                lhs,
                rhs,
                return_bool,
            } if op.is_set() || matching.is_some() => {
                let matching = matching.clone().unwrap_or_default();
                self.binary_with_matching(*op, *return_bool, matching, lhs, rhs, node.offset)
            }
            NodeKind::Call { name, args } if name != "time" && !is_scalar_function(name) => {
                self.call(name, args, node.offset)
            }
            _ => self.island(node),
        }
    }

    pub(super) fn record(&mut self, selector: &Selector) {
        self.metric_names.insert(selector.metric.clone());
        let window = selector.range_ms.unwrap_or(0) + selector.offset_ms;
        self.max_window_ms = self.max_window_ms.max(window);
    }

    /// A run of arithmetic, comparisons and scalar functions as one evalexpr program; a
    /// comparison at its root (without `bool`) becomes the program's filter.
    fn island(&mut self, node: &Node) -> Result<Plan, ExprError> {
        let mut slots = SlotAllocator::default();
        let mut inputs = Vec::new();
        let (value, filter) = match &node.kind {
            NodeKind::Binary {
                op,
                return_bool: false,
                matching: None,
                lhs,
                rhs,
            } if op.is_comparison() => {
                let l = self.emit(lhs, &mut slots, &mut inputs)?;
                let r = self.emit(rhs, &mut slots, &mut inputs)?;
                let filter = format!("({l} {} {r})", op.evalexpr_symbol());
                let keep_right = type_of(lhs) == Type::Scalar && type_of(rhs) == Type::Vector;
                (if keep_right { r } else { l }, Some(filter))
            }
            _ => (self.emit(node, &mut slots, &mut inputs)?, None),
        };
        if inputs.len() == 1
            && filter.is_none()
            && value == "i0"
            && let Some(only) = inputs.pop()
        {
            return Ok(only);
        }
        let program = Program::build(&value, filter.as_deref(), slots, node.offset)?;
        Ok(Plan::Island { inputs, program })
    }

    /// Writes `node` as evalexpr text; vector operands become new inputs.
    pub(super) fn emit(
        &mut self,
        node: &Node,
        slots: &mut SlotAllocator,
        inputs: &mut Vec<Plan>,
    ) -> Result<String, ExprError> {
        match &node.kind {
            NodeKind::Number(n) => Ok(slots.constant(*n)),
            NodeKind::Negate(inner) => Ok(format!("(-{})", self.emit(inner, slots, inputs)?)),
            NodeKind::Binary {
                op,
                return_bool,
                matching: None,
                lhs,
                rhs,
            } if !op.is_set() && (*return_bool || !op.is_comparison()) => {
                let l = self.emit(lhs, slots, inputs)?;
                let r = self.emit(rhs, slots, inputs)?;
                let text = format!("({l} {} {r})", op.evalexpr_symbol());
                Ok(if *return_bool {
                    format!("{BOOL_FUNCTION}{text}")
                } else {
                    text
                })
            }
            NodeKind::Binary { op, lhs, rhs, .. }
                if op.is_comparison()
                    && type_of(lhs) == Type::Scalar
                    && type_of(rhs) == Type::Scalar =>
            {
                Err(ExprError::new(
                    node.offset,
                    "a comparison between scalars inside an expression needs the bool modifier",
                ))
            }
            NodeKind::Call { name, args } if name == "time" => {
                if let Some(arg) = args.first() {
                    return Err(ExprError::new(arg.offset, "time() takes no arguments"));
                }
                Ok(slots.time())
            }
            NodeKind::Call { name, args } if is_scalar_function(name) => {
                self.emit_scalar_call(name, args, node.offset, slots, inputs)
            }
            _ => {
                let plan = self.plan(node)?;
                inputs.push(plan);
                Ok(slots.input())
            }
        }
    }

    fn emit_scalar_call(
        &mut self,
        name: &str,
        args: &[Node],
        offset: usize,
        slots: &mut SlotAllocator,
        inputs: &mut Vec<Plan>,
    ) -> Result<String, ExprError> {
        let (_, min, max) = SCALAR_FUNCTIONS
            .iter()
            .find(|(f, _, _)| *f == name)
            .copied()
            .unwrap_or((name, 1, 1));
        if args.len() < min || args.len() > max {
            let wanted = if min == max {
                format!("{min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(ExprError::new(
                offset,
                format!("{name} takes {wanted} arguments, got {}", args.len()),
            ));
        }
        let mut texts = Vec::with_capacity(args.len());
        for (i, arg) in args.iter().enumerate() {
            if i > 0 && type_of(arg) != Type::Scalar {
                return Err(ExprError::new(
                    arg.offset,
                    format!("argument {} of {name} must be a scalar", i + 1),
                ));
            }
            texts.push(self.emit(arg, slots, inputs)?);
        }
        Ok(format!("{name}({})", texts.join(", ")))
    }

    fn binary_with_matching(
        &mut self,
        op: BinOp,
        return_bool: bool,
        matching: Matching,
        lhs: &Node,
        rhs: &Node,
        offset: usize,
    ) -> Result<Plan, ExprError> {
        for side in [lhs, rhs] {
            if type_of(side) != Type::Vector {
                return Err(ExprError::new(
                    side.offset,
                    "vector matching (on/ignoring, and/or/unless) needs instant vectors on both sides",
                ));
            }
        }
        let (l, r) = (Box::new(self.plan(lhs)?), Box::new(self.plan(rhs)?));
        if op.is_set() {
            return Ok(Plan::SetOp {
                op,
                matching,
                lhs: l,
                rhs: r,
            });
        }
        let mut slots = SlotAllocator::default();
        let (left, right) = (slots.input(), slots.input());
        let text = format!("({left} {} {right})", op.evalexpr_symbol());
        let program = if op.is_comparison() && !return_bool {
            Program::build(&left, Some(&text), slots, offset)?
        } else if return_bool {
            Program::build(&format!("{BOOL_FUNCTION}{text}"), None, slots, offset)?
        } else {
            Program::build(&text, None, slots, offset)?
        };
        Ok(Plan::Join {
            matching,
            lhs: l,
            rhs: r,
            program,
        })
    }
}
