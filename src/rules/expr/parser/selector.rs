//! Selector parsing: `name{label op "value", ...}[range] offset duration`.

use super::{Parser, exported_name};
use crate::model::matcher::{MatchOp, Matcher};
use crate::rules::expr::ExprError;
use crate::rules::expr::ast::{Node, NodeKind, Selector};
use crate::rules::expr::lexer::Token;

impl Parser {
    pub(super) fn selector(&mut self, metric: String, offset: usize) -> Result<Node, ExprError> {
        let mut matchers = Vec::new();
        if self.is_punct("{") {
            self.at += 1;
            while !self.is_punct("}") {
                matchers.push(self.matcher()?);
                if !self.is_punct(",") {
                    break;
                }
                self.at += 1;
            }
            self.expect_punct("}")?;
        }
        let mut range_ms = None;
        if self.is_punct("[") {
            self.at += 1;
            range_ms = Some(self.duration()?);
            self.expect_punct("]")?;
        }
        let mut offset_ms = 0;
        if self.is_word("offset") {
            self.at += 1;
            offset_ms = self.duration()?;
        }
        Ok(Node {
            kind: NodeKind::Selector(Selector {
                metric,
                matchers,
                range_ms,
                offset_ms,
            }),
            offset,
        })
    }

    fn duration(&mut self) -> Result<u64, ExprError> {
        let offset = self.offset();
        match self.next() {
            Some(Token::Duration(ms)) if ms > 0 => Ok(ms),
            Some(Token::Duration(_)) => Err(ExprError::new(offset, "duration must be positive")),
            Some(Token::Number(_)) => Err(ExprError::new(
                offset,
                "bad duration: a unit is required (ms, s, m, h, d, w, y)",
            )),
            _ => {
                self.at -= 1;
                Err(self.unexpected("a duration such as 5m"))
            }
        }
    }

    fn matcher(&mut self) -> Result<Matcher, ExprError> {
        let offset = self.offset();
        let Some(Token::Ident(name)) = self.next() else {
            self.at -= 1;
            return Err(self.unexpected("a label name"));
        };
        let op = match self.next() {
            Some(Token::Punct("=")) => MatchOp::Equal,
            Some(Token::Punct("!=")) => MatchOp::NotEqual,
            Some(Token::Punct("=~")) => MatchOp::Regex,
            Some(Token::Punct("!~")) => MatchOp::NotRegex,
            _ => {
                self.at -= 1;
                return Err(self.unexpected("one of = != =~ !~"));
            }
        };
        let Some(Token::Str(value)) = self.next() else {
            self.at -= 1;
            return Err(self.unexpected("a quoted label value"));
        };
        let name = exported_name(&name);
        if name == "__name__" {
            return Err(ExprError::new(
                offset,
                "matching on __name__ is not supported; write the metric name",
            ));
        }
        Matcher::new(name, op, value)
            .map_err(|e| ExprError::new(offset, format!("bad regex in matcher: {e}")))
    }
}
