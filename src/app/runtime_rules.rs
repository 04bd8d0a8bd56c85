//! Rules added at runtime (`POST /api/v1/alerts/configure`): validated like rule files, stored,
//! and applied by the app's main loop, which reloads the engine with the rule-file groups plus
//! the `runtime` group (also after every config reload and at start).

use super::runtime_rule_spec::{RUNTIME_GROUP, RuntimeRuleSpec, SpecError, runtime_groups};
use crate::rules::{RuleEngine, RuleGroup};
use crate::store::{Store, StoreError};
use serde_json::Value;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{mpsc, oneshot};

/// A request to the main loop: re-apply the stored runtime rules, then answer.
pub type ApplyRequest = oneshot::Sender<()>;

/// Why a runtime rule was not changed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigureError {
    /// The body is invalid.
    #[error(transparent)]
    Invalid(#[from] SpecError),
    /// A rule file already defines a rule of that name.
    #[error("a rule named {0:?} is defined in a rule file; runtime rules cannot replace it")]
    Conflict(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The spec could not be written as JSON.
    #[error("encoding the rule: {0}")]
    Encode(#[from] serde_json::Error),
    /// The app is stopping.
    #[error("watchpost is shutting down")]
    ShuttingDown,
}

/// The API's handle on runtime rules.
#[derive(Clone)]
pub struct RuntimeRules {
    store: Arc<Mutex<Store>>,
    engine: Arc<Mutex<RuleEngine>>,
    apply: mpsc::Sender<ApplyRequest>,
}

impl std::fmt::Debug for RuntimeRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RuntimeRules")
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl RuntimeRules {
    /// A handle and the receiver the main loop applies requests from.
    pub fn new(
        store: Arc<Mutex<Store>>,
        engine: Arc<Mutex<RuleEngine>>,
    ) -> (Self, mpsc::Receiver<ApplyRequest>) {
        let (apply, requests) = mpsc::channel(8);
        let handle = Self {
            store,
            engine,
            apply,
        };
        (handle, requests)
    }

    /// Validates, stores and applies the rule in `body` (replacing a runtime rule of the same
    /// name); returns the stored spec.
    pub async fn configure(&self, body: &Value) -> Result<RuntimeRuleSpec, ConfigureError> {
        let spec = RuntimeRuleSpec::from_json(body)?;
        spec.validate()?;
        let defined_in_file = lock(&self.engine).groups().iter().any(|group| {
            group.name() != RUNTIME_GROUP && group.rules.iter().any(|r| r.rule.name == spec.name)
        });
        if defined_in_file {
            return Err(ConfigureError::Conflict(spec.name));
        }
        let json = serde_json::to_string(&spec)?;
        lock(&self.store).save_runtime_rule(&spec.name, &json)?;
        self.apply().await?;
        Ok(spec)
    }

    /// Removes runtime rule `name`; false when there was none.
    pub async fn remove(&self, name: &str) -> Result<bool, ConfigureError> {
        let removed = lock(&self.store).delete_runtime_rule(name)?;
        if removed {
            self.apply().await?;
        }
        Ok(removed)
    }

    /// Every stored runtime rule.
    pub fn list(&self) -> Result<Vec<RuntimeRuleSpec>, StoreError> {
        stored_specs(&lock(&self.store))
    }

    async fn apply(&self) -> Result<(), ConfigureError> {
        let (reply, done) = oneshot::channel();
        self.apply
            .send(reply)
            .await
            .map_err(|_| ConfigureError::ShuttingDown)?;
        done.await.map_err(|_| ConfigureError::ShuttingDown)
    }
}

/// The stored specs; a row that no longer parses is skipped with a warning.
fn stored_specs(store: &Store) -> Result<Vec<RuntimeRuleSpec>, StoreError> {
    let mut specs = Vec::new();
    for (name, json) in store.load_runtime_rules()? {
        match serde_json::from_str(&json) {
            Ok(spec) => specs.push(spec),
            Err(error) => {
                tracing::warn!(rule = %name, %error, "skipping an unreadable runtime rule")
            }
        }
    }
    Ok(specs)
}

/// `groups` plus the `runtime` group of the stored rules (none when the store cannot be read).
pub fn with_runtime_groups(mut groups: Vec<RuleGroup>, store: &Store) -> Vec<RuleGroup> {
    match stored_specs(store) {
        Ok(specs) => groups.extend(runtime_groups(&specs)),
        Err(error) => tracing::error!(%error, "reading runtime rules failed; running without them"),
    }
    groups
}
