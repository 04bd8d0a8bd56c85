//! Push ingestion: the parsers for the three JSON bodies and the Pushgateway text format, and
//! the in-memory push store they feed (limits, TTL, Pushgateway groups, request and log
//! tracking, service health).
//!
//! Everything here is synchronous and takes `now` as a parameter; the HTTP layer owns routing,
//! body-size enforcement, locking (`PushStore` is `&mut self`), publishing into
//! `metrics::Registry` and the TTL tick.

pub mod error;
pub mod names;
pub mod text_line;
pub mod text_parser;

pub use error::{Limit, PushError};
pub use text_parser::parse_text;
