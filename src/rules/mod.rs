//! The rule engine: rule files, validation, the alert state machine, templates, evaluation of
//! a group over a `SampleSource`, and the promtool-style unit-test runner.
//!
//! It reads metrics only through `model::source::SampleSource` (re-exported as
//! `expr::SampleSource`) and never sends notifications: it returns
//! `AlertEvent`s for the caller to persist (see `crate::store`) and dispatch.

pub mod alerts_metrics;
pub mod engine;
pub mod expr;
pub mod file;
pub mod glob;
pub mod group;
pub mod humanize;
pub mod locate;
pub mod model;
pub mod prometheus_rules;
pub mod resolve_value;
pub mod rule_parse;
pub mod shorthand;
pub mod state;
pub mod template;
pub mod unittest;
pub mod unittest_series;

pub use engine::{AlertCounts, RuleEngine};
pub use file::{Diagnostic, load_rule_files};
pub use model::{AlertRule, RuleGroup};
pub use unittest::{TestReport, run_test_files};

#[cfg(test)]
#[path = "bundled_tests.rs"]
mod bundled_tests;
