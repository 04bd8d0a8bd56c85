//! The compiler's calls: aggregations, window functions (and their aliases), `absent`,
//! `absent_over_time`, `timestamp` and `vector`.

use super::{Compiler, Plan, Type, absent_labels, literal, type_of};
use crate::rules::expr::ExprError;
use crate::rules::expr::aggregate::agg_op;
use crate::rules::expr::ast::{Grouping, Node, NodeKind};
use crate::rules::expr::functions::{needs_param, window_func};
use crate::rules::expr::scalar::{Program, SlotAllocator};

impl Compiler {
    pub(super) fn aggregate(
        &mut self,
        name: &str,
        grouping: &Grouping,
        args: &[Node],
        offset: usize,
    ) -> Result<Plan, ExprError> {
        if args.last().is_some_and(|a| type_of(a) == Type::Range) {
            if *grouping != Grouping::None {
                return Err(ExprError::new(
                    offset,
                    format!("{name}(x[range]) is a window function; by/without do not apply"),
                ));
            }
            return self.window(name, args, offset);
        }
        let wanted = if name == "quantile" { 2 } else { 1 };
        if args.len() != wanted {
            return Err(ExprError::new(
                offset,
                format!("{name} takes {wanted} argument(s), got {}", args.len()),
            ));
        }
        let param = if wanted == 2 {
            Some(literal(&args[0], "the quantile")?)
        } else {
            None
        };
        let expr = &args[wanted - 1];
        if type_of(expr) != Type::Vector {
            return Err(ExprError::new(
                expr.offset,
                format!("{name} aggregates an instant vector, e.g. {name} by (job) (x)"),
            ));
        }
        let op = agg_op(name, param)
            .ok_or_else(|| ExprError::new(offset, format!("unknown aggregation {name:?}")))?;
        Ok(Plan::Aggregate {
            op,
            grouping: grouping.clone(),
            inner: Box::new(self.plan(expr)?),
        })
    }

    /// Calls that yield vectors: window functions, `absent*`, `timestamp`, `vector`.
    pub(super) fn call(
        &mut self,
        name: &str,
        args: &[Node],
        offset: usize,
    ) -> Result<Plan, ExprError> {
        let single = |what: &str| match args {
            [arg] => Ok(arg),
            _ => Err(ExprError::new(
                offset,
                format!("{name} takes one argument ({what})"),
            )),
        };
        match name {
            "absent" => {
                let arg = single("an instant vector")?;
                let inner = Box::new(self.plan(arg)?);
                Ok(Plan::Absent {
                    inner,
                    labels: absent_labels(arg),
                })
            }
            "absent_over_time" => {
                let arg = single("a range selector")?;
                let inner = Box::new(self.window("count_over_time", args, offset)?);
                Ok(Plan::Absent {
                    inner,
                    labels: absent_labels(arg),
                })
            }
            "timestamp" => {
                let arg = single("an instant selector")?;
                match &arg.kind {
                    NodeKind::Selector(s) if s.range_ms.is_none() => {
                        self.record(s);
                        Ok(Plan::Timestamp(s.clone()))
                    }
                    _ => Err(ExprError::new(
                        arg.offset,
                        "timestamp takes an instant selector",
                    )),
                }
            }
            "vector" => {
                let arg = single("a scalar")?;
                if type_of(arg) != Type::Scalar {
                    return Err(ExprError::new(arg.offset, "vector takes a scalar"));
                }
                let mut slots = SlotAllocator::default();
                let mut inputs = Vec::new();
                let text = self.emit(arg, &mut slots, &mut inputs)?;
                let program = Program::build(&text, None, slots, offset)?;
                Ok(Plan::Island { inputs, program })
            }
            _ if window_func(name, Some(0.0)).is_some() => self.window(name, args, offset),
            _ => Err(ExprError::new(offset, format!("unknown function {name:?}"))),
        }
    }

    /// A window function call: `f(x[r])`, `quantile_over_time(φ, x[r])`, `predict_linear(x[r], t)`.
    fn window(&mut self, name: &str, args: &[Node], offset: usize) -> Result<Plan, ExprError> {
        let with_param = needs_param(name);
        let (param, range_arg) = match (with_param, name, args) {
            (false, _, [range]) => (None, range),
            (true, "predict_linear", [range, param]) => {
                (Some(literal(param, "predict_linear's horizon")?), range)
            }
            (true, _, [param, range]) if name != "predict_linear" => {
                (Some(literal(param, "the quantile")?), range)
            }
            _ => {
                let wanted = if with_param { 2 } else { 1 };
                return Err(ExprError::new(
                    offset,
                    format!("{name} takes {wanted} argument(s), got {}", args.len()),
                ));
            }
        };
        let NodeKind::Selector(selector) = &range_arg.kind else {
            return Err(ExprError::new(
                range_arg.offset,
                format!("{name} needs a range selector such as x[5m]"),
            ));
        };
        if selector.range_ms.is_none() {
            return Err(ExprError::new(
                range_arg.offset,
                format!("{name} needs a range selector such as x[5m], not an instant selector"),
            ));
        }
        let func = window_func(name, param)
            .ok_or_else(|| ExprError::new(offset, format!("unknown function {name:?}")))?;
        self.record(selector);
        Ok(Plan::Window {
            func,
            selector: selector.clone(),
        })
    }
}
