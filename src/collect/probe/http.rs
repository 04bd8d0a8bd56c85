//! One HTTP(S) probe attempt: the request (method, headers), the status check, the body checks
//! and the leaf certificate's expiry. The client is built once per probe.

use super::cert::not_after_unix;
use super::config::ProbeConfig;
use super::expect::{JsonCondition, StatusMatcher, body_matches, status_accepted};
use super::outcome::{Attempt, Failure, FailureReason, classify_transport_error, error_chain};
use std::time::{Duration, Instant};

/// The most body bytes read for the body checks; the rest is ignored.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// An HTTP probe ready to run: its client and its checks.
pub struct HttpProber {
    client: Result<reqwest::Client, String>,
    url: String,
    method: reqwest::Method,
    headers: Vec<(String, String)>,
    expected: Vec<StatusMatcher>,
    body_regex: Option<regex::Regex>,
    json: Option<JsonCondition>,
    timeout: Duration,
}

impl HttpProber {
    /// Builds the prober; a client that cannot be built (unreadable CA file) makes every
    /// attempt fail with reason `tls`.
    pub fn new(probe: &ProbeConfig) -> Self {
        Self {
            client: build_client(probe),
            url: probe.target.clone(),
            method: reqwest::Method::from_bytes(probe.method.as_bytes())
                .unwrap_or(reqwest::Method::GET),
            headers: probe
                .headers
                .iter()
                .map(|(name, value)| (name.clone(), value.expose().to_owned()))
                .collect(),
            expected: probe.expected_status.clone(),
            // Validation rejects a bad regex; at run time one simply checks nothing.
            body_regex: probe
                .body_regex
                .as_deref()
                .and_then(|p| regex::Regex::new(p).ok()),
            json: probe.json.clone(),
            timeout: probe.effective_timeout(),
        }
    }

    /// Runs one attempt, bounded by the probe's timeout as a whole (body included).
    pub async fn attempt(&self) -> Attempt {
        let start = Instant::now();
        let mut attempt = match tokio::time::timeout(self.timeout, self.exchange()).await {
            Ok(attempt) => attempt,
            Err(_) => Attempt {
                duration: Duration::ZERO,
                status_code: None,
                cert_expiry: None,
                failure: Some(Failure::new(
                    FailureReason::Timeout,
                    format!("no complete answer within {:?}", self.timeout),
                )),
            },
        };
        attempt.duration = start.elapsed();
        attempt
    }

    async fn exchange(&self) -> Attempt {
        let mut attempt = Attempt {
            duration: Duration::ZERO,
            status_code: None,
            cert_expiry: None,
            failure: None,
        };
        let client = match &self.client {
            Ok(client) => client,
            Err(message) => {
                attempt.failure = Some(Failure::new(FailureReason::Tls, message.clone()));
                return attempt;
            }
        };
        let mut request = client.request(self.method.clone(), &self.url);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                attempt.failure = Some(transport_failure(&error));
                return attempt;
            }
        };
        let status = response.status().as_u16();
        attempt.status_code = Some(status);
        attempt.cert_expiry = response
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|info| info.peer_certificate())
            .and_then(not_after_unix);
        if !status_accepted(&self.expected, status) {
            let wanted: Vec<String> = self.expected.iter().map(ToString::to_string).collect();
            attempt.failure = Some(Failure::new(
                FailureReason::Status,
                format!("status {status} not in [{}]", wanted.join(", ")),
            ));
            return attempt;
        }
        if self.body_regex.is_none() && self.json.is_none() {
            return attempt;
        }
        let body = match read_body(&mut response).await {
            Ok(body) => body,
            Err(error) => {
                attempt.failure = Some(transport_failure(&error));
                return attempt;
            }
        };
        let checked = self
            .body_regex
            .as_ref()
            .map_or(Ok(()), |pattern| body_matches(pattern, &body))
            .and_then(|()| self.json.as_ref().map_or(Ok(()), |json| json.check(&body)));
        if let Err(message) = checked {
            attempt.failure = Some(Failure::new(FailureReason::Body, message));
        }
        attempt
    }
}

fn build_client(probe: &ProbeConfig) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .timeout(probe.effective_timeout())
        .user_agent(concat!("watchpost-probe/", env!("CARGO_PKG_VERSION")))
        .tls_info(true)
        .danger_accept_invalid_certs(probe.tls.insecure_skip_verify);
    if let Some(path) = &probe.tls.ca_file {
        let pem = std::fs::read(path)
            .map_err(|error| format!("reading ca_file {}: {error}", path.display()))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|error| format!("parsing ca_file {}: {error}", path.display()))?;
        builder = builder.tls_certs_only(certificates);
    }
    builder
        .build()
        .map_err(|error| format!("building the HTTP client: {error}"))
}

fn transport_failure(error: &reqwest::Error) -> Failure {
    let chain = error_chain(error);
    let reason = classify_transport_error(error.is_timeout(), &chain);
    Failure::new(reason, chain.join(": "))
}

async fn read_body(response: &mut reqwest::Response) -> Result<String, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_BODY_BYTES.saturating_sub(bytes.len());
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= MAX_BODY_BYTES {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
