//! Durations in config files: humantime strings like `15s`, `5m`, `1h30m` (serde helpers).

use serde::{Deserialize, Deserializer, Serializer};
use std::time::Duration;

/// Parses a humantime duration; a bare `0` means zero.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(text).map_err(|e| format!("invalid duration {text:?}: {e}"))
}

/// Formats a duration the way it is written in config (`15s`, `5m`).
pub fn format_duration(duration: Duration) -> String {
    if duration.is_zero() {
        return "0s".to_owned();
    }
    humantime::format_duration(duration)
        .to_string()
        .replace(' ', "")
}

/// `#[serde(with = "serde_duration")]` for `Duration` fields.
pub mod serde_duration {
    use super::*;

    /// Deserializes a humantime string.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_duration(&text).map_err(serde::de::Error::custom)
    }

    /// Serializes as a humantime string.
    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_duration(*duration))
    }
}

/// `#[serde(with = "serde_opt_duration")]` for `Option<Duration>` fields.
pub mod serde_opt_duration {
    use super::*;

    /// Deserializes an optional humantime string.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) => parse_duration(&text)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }

    /// Serializes as an optional humantime string.
    pub fn serialize<S: Serializer>(
        duration: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match duration {
            Some(d) => serializer.serialize_some(&format_duration(*d)),
            None => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse_duration("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("fifteen").is_err());
        assert_eq!(format_duration(Duration::from_secs(300)), "5m");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1s500ms");
    }
}
