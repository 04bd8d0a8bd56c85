//! Push ingestion: the parsers for the three JSON bodies and the Pushgateway text format, and
//! the in-memory push store they feed (limits, TTL, Pushgateway groups, request and log
//! tracking, service health).
//!
//! Everything here is synchronous and takes `now` as a parameter; the HTTP layer owns routing,
//! body-size enforcement, locking (`PushStore` is `&mut self`), publishing into
//! `metrics::Registry` and the TTL tick.

pub mod accounting;
pub mod config;
pub mod endpoint;
pub mod error;
pub mod expire;
pub mod gateway;
pub mod grouping;
pub mod health;
pub mod ingest;
pub mod intern;
pub mod json;
pub mod json_events;
pub mod logs_config;
pub mod names;
pub mod plan;
pub mod store;
pub mod table;
pub mod text_line;
pub mod text_parser;

pub use accounting::PushSource;
pub use config::{PushConfig, PushLimits};
pub use error::{Limit, PushError};
pub use gateway::PushMethod;
pub use grouping::GroupingKey;
pub use health::{HealthStatus, ServiceHealth, classify};
pub use json::{PushKind, PushedMetric, parse_json_push};
pub use json_events::{LogEntry, LogLevel, TrackedRequest, parse_json_logs, parse_json_requests};
pub use logs_config::{LogsPushConfig, LokiConfig};
pub use store::{Applied, PushStore};
pub use text_parser::parse_text;

#[cfg(test)]
mod garbage_tests;
