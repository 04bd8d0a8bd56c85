//! Metric families, the registry of latest snapshots, and the Prometheus text encoder.
//!
//! Owns the in-memory state that `/metrics` serves. Depends only on `model`; collectors write
//! into it, the API and the rule engine read from it.

mod encode;
mod family;
mod history;
mod registry;
pub mod self_metrics;

pub use encode::{CONTENT_TYPE_TEXT, encode_families, escape_label_value, format_value};
pub use family::{Batch, MetricFamily, MetricType, Sample};
pub use history::{History, HistoryStats};
pub use registry::{Publication, Registry, Snapshot, unix_millis};
