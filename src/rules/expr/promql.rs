//! Prints a rule expression as PromQL, for `watchpost gen prometheus-rules` and the generated
//! Grafana panels.
//!
//! The dialect's aliases become PromQL names (`avg(x[5m])` → `avg_over_time(x[5m])`, `p95(x[5m])`
//! → `quantile_over_time(0.95, x[5m])`), every binary operand that is itself an operation is
//! parenthesised (so precedence never changes), and optionally:
//! - extra label matchers are added to every selector (`job=~"$job"` for dashboards);
//! - aggregations are scoped to one scraped watchpost: watchpost evaluates its own series only,
//!   while Prometheus sees every target, so `count(x)` becomes `count by (instance, job) (x)`
//!   and `sum by (service) (x)` becomes `sum by (service, instance, job) (x)`.

use super::ExprError;
use super::ast::{BinOp, Grouping, Matching, Node, NodeKind, Selector};
use super::parser::parse;

/// The labels Prometheus adds to every scraped series, kept by scoped aggregations.
pub const TARGET_LABELS: [&str; 2] = ["instance", "job"];

/// How to print.
#[derive(Clone, Debug, Default)]
pub struct PromqlOptions {
    /// Matchers added to every selector, as PromQL text (`job=~"$job"`).
    pub extra_matchers: Vec<String>,
    /// Keep `instance` and `job` through aggregations (see the module docs).
    pub scope_to_target: bool,
}

/// A translated expression, with its top-level comparison split off when there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct Translated {
    /// The whole expression in PromQL.
    pub promql: String,
    /// For `value OP number` (no `bool`): the value side, the operator and the number.
    pub comparison: Option<(String, BinOpSymbol, f64)>,
}

/// A comparison operator's PromQL symbol (`>`, `<`, ...).
pub type BinOpSymbol = &'static str;

/// Parses `text` (the watchpost dialect) and prints it as PromQL.
pub fn to_promql(text: &str, options: &PromqlOptions) -> Result<Translated, ExprError> {
    let node = parse(text)?;
    let printer = Printer { options };
    let promql = printer.node(&node)?;
    let comparison = match &node.kind {
        NodeKind::Binary {
            op,
            return_bool: false,
            lhs,
            rhs,
            ..
        } if op.is_comparison() => match rhs.kind {
            NodeKind::Number(value) => Some((printer.node(lhs)?, symbol(*op), value)),
            _ => None,
        },
        _ => None,
    };
    Ok(Translated { promql, comparison })
}

/// The metric names in `text` in the order they first appear (dots mapped to underscores).
pub fn metrics_in_order(text: &str) -> Result<Vec<String>, ExprError> {
    fn walk(node: &Node, out: &mut Vec<String>) {
        match &node.kind {
            NodeKind::Number(_) => {}
            NodeKind::Selector(selector) => {
                if !out.contains(&selector.metric) {
                    out.push(selector.metric.clone());
                }
            }
            NodeKind::Call { args, .. } | NodeKind::Aggregate { args, .. } => {
                args.iter().for_each(|arg| walk(arg, out));
            }
            NodeKind::Negate(inner) => walk(inner, out),
            NodeKind::Binary { lhs, rhs, .. } => {
                walk(lhs, out);
                walk(rhs, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&parse(text)?, &mut out);
    Ok(out)
}

struct Printer<'a> {
    options: &'a PromqlOptions,
}

impl Printer<'_> {
    fn node(&self, node: &Node) -> Result<String, ExprError> {
        Ok(match &node.kind {
            NodeKind::Number(value) => number(*value),
            NodeKind::Selector(selector) => self.selector(selector),
            NodeKind::Call { name, args } => self.call(name, args, node.offset)?,
            NodeKind::Aggregate {
                name,
                grouping,
                args,
            } => self.aggregate(name, grouping, args, node.offset)?,
            NodeKind::Negate(inner) => format!("-{}", self.operand(inner)?),
            NodeKind::Binary {
                op,
                return_bool,
                matching,
                lhs,
                rhs,
            } => {
                let mut text = format!("{} {}", self.operand(lhs)?, symbol(*op));
                if *return_bool {
                    text.push_str(" bool");
                }
                match matching {
                    Some(Matching::On(labels)) => {
                        text.push_str(&format!(" on ({})", labels.join(", ")))
                    }
                    Some(Matching::Ignoring(labels)) => {
                        text.push_str(&format!(" ignoring ({})", labels.join(", ")))
                    }
                    Some(Matching::All) | None => {}
                }
                format!("{text} {}", self.operand(rhs)?)
            }
        })
    }

    /// An operand of a binary operator or negation: parenthesised unless atomic.
    fn operand(&self, node: &Node) -> Result<String, ExprError> {
        let text = self.node(node)?;
        Ok(match node.kind {
            NodeKind::Binary { .. } | NodeKind::Negate(_) => format!("({text})"),
            NodeKind::Number(value) if value < 0.0 => format!("({text})"),
            _ => text,
        })
    }

    fn selector(&self, selector: &Selector) -> String {
        let mut matchers: Vec<String> = selector.matchers.iter().map(ToString::to_string).collect();
        matchers.extend(self.options.extra_matchers.iter().cloned());
        let mut text = selector.metric.clone();
        if !matchers.is_empty() {
            text.push_str(&format!("{{{}}}", matchers.join(",")));
        }
        if let Some(range) = selector.range_ms {
            text.push_str(&format!("[{}]", duration(range)));
        }
        if selector.offset_ms > 0 {
            text.push_str(&format!(" offset {}", duration(selector.offset_ms)));
        }
        text
    }

    fn args(&self, args: &[Node]) -> Result<String, ExprError> {
        let printed: Result<Vec<String>, ExprError> = args.iter().map(|a| self.node(a)).collect();
        Ok(printed?.join(", "))
    }

    fn call(&self, name: &str, args: &[Node], offset: usize) -> Result<String, ExprError> {
        if let Some(range) = args.last().filter(|a| is_range(a)) {
            let range_text = self.node(range)?;
            if let Some(quantile) = percentile(name) {
                return Ok(format!(
                    "quantile_over_time({}, {range_text})",
                    number(quantile)
                ));
            }
            if let Some(promql_name) = window_alias(name) {
                return Ok(format!("{promql_name}({})", self.args(args)?));
            }
        }
        if KNOWN_FUNCTIONS.contains(&name) {
            return Ok(format!("{name}({})", self.args(args)?));
        }
        Err(ExprError::new(
            offset,
            format!("function {name:?} has no PromQL equivalent"),
        ))
    }

    fn aggregate(
        &self,
        name: &str,
        grouping: &Grouping,
        args: &[Node],
        offset: usize,
    ) -> Result<String, ExprError> {
        if args.last().is_some_and(is_range) {
            return self.call(name, args, offset);
        }
        let clause = match (grouping, self.options.scope_to_target) {
            (Grouping::None, false) => String::new(),
            (Grouping::None, true) => format!(" by ({})", TARGET_LABELS.join(", ")),
            (Grouping::By(labels), scope) => {
                let mut labels = labels.clone();
                if scope {
                    for label in TARGET_LABELS {
                        if !labels.iter().any(|l| l == label) {
                            labels.push(label.to_owned());
                        }
                    }
                }
                format!(" by ({})", labels.join(", "))
            }
            (Grouping::Without(labels), _) => format!(" without ({})", labels.join(", ")),
        };
        Ok(format!("{name}{clause} ({})", self.args(args)?))
    }
}

/// Functions whose PromQL name is the dialect's name.
const KNOWN_FUNCTIONS: &[&str] = &[
    "ln",
    "rate",
    "irate",
    "increase",
    "delta",
    "idelta",
    "changes",
    "resets",
    "deriv",
    "predict_linear",
    "avg_over_time",
    "min_over_time",
    "max_over_time",
    "sum_over_time",
    "count_over_time",
    "last_over_time",
    "present_over_time",
    "stddev_over_time",
    "stdvar_over_time",
    "quantile_over_time",
    "absent_over_time",
    "absent",
    "abs",
    "ceil",
    "floor",
    "round",
    "sqrt",
    "exp",
    "log2",
    "log10",
    "sgn",
    "clamp",
    "clamp_min",
    "clamp_max",
    "timestamp",
    "time",
    "vector",
    "scalar",
    "histogram_quantile",
    "label_replace",
    "label_join",
];

fn is_range(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Selector(s) if s.range_ms.is_some())
}

/// The PromQL name of a short window alias (`avg` → `avg_over_time`).
fn window_alias(name: &str) -> Option<&'static str> {
    Some(match name {
        "avg" => "avg_over_time",
        "min" => "min_over_time",
        "max" => "max_over_time",
        "sum" => "sum_over_time",
        "count" => "count_over_time",
        "last" => "last_over_time",
        "stddev" => "stddev_over_time",
        "stdvar" => "stdvar_over_time",
        "quantile" => "quantile_over_time",
        _ => return None,
    })
}

/// `median` → 0.5, `p95` → 0.95, `p999` → 0.999.
fn percentile(name: &str) -> Option<f64> {
    if name == "median" {
        return Some(0.5);
    }
    let digits = name.strip_prefix('p')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits == "100" {
        return Some(1.0);
    }
    format!("0.{digits}").parse().ok()
}

fn symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::And => "and",
        BinOp::Or => "or",
        BinOp::Unless => "unless",
        other => other.evalexpr_symbol(),
    }
}

/// A number as PromQL reads it (`Inf`, `NaN`, shortest decimal otherwise).
pub fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "Inf" } else { "-Inf" }.to_owned()
    } else {
        format!("{value}")
    }
}

/// Milliseconds as a PromQL duration in the largest exact unit (`300000` → `5m`).
pub fn duration(ms: u64) -> String {
    const UNITS: [(u64, &str); 6] = [
        (7 * 86_400_000, "w"),
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
        (1, "ms"),
    ];
    if ms == 0 {
        return "0s".to_owned();
    }
    let (size, unit) = UNITS
        .iter()
        .find(|(size, _)| ms.is_multiple_of(*size))
        .copied()
        .unwrap_or((1, "ms"));
    format!("{}{unit}", ms / size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> String {
        to_promql(text, &PromqlOptions::default()).unwrap().promql
    }

    #[test]
    fn maps_window_aliases_to_promql_names() {
        assert_eq!(plain("avg(x[5m])"), "avg_over_time(x[5m])");
        assert_eq!(plain("p95(x[90s])"), "quantile_over_time(0.95, x[90s])");
        assert_eq!(plain("median(x[1h])"), "quantile_over_time(0.5, x[1h])");
        assert_eq!(
            plain("quantile(0.9, x[5m])"),
            "quantile_over_time(0.9, x[5m])"
        );
        assert_eq!(plain("rate(x[5m] offset 1h)"), "rate(x[5m] offset 1h)");
    }

    #[test]
    fn parenthesises_operands_and_keeps_matchers() {
        assert_eq!(
            plain("100 * (1 - a{fstype!~\"tmpfs|ramfs\"} / b)"),
            "100 * (1 - (a{fstype!~\"tmpfs|ramfs\"} / b))"
        );
        assert_eq!(plain("a > bool 2 and on(x) b"), "(a > bool 2) and on (x) b");
        assert_eq!(
            plain("system.cpu.usage_percent"),
            "system_cpu_usage_percent"
        );
    }

    #[test]
    fn scopes_aggregations_and_adds_matchers() {
        let options = PromqlOptions {
            extra_matchers: vec!["job=~\"$job\"".to_owned()],
            scope_to_target: true,
        };
        let text = to_promql("node_load5 / count(cpu{mode=\"idle\"})", &options)
            .unwrap()
            .promql;
        assert_eq!(
            text,
            "node_load5{job=~\"$job\"} / count by (instance, job) (cpu{mode=\"idle\",job=~\"$job\"})"
        );
        let text = to_promql("sum by (service) (rate(x[5m]))", &options)
            .unwrap()
            .promql;
        assert_eq!(
            text,
            "sum by (service, instance, job) (rate(x{job=~\"$job\"}[5m]))"
        );
    }

    #[test]
    fn splits_a_top_level_comparison() {
        let t = to_promql("x == 0", &PromqlOptions::default()).unwrap();
        assert_eq!(t.comparison, Some(("x".to_owned(), "==", 0.0)));
        let t = to_promql("x > bool 0", &PromqlOptions::default()).unwrap();
        assert_eq!(t.comparison, None);
    }

    #[test]
    fn lists_metrics_in_order_of_appearance() {
        assert_eq!(
            metrics_in_order("node_load5 / count(node_cpu_seconds_total)").unwrap(),
            ["node_load5", "node_cpu_seconds_total"]
        );
    }

    #[test]
    fn prints_durations_in_the_largest_exact_unit() {
        assert_eq!(duration(300_000), "5m");
        assert_eq!(duration(90_000), "90s");
        assert_eq!(duration(1_500), "1500ms");
        assert_eq!(duration(86_400_000), "1d");
    }
}
