//! Pure domain types shared by every subsystem: label sets, fingerprints, matchers, config
//! durations, and the `SampleSource` read seam between stored samples and the rule engine.
//!
//! Owns no I/O and depends on nothing but std, serde, humantime and regex, so every module may
//! use it.

pub mod duration;
mod labels;
pub mod latency;
pub mod matcher;
pub mod source;

pub use labels::{Fingerprint, Labels};
