//! The request-tracking body `{"requests":[{"service","endpoint","method","status",
//! "duration_ms"}]}` (seed 004's `record_request`) and the logs body `{"logs":[{"timestamp",
//! "level","service","message","metadata"}]}` (seeds 000, 001): serde types with
//! `deny_unknown_fields` and validation naming the failing field with its index.

use super::endpoint::normalize_endpoint;
use super::error::PushError;
use super::json::decode_json;
use serde::Deserialize;
use std::time::{Duration, SystemTime};

/// The body of `POST /api/v1/requests`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestsBody {
    /// The tracked requests.
    pub requests: Vec<JsonRequest>,
}

/// One tracked request as it appears in the body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonRequest {
    /// The service that answered.
    pub service: String,
    /// The route template or raw path (normalised).
    pub endpoint: String,
    /// The HTTP method.
    pub method: String,
    /// The response status code.
    pub status: i64,
    /// How long the request took, in milliseconds.
    pub duration_ms: f64,
}

/// A validated tracked request.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackedRequest {
    /// The non-empty service name.
    pub service: String,
    /// The normalised endpoint (`/api/users/:id`).
    pub endpoint: String,
    /// Upper-case standard method, or `OTHER`.
    pub method: &'static str,
    /// A status in 100..=599.
    pub status: u16,
    /// The duration in seconds (finite, >= 0).
    pub duration_seconds: f64,
}

/// Decodes and validates a request-tracking body. Never panics.
pub fn parse_json_requests(body: &[u8]) -> Result<Vec<TrackedRequest>, PushError> {
    let body: RequestsBody = decode_json(body)?;
    body.requests
        .into_iter()
        .enumerate()
        .map(|(i, request)| validate_request(i, request))
        .collect()
}

fn validate_request(i: usize, request: JsonRequest) -> Result<TrackedRequest, PushError> {
    let field = |name: &str| format!("requests[{i}].{name}");
    let service = non_empty(&field("service"), request.service)?;
    if !(100..=599).contains(&request.status) {
        return Err(PushError::field(field("status"), "must be 100..=599"));
    }
    if !request.duration_ms.is_finite() || request.duration_ms < 0.0 {
        return Err(PushError::field(
            field("duration_ms"),
            "must be a finite number >= 0",
        ));
    }
    let endpoint = normalize_endpoint(&request.endpoint);
    if endpoint.is_empty() {
        return Err(PushError::field(field("endpoint"), "must not be empty"));
    }
    Ok(TrackedRequest {
        service,
        endpoint,
        method: standard_method(&request.method),
        status: request.status as u16,
        duration_seconds: request.duration_ms / 1000.0,
    })
}

/// The standard method the text names (case-insensitive), or `OTHER` (bounded cardinality).
pub fn standard_method(method: &str) -> &'static str {
    const METHODS: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    METHODS
        .into_iter()
        .find(|known| known.eq_ignore_ascii_case(method.trim()))
        .unwrap_or("OTHER")
}

/// The body of `POST /api/v1/logs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsBody {
    /// The log entries.
    pub logs: Vec<JsonLog>,
}

/// A timestamp as RFC 3339 text or Unix seconds.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum JsonTimestamp {
    /// `2024-01-15T10:00:00Z`.
    Text(String),
    /// Seconds since the Unix epoch.
    Seconds(f64),
}

/// One log entry as it appears in the body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonLog {
    /// When it was logged (arrival time when missing).
    #[serde(default)]
    pub timestamp: Option<JsonTimestamp>,
    /// `trace|debug|info|warn|error|fatal` (and common aliases).
    pub level: String,
    /// The service that logged it.
    pub service: String,
    /// The message.
    pub message: String,
    /// Free-form structured fields.
    #[serde(default)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A log level, normalised to a bounded set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// `trace`.
    Trace,
    /// `debug`.
    Debug,
    /// `info`.
    Info,
    /// `warn` (also `warning`).
    Warn,
    /// `error` (also `err`).
    Error,
    /// `fatal` (also `critical`, `crit`, `panic`, `emergency`).
    Fatal,
}

impl LogLevel {
    /// Parses a level name case-insensitively, with aliases.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "trace" => Self::Trace,
            "debug" => Self::Debug,
            "info" | "information" | "notice" => Self::Info,
            "warn" | "warning" => Self::Warn,
            "error" | "err" => Self::Error,
            "fatal" | "critical" | "crit" | "panic" | "emergency" | "alert" => Self::Fatal,
            _ => return None,
        })
    }

    /// The `level` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trace => "trace",
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
            Self::Fatal => "fatal",
        }
    }

    /// Error and fatal entries count as errors for service health.
    pub fn is_error(self) -> bool {
        self >= Self::Error
    }
}

/// A validated log entry (the lead stores it for `GET /api/v1/logs`).
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// When it was logged, if the push said.
    pub timestamp: Option<SystemTime>,
    /// The level.
    pub level: LogLevel,
    /// The non-empty service name.
    pub service: String,
    /// The message.
    pub message: String,
    /// Structured fields (empty when missing).
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// Decodes and validates a logs body. Never panics.
pub fn parse_json_logs(body: &[u8]) -> Result<Vec<LogEntry>, PushError> {
    let body: LogsBody = decode_json(body)?;
    body.logs
        .into_iter()
        .enumerate()
        .map(|(i, log)| validate_log(i, log))
        .collect()
}

fn validate_log(i: usize, log: JsonLog) -> Result<LogEntry, PushError> {
    let field = |name: &str| format!("logs[{i}].{name}");
    let level = LogLevel::parse(&log.level).ok_or_else(|| {
        PushError::field(
            field("level"),
            format!(
                "unknown level {:?} (expected trace, debug, info, warn, error or fatal)",
                log.level
            ),
        )
    })?;
    let timestamp = match log.timestamp {
        None => None,
        Some(JsonTimestamp::Text(text)) => Some(
            humantime::parse_rfc3339_weak(text.trim())
                .map_err(|e| PushError::field(field("timestamp"), format!("{text:?}: {e}")))?,
        ),
        Some(JsonTimestamp::Seconds(seconds)) => Some(
            Duration::try_from_secs_f64(seconds)
                .ok()
                .and_then(|d| SystemTime::UNIX_EPOCH.checked_add(d))
                .ok_or_else(|| PushError::field(field("timestamp"), "must be Unix seconds >= 0"))?,
        ),
    };
    Ok(LogEntry {
        timestamp,
        level,
        service: non_empty(&field("service"), log.service)?,
        message: log.message,
        metadata: log.metadata.unwrap_or_default(),
    })
}

fn non_empty(field: &str, text: String) -> Result<String, PushError> {
    if text.trim().is_empty() {
        return Err(PushError::field(field, "must not be empty"));
    }
    Ok(text)
}

#[cfg(test)]
#[path = "json_events_tests.rs"]
mod tests;
