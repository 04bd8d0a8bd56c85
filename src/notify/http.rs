//! The HTTP side shared by the `webhook`, `slack` and `alertmanager` integrations: one JSON
//! POST turned into an [`Outcome`], URL parsing at build time, and URL redaction.
//!
//! Errors and reasons only ever name `scheme://host[:port]`: webhook URLs carry tokens in their
//! path or query, and reqwest's own errors are stripped of the URL before they are formatted.

use super::retry::{Outcome, classify_http};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Serialize;
use std::time::SystemTime;

/// A parsed target URL that prints as `scheme://host[:port]` only.
#[derive(Clone)]
pub struct TargetUrl {
    url: reqwest::Url,
}

impl TargetUrl {
    /// Parses `text` (an http:// or https:// URL); the error never contains `text`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = reqwest::Url::parse(text).map_err(|e| format!("invalid url: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err("url must be http:// or https:// with a host".to_owned());
        }
        Ok(Self { url })
    }

    /// This URL with `path` appended to its path (for `/api/v2/alerts`).
    pub fn join_path(&self, path: &str) -> Self {
        let mut url = self.url.clone();
        let joined = format!("{}{}", url.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        Self { url }
    }

    /// `scheme://host[:port]`, safe for logs and errors.
    pub fn redacted(&self) -> String {
        redact_url(&self.url)
    }
}

impl std::fmt::Debug for TargetUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// `scheme://host[:port]` of `url`.
pub fn redact_url(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// A client for one integration (rustls, connection pooling; the attempt timeout is the
/// caller's `tokio::time::timeout`).
pub fn new_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .user_agent(concat!("watchpost/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build http client: {}", e.without_url()))
}

/// One POST of `body` as JSON with `headers`; the answer is classified by [`classify_http`]
/// (Retry-After honoured); timeouts and connection errors are retryable.
pub async fn post_json(
    client: &reqwest::Client,
    target: &TargetUrl,
    headers: HeaderMap,
    body: &impl Serialize,
) -> Outcome {
    let sent = client
        .post(target.url.clone())
        .headers(headers)
        .json(body)
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(error) => return Outcome::retryable(describe_error(target, error)),
    };
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let outcome = classify_http(
        response.status().as_u16(),
        retry_after.as_deref(),
        SystemTime::now(),
    );
    with_target(outcome, target)
}

fn describe_error(target: &TargetUrl, error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let error = error.without_url();
    let mut text = format!("post to {}: {kind}: {error}", target.redacted());
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Prefixes an outcome's reason with the redacted target.
pub fn with_target(outcome: Outcome, target: &TargetUrl) -> Outcome {
    match outcome {
        Outcome::Delivered => Outcome::Delivered,
        Outcome::Retryable {
            reason,
            retry_after,
        } => Outcome::Retryable {
            reason: format!("post to {}: {reason}", target.redacted()),
            retry_after,
        },
        Outcome::Permanent(reason) => {
            Outcome::Permanent(format!("post to {}: {reason}", target.redacted()))
        }
    }
}
