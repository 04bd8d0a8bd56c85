//! Runs the rule engine: one tokio task per group ticking on the group's interval, each tick
//! evaluated on a blocking thread over the sample history, its transitions saved to the store
//! in one transaction, and `ALERTS` plus the per-group self-metrics published as the `rules`
//! source of the registry.
//!
//! The engine sits behind a std `Mutex`: evaluation is CPU work measured in microseconds per
//! rule and runs on a blocking thread, so no lock is ever held across an `.await`.

use super::reload::ConfigSource;
use crate::config::Config;
use crate::metrics::self_metrics::SelfMetrics;
use crate::metrics::{History, Registry, unix_millis};
use crate::rules::file::parse_rule_text;
use crate::rules::glob::expand_glob;
use crate::rules::group::Evaluation;
use crate::rules::state::EventKind;
use crate::rules::{RuleEngine, RuleGroup, load_rule_files};
use crate::store::{Store, delete_alert};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

/// How many alert transitions a slow subscriber (a WebSocket client) may fall behind.
const ALERT_EVENT_BACKLOG: usize = 256;

/// One alert transition with its group, as broadcast to subscribers (the WebSocket stream).
#[derive(Clone, Debug)]
pub struct GroupAlertEvent {
    /// The rule group.
    pub group: String,
    /// The transition.
    pub event: crate::rules::state::AlertEvent,
}

/// The rule files bundled into the binary, used by the embedded default config.
const BUNDLED_RULES: &[(&str, &str)] = &[
    ("rules/host.yml", include_str!("../../rules/host.yml")),
    (
        "rules/application.yml",
        include_str!("../../rules/application.yml"),
    ),
    (
        "rules/business.yml",
        include_str!("../../rules/business.yml"),
    ),
];

/// The registry source under which rule results are published.
pub const RULES_SOURCE: &str = "rules";

/// Loads the rule groups the config names (the bundled ones for the embedded default); every
/// diagnostic as `FILE:LINE:COL: message` on failure.
pub fn load_rule_groups(
    source: &ConfigSource,
    config: &Config,
) -> Result<Vec<RuleGroup>, Vec<String>> {
    let loaded = match source {
        ConfigSource::Embedded => {
            let mut groups = Vec::new();
            let mut problems = Vec::new();
            for (name, text) in BUNDLED_RULES {
                match parse_rule_text(Path::new(name), text) {
                    Ok(mut parsed) => groups.append(&mut parsed),
                    Err(mut errors) => problems.append(&mut errors),
                }
            }
            if problems.is_empty() {
                Ok(groups)
            } else {
                Err(problems)
            }
        }
        ConfigSource::File(path) => {
            let base = path.parent().unwrap_or(Path::new("."));
            load_rule_files(&rule_paths(config, base))
        }
    };
    loaded.map_err(|errors| errors.iter().map(ToString::to_string).collect())
}

/// `rules.files` expanded against `base` (the config file's directory).
pub fn rule_paths(config: &Config, base: &Path) -> Vec<PathBuf> {
    config
        .rules
        .files
        .iter()
        .flat_map(|pattern| expand_glob(pattern, base))
        .collect()
}

/// How long the history must keep samples for `groups` (their longest window, at least 15m).
pub fn history_retention(groups: &[RuleGroup]) -> Duration {
    groups
        .iter()
        .flat_map(|g| g.rules.iter().map(|r| r.max_window()))
        .max()
        .unwrap_or_default()
        .max(Duration::from_secs(15 * 60))
}

/// The series names the sample history must record for `groups`: every metric a rule reads,
/// and the counters the JSON API takes rates of.
pub fn history_reads(groups: &[RuleGroup]) -> HashSet<String> {
    let mut names: HashSet<String> = crate::api::series::RATE_METRICS
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    for group in groups {
        for rule in &group.rules {
            names.extend(rule.metric_names());
        }
    }
    names
}

/// What the group tasks share.
struct Shared {
    engine: Arc<Mutex<RuleEngine>>,
    store: Arc<Mutex<Store>>,
    history: Arc<History>,
    registry: Registry,
    metrics: SelfMetrics,
    notify: Mutex<Option<super::NotifyHandle>>,
    alert_events: broadcast::Sender<GroupAlertEvent>,
}

/// The running rule engine and its group tasks.
pub struct RulesRuntime {
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
    ready: watch::Receiver<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RulesRuntime {
    /// Restores stored alert state into a new engine over `groups` and starts the group tasks.
    ///
    /// Groups are first evaluated once `ready` turns true (every collector has published):
    /// evaluating an empty history right after a restart would drop restored pending alerts
    /// and resolve restored firing ones.
    pub fn start(
        groups: Vec<RuleGroup>,
        default_interval: Duration,
        mut store: Store,
        registry: Registry,
        metrics: SelfMetrics,
        signals: (watch::Receiver<bool>, watch::Receiver<bool>),
    ) -> anyhow::Result<Self> {
        let (ready, shutdown) = signals;
        let history = registry
            .history()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("the registry keeps no sample history"))?;
        history.record_only(Some(history_reads(&groups)));
        let mut engine = RuleEngine::new(groups);
        let stored = store.load_alert_states()?;
        let restored = stored.len();
        let orphans = engine.restore(stored);
        if !orphans.is_empty() {
            tracing::info!(
                count = orphans.len(),
                "dropping stored alerts whose rule is gone"
            );
            store.with_transaction(|tx| {
                orphans
                    .iter()
                    .try_for_each(|o| delete_alert(tx, &o.group, o.alert.fingerprint))
            })?;
        }
        tracing::info!(restored = restored - orphans.len(), "alert state restored");
        let mut runtime = Self {
            shared: Arc::new(Shared {
                engine: Arc::new(Mutex::new(engine)),
                store: Arc::new(Mutex::new(store)),
                history,
                registry,
                metrics,
                notify: Mutex::new(None),
                alert_events: broadcast::channel(ALERT_EVENT_BACKLOG).0,
            }),
            shutdown,
            ready,
            tasks: Vec::new(),
        };
        runtime.publish();
        runtime.spawn(default_interval);
        Ok(runtime)
    }

    /// The engine, for the API's read-only views.
    pub fn engine(&self) -> Arc<Mutex<RuleEngine>> {
        self.shared.engine.clone()
    }

    /// The store (shared with the notification runtime).
    pub fn store(&self) -> Arc<Mutex<Store>> {
        self.shared.store.clone()
    }

    /// The `channels` of rule `alertname` in group `group`.
    pub fn channels(&self, group: &str, alertname: &str) -> Vec<String> {
        rule_channels(&lock(&self.shared.engine), group, alertname)
    }

    /// The sender of every later alert transition (subscribe to receive them).
    pub fn alert_events(&self) -> broadcast::Sender<GroupAlertEvent> {
        self.shared.alert_events.clone()
    }

    /// Sends every later alert transition to the notification pipeline too.
    pub fn set_notify(&self, handle: super::NotifyHandle) {
        *lock(&self.shared.notify) = Some(handle);
    }

    /// The handle push ingestion uses to evaluate rules as soon as their series change.
    pub fn evaluator(&self) -> RuleEvaluator {
        RuleEvaluator {
            shared: self.shared.clone(),
        }
    }

    /// Replaces the rules, keeping the alerts of unchanged rules, and restarts the group tasks.
    pub fn reload(&mut self, groups: Vec<RuleGroup>, default_interval: Duration) {
        let needed = history_retention(&groups);
        if needed > self.shared.history.retention() {
            tracing::warn!(needed = ?needed, kept = ?self.shared.history.retention(),
                "a reloaded rule uses a window longer than the sample history; restart to widen it");
        }
        self.shared
            .history
            .record_only(Some(history_reads(&groups)));
        self.abort();
        lock(&self.shared.engine).reload(groups);
        self.publish();
        self.spawn(default_interval);
    }

    /// Stops every group task.
    pub fn abort(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }

    fn spawn(&mut self, default_interval: Duration) {
        let intervals: Vec<Duration> = lock(&self.shared.engine)
            .groups()
            .iter()
            .map(|g| g.group.interval.unwrap_or(default_interval))
            .collect();
        for (index, interval) in intervals.into_iter().enumerate() {
            let shared = self.shared.clone();
            let mut shutdown = self.shutdown.clone();
            let mut ready = self.ready.clone();
            self.tasks.push(tokio::spawn(async move {
                tokio::select! {
                    _ = ready.wait_for(|ready| *ready) => {}
                    _ = shutdown.changed() => return,
                }
                let mut ticker = tokio::time::interval(interval);
                ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                loop {
                    tokio::select! {
                        _ = ticker.tick() => {}
                        _ = shutdown.changed() => return,
                    }
                    let shared = shared.clone();
                    let run = tokio::task::spawn_blocking(move || shared.evaluate_group(index));
                    if let Err(error) = run.await {
                        tracing::error!(%error, "rule evaluation task failed");
                    }
                }
            }));
        }
    }

    fn publish(&self) {
        self.shared.publish(&lock(&self.shared.engine));
    }
}

impl Drop for RulesRuntime {
    fn drop(&mut self) {
        self.abort();
    }
}

impl Shared {
    /// One tick of group `index`: evaluate, persist transitions, log them, publish ALERTS.
    fn evaluate_group(&self, index: usize) {
        let now = SystemTime::now();
        let mut engine = lock(&self.engine);
        let Some(evaluation) = engine.evaluate_group(index, &*self.history, unix_millis(now))
        else {
            return;
        };
        let group = engine.groups()[index].name().to_owned();
        self.record(&engine, &group, &evaluation);
        self.publish(&engine);
    }

    /// Evaluates the rules that read any of `metrics`, right after a push changed them.
    fn evaluate_pushed(&self, metrics: &[String]) {
        let now = SystemTime::now();
        let mut engine = lock(&self.engine);
        let evaluations = engine.evaluate_pushed(&*self.history, unix_millis(now), metrics);
        if evaluations.is_empty() {
            return;
        }
        for (group, evaluation) in &evaluations {
            self.record(&engine, group, evaluation);
        }
        self.publish(&engine);
    }

    /// Self-metrics, error logs, the store transaction and event logs of one evaluation.
    fn record(&self, engine: &RuleEngine, group: &str, evaluation: &Evaluation) {
        self.metrics
            .rule_evaluation_duration
            .with_label_values(&[group])
            .observe(evaluation.duration_seconds);
        for (rule, message) in &evaluation.errors {
            tracing::warn!(rule_group = %group, rule = %rule, error = %message, "rule evaluation failed");
        }
        if evaluation.events.is_empty() {
            return;
        }
        if let Err(error) = lock(&self.store).save_transitions(group, &evaluation.events) {
            tracing::error!(%error, rule_group = %group, "saving alert transitions failed; state is kept in memory");
        }
        for event in &evaluation.events {
            log_event(group, event);
            if self.alert_events.receiver_count() > 0 {
                // An error only means every subscriber left meanwhile.
                let _ = self.alert_events.send(GroupAlertEvent {
                    group: group.to_owned(),
                    event: event.clone(),
                });
            }
        }
        if let Some(notify) = &*lock(&self.notify) {
            notify.observe_events(&evaluation.events, &|name| {
                rule_channels(engine, group, name)
            });
        }
    }

    fn publish(&self, engine: &RuleEngine) {
        let mut families = engine.alerts_families();
        families.extend(engine.rule_group_families());
        self.registry
            .publish(RULES_SOURCE, families, SystemTime::now());
    }
}

/// The `channels` of rule `alertname` in group `group` (empty: route by the tree).
pub fn rule_channels(engine: &RuleEngine, group: &str, alertname: &str) -> Vec<String> {
    engine
        .groups()
        .iter()
        .filter(|g| g.name() == group)
        .flat_map(|g| g.rules.iter())
        .find(|r| r.rule.name == alertname)
        .map(|r| r.rule.channels.clone())
        .unwrap_or_default()
}

/// A cloneable handle that evaluates rules when pushed series change.
#[derive(Clone)]
pub struct RuleEvaluator {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for RuleEvaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RuleEvaluator")
    }
}

impl RuleEvaluator {
    /// True when some rule reads one of `metrics` (so a push of them must be published and
    /// evaluated at once rather than on the next publish tick).
    pub fn reads_any(&self, metrics: &[String]) -> bool {
        let engine = lock(&self.shared.engine);
        engine
            .groups()
            .iter()
            .any(|g| metrics.iter().any(|m| g.reads_metric(m)))
    }

    /// Evaluates the rules reading `metrics` now (blocking: call from a blocking thread).
    pub fn evaluate_pushed(&self, metrics: &[String]) {
        self.shared.evaluate_pushed(metrics);
    }
}

/// One structured line per alert transition (the embedded default's log notifications).
fn log_event(group: &str, event: &crate::rules::state::AlertEvent) {
    let alert = &event.alert;
    let name = alert.labels.get("alertname").unwrap_or_default();
    match event.kind {
        EventKind::Firing | EventKind::Resolved | EventKind::Changed => tracing::warn!(
            rule_group = group,
            alertname = name,
            event = ?event.kind,
            labels = %alert.labels,
            value = alert.value,
            summary = alert.annotations.get("summary").unwrap_or_default(),
            "alert"
        ),
        _ => tracing::info!(
            rule_group = group,
            alertname = name,
            event = ?event.kind,
            labels = %alert.labels,
            value = alert.value,
            "alert"
        ),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_keeps_what_rules_and_the_api_read() {
        let text = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: avg_over_time(app_queue_depth[5m]) > 10 and on() up_ratio < 1\n";
        let groups = parse_rule_text(Path::new("t.yml"), text).unwrap();
        let names = history_reads(&groups);
        for name in ["app_queue_depth", "up_ratio", "node_cpu_seconds_total"] {
            assert!(names.contains(name), "{name} missing from {names:?}");
        }
        assert!(!names.contains("node_load1"));
        assert_eq!(
            history_reads(&[]).len(),
            crate::api::series::RATE_METRICS.len()
        );
    }
}
