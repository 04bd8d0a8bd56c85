//! Pure domain types shared by every subsystem: label sets, fingerprints, config durations.
//!
//! Owns no I/O and depends on nothing but std, serde and humantime, so every module may use it.

pub mod duration;
mod labels;
pub mod latency;
pub mod matcher;

pub use labels::{Fingerprint, Labels};
