//! The evalexpr side: a [`Program`] is an evalexpr operator tree over numbered slots `vN`
//! (vector inputs first, then literals, then `time()`), run once per matched label set.
//!
//! Scalar functions come from [`SlotContext`], not from evalexpr's builtins (disabled), so the
//! set is exactly [`SCALAR_FUNCTIONS`]; [`Program::build`] rejects a tree naming anything else.

use super::fast_compare::FastCompare;
use super::{EvalError, ExprError};
use evalexpr::{Context, EvalexprError, EvalexprResult, Node, Value};

/// Functions a program may call, with their argument counts (min, max).
pub(crate) const SCALAR_FUNCTIONS: [(&str, usize, usize); 13] = [
    ("abs", 1, 1),
    ("ceil", 1, 1),
    ("floor", 1, 1),
    ("round", 1, 2),
    ("sqrt", 1, 1),
    ("exp", 1, 1),
    ("ln", 1, 1),
    ("log2", 1, 1),
    ("log10", 1, 1),
    ("sgn", 1, 1),
    ("clamp", 3, 3),
    ("clamp_min", 2, 2),
    ("clamp_max", 2, 2),
];

/// The internal function turning a comparison's boolean into 1 or 0 (`bool` modifier).
pub(crate) const BOOL_FUNCTION: &str = "wp_bool";

/// Compiled scalar code: a value tree, an optional filter tree, and the slot template.
#[derive(Debug)]
pub(crate) struct Program {
    value: Node,
    filter: Option<Node>,
    slots: Vec<Value>,
    inputs: usize,
    time_slot: Option<usize>,
    /// When the value tree is a lone variable (a filter's kept operand), its slot: read directly.
    value_slot: Option<usize>,
    /// When the filter is `input OP literal`, the same comparison run natively.
    fast_filter: Option<FastCompare>,
}

/// Allocates slots while the compiler writes evalexpr text.
#[derive(Debug, Default)]
pub(crate) struct SlotAllocator {
    inputs: usize,
    constants: Vec<f64>,
    time_slot: bool,
}

impl SlotAllocator {
    /// A new vector input; returns its variable name. Inputs must all come before constants.
    pub fn input(&mut self) -> String {
        self.inputs += 1;
        format!("i{}", self.inputs - 1)
    }

    /// A literal; returns its variable name.
    pub fn constant(&mut self, value: f64) -> String {
        self.constants.push(value);
        format!("c{}", self.constants.len() - 1)
    }

    /// The `time()` variable.
    pub fn time(&mut self) -> String {
        self.time_slot = true;
        "t".to_owned()
    }
}

impl Program {
    /// Builds the evalexpr trees from text written with `slots`' names, checking every
    /// variable and function. Names `iN`/`cN`/`t` are renumbered to flat `vN` slots.
    pub fn build(
        value: &str,
        filter: Option<&str>,
        slots: SlotAllocator,
        offset: usize,
    ) -> Result<Self, ExprError> {
        let inputs = slots.inputs;
        let constants = slots.constants.len();
        let rename = |name: &mut String| {
            let index = if let Some(n) = name.strip_prefix('i') {
                n.parse::<usize>().ok()
            } else if let Some(n) = name.strip_prefix('c') {
                n.parse::<usize>().ok().map(|c| inputs + c)
            } else {
                (name == "t").then_some(inputs + constants)
            };
            if let Some(index) = index {
                *name = format!("v{index}");
            }
        };
        let build = |text: &str| -> Result<Node, ExprError> {
            let mut node = evalexpr::build_operator_tree(text)
                .map_err(|e| ExprError::new(offset, format!("internal: evalexpr {text:?}: {e}")))?;
            node.iter_variable_identifiers_mut().for_each(rename);
            Ok(node)
        };
        let mut template = vec![Value::Float(0.0); inputs];
        template.extend(slots.constants.iter().map(|&c| Value::Float(c)));
        let time_slot = slots.time_slot.then(|| {
            template.push(Value::Float(0.0));
            template.len() - 1
        });
        let value = build(value)?;
        let value_slot = match value.operator() {
            evalexpr::Operator::RootNode if value.children().len() == 1 => {
                match value.children()[0].operator() {
                    evalexpr::Operator::VariableIdentifierRead { identifier } => identifier
                        .strip_prefix('v')
                        .and_then(|n| n.parse::<usize>().ok()),
                    _ => None,
                }
            }
            _ => None,
        };
        let filter = filter.map(build).transpose()?;
        let fast_filter = filter
            .as_ref()
            .and_then(|tree| FastCompare::recognise(tree, inputs, &template));
        let program = Self {
            value,
            value_slot,
            filter,
            fast_filter,
            slots: template,
            inputs,
            time_slot,
        };
        program.check_identifiers(offset)?;
        Ok(program)
    }

    /// Every variable must be a slot and every function one of ours (evalexpr resolves names
    /// only while evaluating and does not short-circuit, so a typo would fail at runtime).
    fn check_identifiers(&self, offset: usize) -> Result<(), ExprError> {
        for node in std::iter::once(&self.value).chain(&self.filter) {
            for name in node.iter_variable_identifiers() {
                let known = name
                    .strip_prefix('v')
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n < self.slots.len());
                if !known {
                    return Err(ExprError::new(offset, format!("unknown variable {name:?}")));
                }
            }
            for name in node.iter_function_identifiers() {
                let known =
                    name == BOOL_FUNCTION || SCALAR_FUNCTIONS.iter().any(|(f, _, _)| *f == name);
                if !known {
                    return Err(ExprError::new(offset, format!("unknown function {name:?}")));
                }
            }
        }
        Ok(())
    }

    /// Number of vector inputs the program reads.
    pub fn input_count(&self) -> usize {
        self.inputs
    }

    /// A reusable evaluator with `time()` set to `now_ms`.
    pub fn runner(&self, now_ms: i64) -> Runner<'_> {
        let mut slots = self.slots.clone();
        if let Some(slot) = self.time_slot {
            slots[slot] = Value::Float(now_ms as f64 / 1000.0);
        }
        Runner {
            program: self,
            context: SlotContext { slots },
        }
    }
}

/// Runs one program over many rows, reusing its slot vector.
pub(crate) struct Runner<'p> {
    program: &'p Program,
    context: SlotContext,
}

impl Runner<'_> {
    /// The value for one row of inputs, or `None` when the filter comparison is false.
    pub fn run(&mut self, inputs: &[f64]) -> Result<Option<f64>, EvalError> {
        if let Some(fast) = &self.program.fast_filter {
            if !fast.holds(inputs) {
                return Ok(None);
            }
            if let Some(&value) = self.program.value_slot.and_then(|slot| inputs.get(slot)) {
                return Ok(Some(value));
            }
        }
        for (slot, &value) in self.context.slots.iter_mut().zip(inputs) {
            *slot = Value::Float(value);
        }
        let scalar_error = |e: EvalexprError| EvalError::Scalar(e.to_string());
        if self.program.fast_filter.is_none()
            && let Some(filter) = &self.program.filter
            && !filter
                .eval_boolean_with_context(&self.context)
                .map_err(scalar_error)?
        {
            return Ok(None);
        }
        if let Some(slot) = self.program.value_slot
            && let Some(value) = self.context.slots.get(slot)
        {
            return Ok(Some(value.as_number().map_err(scalar_error)?));
        }
        let value = self
            .program
            .value
            .eval_number_with_context(&self.context)
            .map_err(scalar_error)?;
        Ok(Some(value))
    }
}

/// The evalexpr context: variables are slots, functions are PromQL's scalar functions.
struct SlotContext {
    slots: Vec<Value>,
}

impl Context for SlotContext {
    fn get_value(&self, identifier: &str) -> Option<&Value> {
        let index: usize = identifier.strip_prefix('v')?.parse().ok()?;
        self.slots.get(index)
    }

    fn call_function(&self, identifier: &str, argument: &Value) -> EvalexprResult<Value> {
        call_scalar_function(identifier, argument)
    }

    fn are_builtin_functions_disabled(&self) -> bool {
        true
    }

    fn set_builtin_functions_disabled(&mut self, disabled: bool) -> EvalexprResult<()> {
        if disabled {
            Ok(())
        } else {
            Err(EvalexprError::BuiltinFunctionsCannotBeEnabled)
        }
    }
}

fn numbers(argument: &Value) -> EvalexprResult<Vec<f64>> {
    match argument {
        Value::Tuple(items) => items.iter().map(Value::as_number).collect(),
        other => Ok(vec![other.as_number()?]),
    }
}

/// PromQL's `round(x, to)`: half rounds up, to the nearest multiple of `to`.
fn round_to(value: f64, to_nearest: f64) -> f64 {
    let inverse = 1.0 / to_nearest;
    (value * inverse + 0.5).floor() / inverse
}

fn call_scalar_function(name: &str, argument: &Value) -> EvalexprResult<Value> {
    if name == BOOL_FUNCTION {
        let truth = argument.as_boolean()?;
        return Ok(Value::Float(if truth { 1.0 } else { 0.0 }));
    }
    let args = numbers(argument)?;
    let x = args.first().copied().unwrap_or(f64::NAN);
    let arg = |i: usize| args.get(i).copied().unwrap_or(f64::NAN);
    let result = match name {
        "abs" => x.abs(),
        "ceil" => x.ceil(),
        "floor" => x.floor(),
        "round" if args.len() == 2 => round_to(x, arg(1)),
        "round" => round_to(x, 1.0),
        "sqrt" => x.sqrt(),
        "exp" => x.exp(),
        "ln" => x.ln(),
        "log2" => x.log2(),
        "log10" => x.log10(),
        "sgn" if x == 0.0 || x.is_nan() => x,
        "sgn" => x.signum(),
        "clamp" if arg(1) > arg(2) => f64::NAN,
        "clamp" => x.max(arg(1)).min(arg(2)),
        "clamp_min" => x.max(arg(1)),
        "clamp_max" => x.min(arg(1)),
        _ => return Err(EvalexprError::FunctionIdentifierNotFound(name.to_owned())),
    };
    Ok(Value::Float(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(value: &str, filter: Option<&str>, inputs: usize, constants: &[f64]) -> Program {
        let mut slots = SlotAllocator::default();
        for _ in 0..inputs {
            slots.input();
        }
        for &c in constants {
            slots.constant(c);
        }
        Program::build(value, filter, slots, 0).unwrap()
    }

    #[test]
    fn arithmetic_over_slots_is_float() {
        let p = program("(i0 / c0)", None, 1, &[2.0]);
        assert_eq!(p.value_slot, None);
        assert_eq!(p.runner(0).run(&[1.0]).unwrap(), Some(0.5));
    }

    #[test]
    fn filter_false_drops_the_row() {
        let p = program("i0", Some("(i0 > c0)"), 1, &[90.0]);
        assert_eq!(p.value_slot, Some(0), "a lone variable is read directly");
        assert!(p.fast_filter.is_some(), "a threshold runs natively");
        let mut runner = p.runner(0);
        assert_eq!(runner.run(&[95.0]).unwrap(), Some(95.0));
        assert_eq!(runner.run(&[85.0]).unwrap(), None);
    }

    #[test]
    fn a_threshold_under_arithmetic_still_goes_through_evalexpr() {
        let p = program("(i0 * c1)", Some("((i0 * c1) >= c0)"), 1, &[10.0, 2.0]);
        assert!(p.fast_filter.is_none());
        let mut runner = p.runner(0);
        assert_eq!(runner.run(&[5.0]).unwrap(), Some(10.0));
        assert_eq!(runner.run(&[4.0]).unwrap(), None);
        let p = program("(i0 * c1)", Some("(i0 >= c0)"), 1, &[5.0, 2.0]);
        assert!(p.fast_filter.is_some());
        assert_eq!(
            p.runner(0).run(&[5.0]).unwrap(),
            Some(10.0),
            "value tree still runs"
        );
    }

    #[test]
    fn functions_and_bool() {
        let p = program("clamp_max(abs(i0), c0)", None, 1, &[3.0]);
        assert_eq!(p.runner(0).run(&[-5.0]).unwrap(), Some(3.0));
        let p = program("wp_bool(i0 >= c0)", None, 1, &[3.0]);
        assert_eq!(p.runner(0).run(&[3.0]).unwrap(), Some(1.0));
        assert_eq!(round_to(2.5, 1.0), 3.0);
        assert_eq!(round_to(-2.5, 1.0), -2.0);
        assert_eq!(round_to(1.26, 0.1), 1.3);
    }

    #[test]
    fn time_slot_is_seconds() {
        let mut slots = SlotAllocator::default();
        let t = slots.time();
        let p = Program::build(&t, None, slots, 0).unwrap();
        assert_eq!(p.runner(90_000).run(&[]).unwrap(), Some(90.0));
    }

    #[test]
    fn unknown_names_are_refused_at_build_time() {
        let err = Program::build("nosuch(c0)", None, SlotAllocator::default(), 7).unwrap_err();
        assert_eq!(err.offset, 7);
        assert!(err.message.contains("unknown"), "{err}");
        let err = Program::build("i3 + 1.0", None, SlotAllocator::default(), 0).unwrap_err();
        assert!(err.message.contains("unknown variable"), "{err}");
    }
}
