//! The result of one probe attempt and the bounded set of failure reasons it is classified into
//! (`probe_failure_reason{reason}`): `timeout`, `connect`, `tls`, `status`, `body`.

use std::time::Duration;

/// Why an attempt failed; a closed set so the `reason` label stays bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureReason {
    /// No answer within the probe's timeout.
    Timeout,
    /// The TCP connection could not be made (refused, unreachable, DNS, reset).
    Connect,
    /// The TLS handshake failed (untrusted, expired or mismatched certificate...).
    Tls,
    /// The HTTP status was not one of the expected codes.
    Status,
    /// The body did not match the regex or the JSON condition.
    Body,
}

impl FailureReason {
    /// Every reason, in label order (each is exported, as 0 or 1).
    pub const ALL: [Self; 5] = [
        Self::Timeout,
        Self::Connect,
        Self::Tls,
        Self::Status,
        Self::Body,
    ];

    /// The `reason` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Connect => "connect",
            Self::Tls => "tls",
            Self::Status => "status",
            Self::Body => "body",
        }
    }
}

/// A failed attempt: the reason and a message for people (never contains header values).
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The classified reason.
    pub reason: FailureReason,
    /// What went wrong, e.g. `status 500 not in [2xx]`.
    pub message: String,
}

impl Failure {
    /// A failure for `reason` with `message`.
    pub fn new(reason: FailureReason, message: impl Into<String>) -> Self {
        Self {
            reason,
            message: message.into(),
        }
    }
}

/// What one attempt observed.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    /// How long the attempt took (until the failure, or the whole exchange).
    pub duration: Duration,
    /// The HTTP status, when a response arrived.
    pub status_code: Option<u16>,
    /// The leaf certificate's notAfter as Unix seconds (HTTPS only).
    pub cert_expiry: Option<i64>,
    /// `None` when the attempt succeeded.
    pub failure: Option<Failure>,
}

/// Classifies a transport error from its flags and the messages of its source chain.
///
/// reqwest reports a TLS handshake failure as a connect error, so the chain's text decides:
/// a mention of TLS, a certificate or a handshake makes it `tls`.
pub fn classify_transport_error(is_timeout: bool, chain: &[String]) -> FailureReason {
    const TLS_WORDS: [&str; 5] = ["certificate", "tls", "handshake", "ssl", "unknownissuer"];
    if is_timeout || chain.iter().any(|m| m.to_lowercase().contains("timed out")) {
        return FailureReason::Timeout;
    }
    let mentions_tls = chain.iter().any(|message| {
        let lower = message.to_lowercase();
        TLS_WORDS.iter().any(|word| lower.contains(word))
    });
    if mentions_tls {
        FailureReason::Tls
    } else {
        FailureReason::Connect
    }
}

/// The messages of `error` and every source below it.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut messages = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        messages.push(current.to_string());
        next = current.source();
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(messages: &[&str]) -> Vec<String> {
        messages.iter().map(|m| (*m).to_owned()).collect()
    }

    #[test]
    fn transport_errors_are_classified_by_flag_then_text() {
        assert_eq!(classify_transport_error(true, &[]), FailureReason::Timeout);
        let refused = chain(&[
            "error sending request",
            "tcp connect error",
            "Connection refused (os error 111)",
        ]);
        assert_eq!(
            classify_transport_error(false, &refused),
            FailureReason::Connect
        );
        let untrusted = chain(&[
            "error sending request",
            "client error (Connect)",
            "invalid peer certificate: UnknownIssuer",
        ]);
        assert_eq!(
            classify_transport_error(false, &untrusted),
            FailureReason::Tls
        );
        let alert = chain(&["received fatal alert: HandshakeFailure"]);
        assert_eq!(classify_transport_error(false, &alert), FailureReason::Tls);
        let slow = chain(&["operation timed out"]);
        assert_eq!(
            classify_transport_error(false, &slow),
            FailureReason::Timeout
        );
    }

    #[test]
    fn reasons_have_bounded_labels() {
        let labels: Vec<&str> = FailureReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(labels, ["timeout", "connect", "tls", "status", "body"]);
    }
}
