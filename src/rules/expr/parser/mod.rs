//! The recursive-descent parser: tokens to an [`ast::Node`] tree, PromQL operator precedence.
//!
//! Precedence, lowest first: `or`; `and unless`; comparisons; `+ -`; `* / %`; unary `-`; `^`
//! (right-associative). Aggregations are recognised by name (`sum avg min max count stddev
//! stdvar quantile`); whether `avg(x[5m])` is a window alias is decided by the compiler.

use super::ExprError;
use super::ast::{BinOp, Grouping, Matching, Node, NodeKind};
use super::lexer::{Spanned, Token, tokenize};

/// Names parsed as aggregations (with optional `by`/`without`).
pub(crate) const AGGREGATIONS: [&str; 8] = [
    "sum", "avg", "min", "max", "count", "stddev", "stdvar", "quantile",
];

/// Parses a whole expression.
pub(crate) fn parse(text: &str) -> Result<Node, ExprError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        end: text.len(),
    };
    let node = parser.expression(0)?;
    match parser.peek() {
        None => Ok(node),
        Some(token) => Err(ExprError::new(
            parser.offset(),
            format!("unexpected {} after the expression", describe(token)),
        )),
    }
}

/// Maps dotted names to exported names: `system.cpu.usage_percent` → `system_cpu_usage_percent`.
pub(crate) fn exported_name(name: &str) -> String {
    name.replace('.', "_")
}

pub(super) struct Parser {
    tokens: Vec<Spanned>,
    pub(super) at: usize,
    end: usize,
}

mod selector;

fn describe(token: &Token) -> String {
    match token {
        Token::Ident(name) => format!("name {name:?}"),
        Token::Number(n) => format!("number {n}"),
        Token::Duration(_) => "duration".to_owned(),
        Token::Str(s) => format!("string {s:?}"),
        Token::Punct(p) => format!("{p:?}"),
    }
}

/// Binary operator, its precedence and whether it is right-associative.
fn binary_op(token: &Token) -> Option<(BinOp, u8, bool)> {
    let op = match token {
        Token::Ident(word) => match word.as_str() {
            "or" => (BinOp::Or, 1, false),
            "and" => (BinOp::And, 2, false),
            "unless" => (BinOp::Unless, 2, false),
            _ => return None,
        },
        Token::Punct(p) => match *p {
            "==" => (BinOp::Eq, 3, false),
            "!=" => (BinOp::Ne, 3, false),
            ">" => (BinOp::Gt, 3, false),
            "<" => (BinOp::Lt, 3, false),
            ">=" => (BinOp::Ge, 3, false),
            "<=" => (BinOp::Le, 3, false),
            "+" => (BinOp::Add, 4, false),
            "-" => (BinOp::Sub, 4, false),
            "*" => (BinOp::Mul, 5, false),
            "/" => (BinOp::Div, 5, false),
            "%" => (BinOp::Mod, 5, false),
            "^" => (BinOp::Pow, 7, true),
            _ => return None,
        },
        _ => return None,
    };
    Some(op)
}

const UNARY_PRECEDENCE: u8 = 6;

impl Parser {
    pub(super) fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|s| &s.token)
    }

    pub(super) fn offset(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |s| s.offset)
    }

    pub(super) fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).map(|s| s.token.clone());
        self.at += 1;
        token
    }

    pub(super) fn is_punct(&self, punct: &str) -> bool {
        matches!(self.peek(), Some(Token::Punct(p)) if *p == punct)
    }

    pub(super) fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Ident(w)) if w == word)
    }

    pub(super) fn expect_punct(&mut self, punct: &str) -> Result<(), ExprError> {
        if self.is_punct(punct) {
            self.at += 1;
            return Ok(());
        }
        Err(self.unexpected(&format!("{punct:?}")))
    }

    pub(super) fn unexpected(&self, wanted: &str) -> ExprError {
        let found = self.peek().map_or("end of expression".to_owned(), describe);
        ExprError::new(self.offset(), format!("expected {wanted}, found {found}"))
    }

    /// Precedence climbing over binary operators.
    fn expression(&mut self, min_precedence: u8) -> Result<Node, ExprError> {
        let mut lhs = self.unary()?;
        while let Some((op, precedence, right_assoc)) = self.peek().and_then(binary_op) {
            if precedence < min_precedence {
                break;
            }
            let offset = self.offset();
            self.at += 1;
            let return_bool = self.is_word("bool");
            if return_bool {
                if !op.is_comparison() {
                    return Err(ExprError::new(
                        self.offset(),
                        "bool is only allowed after a comparison",
                    ));
                }
                self.at += 1;
            }
            let matching = self.matching()?;
            let next_min = if right_assoc {
                precedence
            } else {
                precedence + 1
            };
            let rhs = self.expression(next_min)?;
            lhs = Node {
                kind: NodeKind::Binary {
                    op,
                    return_bool,
                    matching,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                offset,
            };
        }
        Ok(lhs)
    }

    /// `on(a, b)` / `ignoring(a)` after a binary operator; `group_left/right` are refused.
    fn matching(&mut self) -> Result<Option<Matching>, ExprError> {
        let matching = if self.is_word("on") {
            self.at += 1;
            Matching::On(self.label_list()?)
        } else if self.is_word("ignoring") {
            self.at += 1;
            Matching::Ignoring(self.label_list()?)
        } else {
            return Ok(None);
        };
        if self.is_word("group_left") || self.is_word("group_right") {
            return Err(ExprError::new(
                self.offset(),
                "group_left/group_right (many-to-one matching) is not supported",
            ));
        }
        Ok(Some(matching))
    }

    fn unary(&mut self) -> Result<Node, ExprError> {
        let offset = self.offset();
        if self.is_punct("-") || self.is_punct("+") {
            let negate = self.is_punct("-");
            self.at += 1;
            let inner = self.expression(UNARY_PRECEDENCE)?;
            if !negate {
                return Ok(inner);
            }
            if let NodeKind::Number(n) = inner.kind {
                return Ok(Node {
                    kind: NodeKind::Number(-n),
                    offset,
                });
            }
            return Ok(Node {
                kind: NodeKind::Negate(Box::new(inner)),
                offset,
            });
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, ExprError> {
        let offset = self.offset();
        match self.next() {
            Some(Token::Number(n)) => Ok(Node {
                kind: NodeKind::Number(n),
                offset,
            }),
            Some(Token::Punct("(")) => {
                let inner = self.expression(0)?;
                self.expect_punct(")")?;
                Ok(inner)
            }
            Some(Token::Punct("{")) => Err(ExprError::new(
                offset,
                "a selector needs a metric name before '{'",
            )),
            Some(Token::Ident(name)) => self.named(name, offset),
            Some(token) => Err(ExprError::new(
                offset,
                format!("unexpected {}", describe(&token)),
            )),
            None => Err(ExprError::new(offset, "unexpected end of expression")),
        }
    }

    /// What follows a name: an aggregation, a call, a number word, or a selector.
    fn named(&mut self, name: String, offset: usize) -> Result<Node, ExprError> {
        let lower = name.to_ascii_lowercase();
        if lower == "inf" || lower == "nan" {
            let value = if lower == "inf" {
                f64::INFINITY
            } else {
                f64::NAN
            };
            return Ok(Node {
                kind: NodeKind::Number(value),
                offset,
            });
        }
        let starts_grouping = self.is_word("by") || self.is_word("without");
        if AGGREGATIONS.contains(&name.as_str()) && (self.is_punct("(") || starts_grouping) {
            return self.aggregate(name, offset);
        }
        if self.is_punct("(") {
            let args = self.arguments()?;
            return Ok(Node {
                kind: NodeKind::Call { name, args },
                offset,
            });
        }
        self.selector(exported_name(&name), offset)
    }

    fn aggregate(&mut self, name: String, offset: usize) -> Result<Node, ExprError> {
        let mut grouping = self.grouping()?;
        let args = self.arguments()?;
        if grouping == Grouping::None {
            grouping = self.grouping()?;
        }
        Ok(Node {
            kind: NodeKind::Aggregate {
                name,
                grouping,
                args,
            },
            offset,
        })
    }

    fn grouping(&mut self) -> Result<Grouping, ExprError> {
        if self.is_word("by") {
            self.at += 1;
            return Ok(Grouping::By(self.label_list()?));
        }
        if self.is_word("without") {
            self.at += 1;
            return Ok(Grouping::Without(self.label_list()?));
        }
        Ok(Grouping::None)
    }

    fn arguments(&mut self) -> Result<Vec<Node>, ExprError> {
        self.expect_punct("(")?;
        let mut args = Vec::new();
        while !self.is_punct(")") {
            args.push(self.expression(0)?);
            if !self.is_punct(",") {
                break;
            }
            self.at += 1;
        }
        self.expect_punct(")")?;
        Ok(args)
    }

    /// `(a, b)` after `by`, `without`, `on`, `ignoring`.
    fn label_list(&mut self) -> Result<Vec<String>, ExprError> {
        self.expect_punct("(")?;
        let mut names = Vec::new();
        while let Some(Token::Ident(name)) = self.peek() {
            names.push(exported_name(name));
            self.at += 1;
            if !self.is_punct(",") {
                break;
            }
            self.at += 1;
        }
        self.expect_punct(")")?;
        Ok(names)
    }
}

#[cfg(test)]
mod tests;
