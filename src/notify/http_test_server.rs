//! Test support: a tiny axum receiver on 127.0.0.1 that records every request (path, headers,
//! body) and answers with a fixed status and optional `Retry-After`, plus a runtime helper.

use crate::notify::Outcome;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::sync::{Arc, Mutex};

/// What the receiver answers.
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    retry_after: Option<&'static str>,
}

impl Reply {
    /// Answer with `status` and an empty body.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            retry_after: None,
        }
    }

    /// Also send `Retry-After: value`.
    pub fn retry_after(mut self, value: &'static str) -> Self {
        self.retry_after = Some(value);
        self
    }
}

/// One recorded request.
#[derive(Clone, Debug)]
pub struct Received {
    /// Path and query.
    pub path: String,
    /// Request headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Received {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Clone)]
struct Shared {
    reply: Reply,
    received: Arc<Mutex<Vec<Received>>>,
}

/// A running receiver; it stops with the runtime.
pub struct TestServer {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl TestServer {
    /// Starts a receiver answering every request with `reply`.
    pub async fn start(reply: Reply) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await;
        let listener = listener.unwrap_or_else(|e| panic!("bind 127.0.0.1:0: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let shared = Shared {
            reply,
            received: Arc::default(),
        };
        let received = shared.received.clone();
        let router = axum::Router::new().fallback(record).with_state(shared);
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { port, received }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The requests so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

async fn record(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    if let Ok(mut received) = shared.received.lock() {
        received.push(Received {
            path,
            headers,
            body: body.to_vec(),
        });
    }
    let status = StatusCode::from_u16(shared.reply.status).unwrap_or(StatusCode::IM_A_TEAPOT);
    match shared.reply.retry_after {
        Some(value) => (status, [("retry-after", value)]).into_response(),
        None => status.into_response(),
    }
}

/// A URL on 127.0.0.1 where nothing listens (a port just bound and released).
pub fn closed_port_url(path: &str) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    format!("http://127.0.0.1:{port}{path}")
}

/// Runs `test` on a fresh current-thread runtime with I/O and timers.
pub fn run(test: impl Future<Output = ()>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    runtime.block_on(test);
}

/// The outcome with its reason blanked, to compare kinds and Retry-After.
pub fn without_reason(outcome: &Outcome) -> Outcome {
    match outcome {
        Outcome::Delivered => Outcome::Delivered,
        Outcome::Retryable { retry_after, .. } => Outcome::Retryable {
            reason: String::new(),
            retry_after: *retry_after,
        },
        Outcome::Permanent(_) => Outcome::Permanent(String::new()),
    }
}
