//! Applying a changed `notify:` section on reload (SIGHUP, `POST /-/reload`): a new dispatcher
//! (routes, grouping, inhibit rules) and new notifiers are built first, so a section that does
//! not build leaves the running one untouched; the new dispatcher then gets the stored sent
//! records, silences, acknowledgements and alerts back (as at start-up), so a group of an
//! unchanged route keeps its last-sent state and sends nothing early or twice, and the outbox
//! (in the store) is not touched: owed notifications are still delivered.

use super::notify_delivery::Notifiers;
use super::notify_runtime::{Live, NotifyHandle, lock, restore};
use crate::notify::dispatch::Dispatcher;
use crate::notify::{NotifyConfig, RetryPolicy};
use std::sync::Arc;

impl NotifyHandle {
    /// Replaces receivers, routes, inhibit rules and the retry policy with `config`'s;
    /// `channels` gives a rule's `channels` by group and alert name. On error nothing changed.
    pub fn reload(
        &self,
        config: &NotifyConfig,
        channels: &dyn Fn(&str, &str) -> Vec<String>,
    ) -> Result<(), String> {
        let inner = &self.inner;
        let mut dispatcher =
            Dispatcher::new(config, &inner.external_url).map_err(|e| format!("notify: {e}"))?;
        let notifiers = Notifiers::build(config).map_err(|e| format!("notify: {e}"))?;
        let known = |group: &str, name: &str| notifiers.known(channels(group, name));
        let silences = restore(
            &mut dispatcher,
            &lock(&inner.store),
            &inner.external_url,
            &known,
        )
        .map_err(|e| format!("notify: restoring state: {e}"))?;
        let live = Live {
            notifiers,
            policy: RetryPolicy::from(&config.delivery),
        };
        *lock(&inner.silences) = silences;
        *lock(&inner.dispatcher) = dispatcher;
        *lock(&inner.live) = Arc::new(live);
        lock(&inner.receiver_failing).reconfigure(config);
        inner.wake_dispatch.notify_one();
        inner.wake_delivery.notify_one();
        Ok(())
    }
}
