//! `Secret`: a string (password, token, URL with a token) that never prints.
//!
//! Debug, Display and Serialize all write `<secret>`; only `expose()` gives the value, and only
//! the integration that sends it should call that.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// What every printed secret looks like.
pub const REDACTED: &str = "<secret>";

/// A secret string; read it with [`Secret::expose`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The real value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no value was configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?} {secret}"), "<secret> <secret>");
        assert_eq!(
            serde_json::to_string(&secret).ok().as_deref(),
            Some("\"<secret>\"")
        );
        assert_eq!(secret.expose(), "hunter2");
        let parsed: Result<Secret, _> = serde_json::from_str("\"abc\"");
        assert_eq!(
            parsed.ok().map(|s| s.expose().to_owned()),
            Some("abc".to_owned())
        );
    }
}
