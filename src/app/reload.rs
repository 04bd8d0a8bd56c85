//! Configuration reload on SIGHUP and `POST /-/reload`.
//!
//! A reload loads and validates the whole file first; only a fully valid config replaces the
//! running one, so a bad file keeps the old config running (and sets
//! `watchpost_config_last_reload_successful` to 0). The listen address is fixed at start-up.

use crate::config::{Config, Diagnostics};
use std::path::PathBuf;
use tokio::sync::{mpsc, oneshot};

/// What a reload request gets back: `Ok` or every diagnostic of the rejected file.
pub type ReloadResult = Result<(), Vec<String>>;

/// A request to reload, with the channel its result is sent on.
pub type ReloadRequest = oneshot::Sender<ReloadResult>;

/// The sending half handed to the HTTP layer.
#[derive(Clone, Debug)]
pub struct ReloadHandle {
    sender: mpsc::Sender<ReloadRequest>,
}

impl ReloadHandle {
    /// A handle and the receiver the app's reload loop listens on.
    pub fn channel() -> (Self, mpsc::Receiver<ReloadRequest>) {
        let (sender, receiver) = mpsc::channel(4);
        (Self { sender }, receiver)
    }

    /// Asks for a reload and waits for its result.
    pub async fn reload(&self) -> ReloadResult {
        let (reply, result) = oneshot::channel();
        if self.sender.send(reply).await.is_err() {
            return Err(vec!["watchpost is shutting down".to_owned()]);
        }
        result
            .await
            .unwrap_or_else(|_| Err(vec!["reload was abandoned".to_owned()]))
    }
}

/// Where the running config came from.
#[derive(Clone, Debug)]
pub enum ConfigSource {
    /// The embedded default (nothing to reload from).
    Embedded,
    /// A file, re-read on every reload.
    File(PathBuf),
}

impl ConfigSource {
    /// Loads the config again; the embedded default never changes.
    pub fn load(&self) -> Result<Config, Diagnostics> {
        match self {
            Self::Embedded => Ok(Config::default()),
            Self::File(path) => Config::load_file(path),
        }
    }
}
