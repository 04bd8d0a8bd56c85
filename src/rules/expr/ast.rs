//! The syntax tree the parser produces and the compiler consumes, with byte offsets kept.

use crate::model::matcher::Matcher;

/// A selector: metric name, label matchers, optional range and offset (ms).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Selector {
    /// The metric name, dots already mapped to underscores.
    pub metric: String,
    /// The label matchers.
    pub matchers: Vec<Matcher>,
    /// The range in ms for `x[5m]`, `None` for an instant selector.
    pub range_ms: Option<u64>,
    /// The `offset` in ms.
    pub offset_ms: u64,
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    And,
    Or,
    Unless,
}

impl BinOp {
    /// True for `== != > < >= <=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            Self::Eq | Self::Ne | Self::Gt | Self::Lt | Self::Ge | Self::Le
        )
    }

    /// True for `and or unless`.
    pub fn is_set(self) -> bool {
        matches!(self, Self::And | Self::Or | Self::Unless)
    }

    /// The evalexpr spelling of an arithmetic or comparison operator.
    pub fn evalexpr_symbol(self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Mod => "%",
            Self::Pow => "^",
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Gt => ">",
            Self::Lt => "<",
            Self::Ge => ">=",
            Self::Le => "<=",
            Self::And | Self::Or | Self::Unless => "",
        }
    }
}

/// Which labels two vectors are matched on: `on(a, b)` or `ignoring(a)` (default: all).
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) enum Matching {
    /// Match on all labels.
    #[default]
    All,
    /// Match only on these labels.
    On(Vec<String>),
    /// Match on all labels but these.
    Ignoring(Vec<String>),
}

/// Aggregation grouping: `by (a)` or `without (a)` (default: everything into one group).
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) enum Grouping {
    /// One group; the result has no labels.
    #[default]
    None,
    /// Keep only these labels.
    By(Vec<String>),
    /// Drop these labels.
    Without(Vec<String>),
}

/// An expression node with the offset of its first token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// Byte offset in the expression text.
    pub offset: usize,
}

/// The kinds of expression node.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum NodeKind {
    /// A number literal.
    Number(f64),
    /// An instant or range selector.
    Selector(Selector),
    /// A function call (name as written, aliases resolved by the compiler).
    Call { name: String, args: Vec<Node> },
    /// An aggregation over series: `sum by (a) (x)`.
    Aggregate {
        name: String,
        grouping: Grouping,
        args: Vec<Node>,
    },
    /// Unary minus.
    Negate(Box<Node>),
    /// A binary operation.
    Binary {
        op: BinOp,
        return_bool: bool,
        matching: Option<Matching>,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
}
