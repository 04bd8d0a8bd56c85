//! The loaded form of rule files: `RuleGroup`, `AlertRule` and their parts (thresholds, clear
//! condition, named values, templates), ready for evaluation.

use super::expr::CompiledExpr;
use super::template::Template;
use crate::model::Labels;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A comparison operator of a threshold or clear condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `>` / `gt`
    Greater,
    /// `<` / `lt`
    Less,
    /// `>=` / `gte`
    GreaterOrEqual,
    /// `<=` / `lte`
    LessOrEqual,
    /// `==` / `eq`
    Equal,
    /// `!=` / `ne`
    NotEqual,
}

impl CompareOp {
    /// Parses `>`, `<`, `>=`, `<=`, `==`, `!=` or the seed's words `gt lt gte lte eq ne`.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            ">" | "gt" => Self::Greater,
            "<" | "lt" => Self::Less,
            ">=" | "gte" | "ge" => Self::GreaterOrEqual,
            "<=" | "lte" | "le" => Self::LessOrEqual,
            "==" | "eq" => Self::Equal,
            "!=" | "ne" => Self::NotEqual,
            _ => return None,
        })
    }

    /// The operator symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Greater => ">",
            Self::Less => "<",
            Self::GreaterOrEqual => ">=",
            Self::LessOrEqual => "<=",
            Self::Equal => "==",
            Self::NotEqual => "!=",
        }
    }
}

/// `OP NUMBER`, applied to a rule expression's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// The operator.
    pub op: CompareOp,
    /// The number compared with.
    pub threshold: f64,
}

impl Comparison {
    /// Parses `"> 5"`, `">=0.9"`, `"gt 5"`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.' || c == ' ')
            .unwrap_or(text.len());
        let (op_text, number_text) = text.split_at(split);
        let op = CompareOp::parse(op_text.trim()).ok_or_else(|| {
            format!(
                "invalid comparison {text:?}: expected an operator (> < >= <= == !=) and a number"
            )
        })?;
        let threshold = number_text
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("invalid comparison {text:?}: {number_text:?} is not a number"))?;
        Ok(Self { op, threshold })
    }

    /// True when `value OP threshold`.
    pub fn holds(&self, value: f64) -> bool {
        let t = self.threshold;
        match self.op {
            CompareOp::Greater => value > t,
            CompareOp::Less => value < t,
            CompareOp::GreaterOrEqual => value >= t,
            CompareOp::LessOrEqual => value <= t,
            CompareOp::Equal => value == t,
            CompareOp::NotEqual => value != t,
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.op.symbol(), self.threshold)
    }
}

/// One severity level of a `thresholds` rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    /// The `severity` label value when this threshold is the highest that holds.
    pub severity: String,
    /// The condition on the expression's value.
    pub comparison: Comparison,
    /// Higher wins: critical 4, error 3, warning 2, info 1, others 0.
    pub rank: u8,
}

/// The rank of a severity name (higher wins when several thresholds hold).
pub fn severity_rank(severity: &str) -> u8 {
    match severity {
        "critical" | "page" => 4,
        "error" => 3,
        "warning" => 2,
        "info" => 1,
        _ => 0,
    }
}

/// When an active alert may resolve (hysteresis).
#[derive(Clone, Debug)]
pub enum Clear {
    /// `clear: "< 80"`: applied to the rule expression's value (needs `thresholds`).
    Comparison(Comparison),
    /// `clear: <expr>`: the alert resolves once this returns a series with its labels.
    Expr(Arc<CompiledExpr>),
}

/// One alerting rule, compiled.
#[derive(Clone, Debug)]
pub struct AlertRule {
    /// The alert name (`alertname` label).
    pub name: String,
    /// The expression as written.
    pub expr_text: String,
    /// The compiled expression.
    pub expr: Arc<CompiledExpr>,
    /// `for`: how long the condition must hold before firing.
    pub hold: Duration,
    /// `keep_firing_for`.
    pub keep_firing_for: Duration,
    /// `thresholds`, highest rank first; empty means every returned series is active.
    pub thresholds: Vec<Threshold>,
    /// `clear`, the hysteresis condition.
    pub clear: Option<Clear>,
    /// `values`: named extra expressions for templates, joined on labels.
    pub values: Vec<(String, Arc<CompiledExpr>)>,
    /// `labels` (templates), the group's labels already merged in; `severity` included.
    pub labels: Vec<(String, Template)>,
    /// `annotations` (templates).
    pub annotations: Vec<(String, Template)>,
    /// `channels`: notification channel names.
    pub channels: Vec<String>,
    /// A canonical text of the definition: equal text means an unchanged rule on reload.
    pub definition: String,
}

impl AlertRule {
    /// Every metric the rule reads (expression, clear and values), for push-triggered evaluation.
    pub fn metric_names(&self) -> Vec<String> {
        let mut names = self.expr.metric_names();
        if let Some(Clear::Expr(expr)) = &self.clear {
            names.extend(expr.metric_names());
        }
        for (_, expr) in &self.values {
            names.extend(expr.metric_names());
        }
        names.sort();
        names.dedup();
        names
    }

    /// The longest window any of the rule's expressions reads.
    pub fn max_window(&self) -> Duration {
        let mut window = self.expr.max_window();
        if let Some(Clear::Expr(expr)) = &self.clear {
            window = window.max(expr.max_window());
        }
        for (_, expr) in &self.values {
            window = window.max(expr.max_window());
        }
        window
    }
}

/// A group of rules evaluated together on one interval.
#[derive(Clone, Debug)]
pub struct RuleGroup {
    /// The group name (unique per file).
    pub name: String,
    /// The file it came from.
    pub file: PathBuf,
    /// `interval`; `None` means the global evaluation interval.
    pub interval: Option<Duration>,
    /// The group's `labels` (already merged into each rule's labels).
    pub labels: Labels,
    /// The rules, enabled ones only.
    pub rules: Vec<AlertRule>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comparisons() {
        let c = Comparison::parse("> 5").unwrap();
        assert_eq!((c.op, c.threshold), (CompareOp::Greater, 5.0));
        assert_eq!(
            Comparison::parse(">=0.9").unwrap().op,
            CompareOp::GreaterOrEqual
        );
        assert_eq!(Comparison::parse("lt -1").unwrap().threshold, -1.0);
        assert!(Comparison::parse("=> 5").is_err());
        assert!(Comparison::parse("> five").is_err());
        assert!(c.holds(5.1) && !c.holds(5.0));
    }
}
