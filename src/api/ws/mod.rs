//! `GET /api/v1/ws`: the WebSocket stream — a heartbeat every 2 s, `metric_update`s for the
//! metrics a client subscribed to (diffed from registry publications, so host collectors and
//! pushes both feed it), and `alert_firing` / `alert_resolved` events from the rules runtime.
//!
//! Each client has two halves: a producer task turning broadcasts into messages, and the
//! connection loop reading client messages and writing queued ones. They meet in a bounded
//! [`queue::ClientQueue`]: a client that reads slower than messages arrive loses the oldest
//! ones (counted in `watchpost_websocket_dropped_messages_total`), never memory.

pub mod messages;
pub mod queue;

use super::AppState;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use messages::ClientMessage;
use prometheus::IntGauge;
use queue::ClientQueue;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

/// How often a heartbeat is sent.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);

/// The handler: upgrades the connection and serves the client until it leaves.
pub async fn websocket(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| serve_client(socket, state))
}

/// Decrements the connection gauge when the connection ends, however it ends.
struct Connected(IntGauge);

impl Drop for Connected {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Aborts the producer when the connection ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn serve_client(mut socket: WebSocket, state: AppState) {
    let metrics = state.api.websocket_metrics().clone();
    metrics.connections.inc();
    let _connected = Connected(metrics.connections.clone());
    let queue = Arc::new(ClientQueue::new(
        state.api.websocket_buffer(),
        metrics.dropped.clone(),
    ));
    let (subscription_tx, subscription_rx) = watch::channel(BTreeSet::new());
    let _producer = AbortOnDrop(tokio::spawn(produce(
        state.clone(),
        queue.clone(),
        subscription_rx,
    )));
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(Message::Text(text))) => {
                    on_client_text(text.as_str(), &state, &subscription_tx, &queue);
                }
                Some(Ok(_)) => {}
            },
            () = queue.ready() => {
                for message in queue.drain() {
                    if socket.send(Message::Text(message.into())).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Applies a `subscribe` / `unsubscribe`, answers with the whole subscription and, for new
/// names, their current values; a bad message gets an `error` naming the field.
fn on_client_text(
    text: &str,
    state: &AppState,
    subscription: &watch::Sender<BTreeSet<String>>,
    queue: &ClientQueue,
) {
    let message = match messages::parse_client_message(text) {
        Ok(message) => message,
        Err((field, problem)) => return queue.push(messages::error(&field, &problem)),
    };
    let mut added = BTreeSet::new();
    subscription.send_modify(|names| match message {
        ClientMessage::Subscribe { metrics } => {
            for name in metrics {
                if names.insert(name.clone()) {
                    added.insert(name);
                }
            }
        }
        ClientMessage::Unsubscribe { metrics } => {
            for name in &metrics {
                names.remove(name);
            }
        }
    });
    queue.push(messages::subscribed(&subscription.borrow()));
    let mut updates = Vec::new();
    for snapshot in state.registry.snapshots() {
        messages::current_updates(&snapshot, &added, &mut updates);
    }
    updates.into_iter().for_each(|m| queue.push(m));
}

/// Turns heartbeats, publications and alert transitions into queued messages.
async fn produce(
    state: AppState,
    queue: Arc<ClientQueue>,
    subscription: watch::Receiver<BTreeSet<String>>,
) {
    let mut publications = state.registry.subscribe();
    let mut alerts = state.api.subscribe_alerts();
    let mut alerts_open = true;
    let mut heartbeat = tokio::time::interval(HEARTBEAT_EVERY);
    let mut updates = Vec::new();
    loop {
        tokio::select! {
            _ = heartbeat.tick() => queue.push(messages::heartbeat(SystemTime::now())),
            publication = publications.recv() => match publication {
                Ok(publication) => {
                    messages::changed_updates(&publication, &subscription.borrow(), &mut updates);
                    updates.drain(..).for_each(|m| queue.push(m));
                }
                Err(RecvError::Lagged(missed)) => queue.count_lost(missed),
                Err(RecvError::Closed) => return,
            },
            event = alerts.recv(), if alerts_open => match event {
                Ok(event) => {
                    if let Some(message) = messages::alert_event(&event) {
                        queue.push(message);
                    }
                }
                Err(RecvError::Lagged(missed)) => queue.count_lost(missed),
                Err(RecvError::Closed) => alerts_open = false,
            },
        }
    }
}

#[cfg(test)]
mod tests;
