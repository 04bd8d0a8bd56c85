//! What counts as a good answer: accepted status codes (`200`, `"2xx"`, `"200-299"`), a body
//! regex and a condition on one JSON field. Pure functions over the status and body.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// One accepted status code or range of codes (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusMatcher {
    /// Exactly this code.
    Code(u16),
    /// Every code from the first to the second, both included (`"2xx"` is 200–299).
    Range(u16, u16),
}

impl StatusMatcher {
    /// Parses `"404"`, `"4xx"` or `"200-299"`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let code = |part: &str| {
            part.trim()
                .parse::<u16>()
                .ok()
                .filter(|c| (100..=599).contains(c))
                .ok_or_else(|| format!("{part:?} is not a status code (100-599)"))
        };
        if let Some(class) = text.strip_suffix("xx").or_else(|| text.strip_suffix("XX")) {
            return match class.parse::<u16>() {
                Ok(digit @ 1..=5) => Ok(Self::Range(digit * 100, digit * 100 + 99)),
                _ => Err(format!("{text:?} is not a status class (1xx to 5xx)")),
            };
        }
        if let Some((low, high)) = text.split_once('-') {
            let (low, high) = (code(low)?, code(high)?);
            if low > high {
                return Err(format!("status range {text:?} is empty"));
            }
            return Ok(Self::Range(low, high));
        }
        code(text).map(Self::Code)
    }

    /// Whether `status` is accepted.
    pub fn matches(self, status: u16) -> bool {
        match self {
            Self::Code(code) => status == code,
            Self::Range(low, high) => (low..=high).contains(&status),
        }
    }
}

impl std::fmt::Display for StatusMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Self::Code(code) => write!(f, "{code}"),
            Self::Range(low, high) if low % 100 == 0 && high == low + 99 => {
                write!(f, "{}xx", low / 100)
            }
            Self::Range(low, high) => write!(f, "{low}-{high}"),
        }
    }
}

impl<'de> Deserialize<'de> for StatusMatcher {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        let text = match Raw::deserialize(deserializer)? {
            Raw::Number(n) => n.to_string(),
            Raw::Text(text) => text,
        };
        Self::parse(&text).map_err(de::Error::custom)
    }
}

impl Serialize for StatusMatcher {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Self::Code(code) => serializer.serialize_u16(code),
            other => serializer.collect_str(&other),
        }
    }
}

/// Whether any matcher accepts `status`.
pub fn status_accepted(matchers: &[StatusMatcher], status: u16) -> bool {
    matchers.iter().any(|m| m.matches(status))
}

/// `json: {path: status, equals: ok}`: the field at a dotted path (array indexes allowed,
/// `checks.0.name`) must exist and, when `equals` is given, equal it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JsonCondition {
    /// Dotted path into the document.
    pub path: String,
    /// The value the field must have; a string also matches a number or boolean spelled the
    /// same (`equals: "1"` matches `1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<serde_json::Value>,
}

impl JsonCondition {
    /// `Ok(())` when `body` satisfies the condition, else why not.
    pub fn check(&self, body: &str) -> Result<(), String> {
        let document: serde_json::Value =
            serde_json::from_str(body).map_err(|error| format!("body is not JSON: {error}"))?;
        let mut node = &document;
        for step in self.path.split('.').filter(|s| !s.is_empty()) {
            let next = match node {
                serde_json::Value::Array(items) => {
                    step.parse::<usize>().ok().and_then(|i| items.get(i))
                }
                other => other.get(step),
            };
            node = next.ok_or_else(|| format!("JSON field {:?} is missing", self.path))?;
        }
        match &self.equals {
            Some(wanted) if !json_equal(node, wanted) => Err(format!(
                "JSON field {:?} is {node}, expected {wanted}",
                self.path
            )),
            _ => Ok(()),
        }
    }
}

fn json_equal(actual: &serde_json::Value, wanted: &serde_json::Value) -> bool {
    if actual == wanted {
        return true;
    }
    match (actual, wanted) {
        (
            serde_json::Value::Number(_) | serde_json::Value::Bool(_),
            serde_json::Value::String(s),
        ) => {
            let spelled = actual.to_string();
            spelled == *s
        }
        (serde_json::Value::Number(a), serde_json::Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => false,
    }
}

/// `Ok(())` when `body` matches `pattern`, else why not.
pub fn body_matches(pattern: &regex::Regex, body: &str) -> Result<(), String> {
    if pattern.is_match(body) {
        Ok(())
    } else {
        Err(format!("body does not match /{}/", pattern.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_classes_and_ranges_parse() {
        assert_eq!(StatusMatcher::parse("401"), Ok(StatusMatcher::Code(401)));
        assert_eq!(
            StatusMatcher::parse("2xx"),
            Ok(StatusMatcher::Range(200, 299))
        );
        assert_eq!(
            StatusMatcher::parse("200-204"),
            Ok(StatusMatcher::Range(200, 204))
        );
        assert!(StatusMatcher::parse("6xx").is_err());
        assert!(StatusMatcher::parse("300-200").is_err());
        assert!(StatusMatcher::parse("abc").is_err());
        assert!(StatusMatcher::parse("99").is_err());
    }

    #[test]
    fn a_yaml_list_mixes_numbers_and_strings() {
        let matchers: Vec<StatusMatcher> =
            serde_yaml::from_str("[200, \"3xx\", \"401-403\"]").unwrap();
        assert!(status_accepted(&matchers, 200));
        assert!(status_accepted(&matchers, 302));
        assert!(status_accepted(&matchers, 403));
        assert!(!status_accepted(&matchers, 201));
        assert!(!status_accepted(&matchers, 500));
        assert_eq!(
            serde_yaml::to_string(&matchers).unwrap(),
            "- 200\n- 3xx\n- 401-403\n"
        );
    }

    fn condition(path: &str, equals: Option<serde_json::Value>) -> JsonCondition {
        JsonCondition {
            path: path.to_owned(),
            equals,
        }
    }

    #[test]
    fn json_field_equality_and_presence() {
        let body = r#"{"status":"ok","db":{"up":true,"latency":3},"checks":[{"name":"disk"}]}"#;
        assert!(condition("status", Some("ok".into())).check(body).is_ok());
        assert!(condition("db.up", Some(true.into())).check(body).is_ok());
        assert!(
            condition("db.latency", Some("3".into()))
                .check(body)
                .is_ok()
        );
        assert!(condition("checks.0.name", None).check(body).is_ok());
        let wrong = condition("status", Some("down".into())).check(body);
        assert_eq!(
            wrong,
            Err("JSON field \"status\" is \"ok\", expected \"down\"".to_owned())
        );
        assert!(
            condition("db.missing", None)
                .check(body)
                .unwrap_err()
                .contains("missing")
        );
        assert!(
            condition("status", None)
                .check("<html>")
                .unwrap_err()
                .contains("not JSON")
        );
    }

    #[test]
    fn body_regex_must_match() {
        let pattern = regex::Regex::new("(?i)<html").unwrap();
        assert!(body_matches(&pattern, "<!doctype html><HTML>").is_ok());
        assert!(body_matches(&pattern, "{}").is_err());
    }
}
