//! The rule engine: alert rule expressions (`expr`), evaluated over recent sample history.
//!
//! Owns everything between a rule file's `expr:` text and the per-series values a rule yields;
//! reads metrics only through the read-only [`expr::SampleSource`] seam and never notifies.

pub mod expr;
