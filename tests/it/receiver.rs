//! A local webhook receiver for the notification tests: an axum server on 127.0.0.1 that
//! answers each POST with the next status of a script (then 200 for ever) and records every
//! request body with the status it got.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

/// One request the receiver got and the status it answered.
#[derive(Clone, Debug)]
pub struct Received {
    /// The answered status code.
    pub status: u16,
    /// The JSON body (webhook payload v4).
    pub body: Value,
}

#[derive(Default)]
struct Script {
    statuses: VecDeque<u16>,
    received: Vec<Received>,
}

/// A running receiver; stopped on drop.
pub struct Receiver {
    script: Arc<Mutex<Script>>,
    task: JoinHandle<()>,
    /// The port it listens on.
    pub port: u16,
}

impl Receiver {
    /// Listens on `127.0.0.1:port` (0 for any) and answers `statuses` in order, then 200.
    pub async fn start(port: u16, statuses: &[u16]) -> Self {
        let script = Arc::new(Mutex::new(Script {
            statuses: statuses.iter().copied().collect(),
            received: Vec::new(),
        }));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("bind 127.0.0.1:{port}: {e}"));
        let port = listener.local_addr().unwrap().port();
        let app = Router::new()
            .route("/hook", post(answer))
            .with_state(script.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { script, task, port }
    }

    /// The URL watchpost posts to.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.script.lock().unwrap().received.clone()
    }

    /// The accepted (200) payloads whose `status` is `status` (`firing` / `resolved`).
    pub fn accepted(&self, status: &str) -> usize {
        self.received()
            .iter()
            .filter(|r| r.status == 200 && r.body["status"] == status)
            .count()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(State(script): State<Arc<Mutex<Script>>>, body: String) -> StatusCode {
    let mut script = script.lock().unwrap();
    let status = script.statuses.pop_front().unwrap_or(200);
    let body = serde_json::from_str(&body).unwrap_or(Value::Null);
    script.received.push(Received { status, body });
    StatusCode::from_u16(status).unwrap()
}
