//! The pure per-series alert state machine: inactive → pending → firing → resolved.
//!
//! One `AlertStates` per rule holds every instance of that rule by fingerprint. `step` takes the
//! series that are active at `now_ms` (condition holds, hysteresis already applied by the caller)
//! and returns the transitions as `AlertEvent`s. It never reads the clock. Semantics follow
//! Prometheus's `rules/alerting.go`: `for` holds a pending alert before it fires,
//! `keep_firing_for` keeps a firing alert firing after its condition stops, and a resolved alert
//! is kept for `RESOLVED_RETENTION` so its resolution can be re-sent.

use crate::model::{Fingerprint, Labels};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// How long a resolved alert is kept (as Prometheus's `resolvedRetention`).
pub const RESOLVED_RETENTION: Duration = Duration::from_secs(15 * 60);

/// The state of one alert instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// The condition holds, but not yet for `for`.
    Pending,
    /// The condition has held for `for`.
    Firing,
    /// It was firing and its condition cleared.
    Resolved,
}

impl AlertState {
    /// The lowercase name (`pending`, `firing`, `resolved`), as in `ALERTS{alertstate}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Firing => "firing",
            Self::Resolved => "resolved",
        }
    }

    /// Parses `as_str`'s output.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "firing" => Some(Self::Firing),
            "resolved" => Some(Self::Resolved),
            _ => None,
        }
    }
}

/// One alert instance of a rule (one series).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertInstance {
    /// The identity (see `ActiveSeries::fingerprint`).
    pub fingerprint: Fingerprint,
    /// The full label set, `alertname` included.
    pub labels: Labels,
    /// The rendered annotations.
    pub annotations: Labels,
    /// The state.
    pub state: AlertState,
    /// The last value seen while the condition held.
    pub value: f64,
    /// When the condition started to hold (ms since the epoch).
    pub active_since_ms: i64,
    /// When it fired.
    pub fired_at_ms: Option<i64>,
    /// When it resolved.
    pub resolved_at_ms: Option<i64>,
    /// The value at resolution: the watched series' raw value at the resolving evaluation (set
    /// by the group through `set_resolved_value`; `None` when the series was gone).
    pub resolved_value: Option<f64>,
    /// Since when a firing alert is held only by `keep_firing_for`.
    pub keep_firing_since_ms: Option<i64>,
}

/// What happened to an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// inactive → pending.
    Pending,
    /// pending → firing (or inactive → firing when `for` is zero).
    Firing,
    /// firing → resolved.
    Resolved,
    /// pending → inactive: the condition stopped before `for` elapsed; the instance is gone.
    Inactive,
    /// An active alert's labels changed (a threshold rule moved between severities).
    Changed,
    /// A resolved alert passed `RESOLVED_RETENTION` and was dropped.
    Forgotten,
}

/// One transition of one instance, with the instance as it is after the transition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// What happened.
    pub kind: EventKind,
    /// When (the evaluation time, ms).
    pub at_ms: i64,
    /// The instance after the transition.
    pub alert: AlertInstance,
}

/// One series for which the rule's condition holds at this evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveSeries {
    /// The identity: the caller hashes `alertname` plus the series labels (without `severity`,
    /// so a threshold rule moving from warning to critical stays one alert).
    pub fingerprint: Fingerprint,
    /// The full label set of the alert.
    pub labels: Labels,
    /// The rendered annotations.
    pub annotations: Labels,
    /// The value.
    pub value: f64,
}

/// Every instance of one rule, and the rule's timing.
#[derive(Clone, Debug, Default)]
pub struct AlertStates {
    hold: Duration,
    keep_firing_for: Duration,
    instances: BTreeMap<Fingerprint, AlertInstance>,
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl AlertStates {
    /// No instances; `hold` is the rule's `for`.
    pub fn new(hold: Duration, keep_firing_for: Duration) -> Self {
        Self {
            hold,
            keep_firing_for,
            instances: BTreeMap::new(),
        }
    }

    /// Puts back instances loaded from the store (after a restart or a reload).
    pub fn restore(&mut self, instances: impl IntoIterator<Item = AlertInstance>) {
        for instance in instances {
            self.instances.insert(instance.fingerprint, instance);
        }
    }

    /// The instance with `fingerprint`, if any.
    pub fn get(&self, fingerprint: Fingerprint) -> Option<&AlertInstance> {
        self.instances.get(&fingerprint)
    }

    /// True when `fingerprint` is pending or firing (used by the caller for hysteresis).
    pub fn is_active(&self, fingerprint: Fingerprint) -> bool {
        self.get(fingerprint)
            .is_some_and(|a| a.state != AlertState::Resolved)
    }

    /// Records the value at resolve of a resolved instance (see `rules::resolve_value`).
    pub fn set_resolved_value(&mut self, fingerprint: Fingerprint, value: Option<f64>) {
        if let Some(alert) = self.instances.get_mut(&fingerprint) {
            alert.resolved_value = value;
        }
    }

    /// Every instance, resolved ones included, in fingerprint order.
    pub fn instances(&self) -> impl Iterator<Item = &AlertInstance> {
        self.instances.values()
    }

    /// The pending and firing instances.
    pub fn active(&self) -> impl Iterator<Item = &AlertInstance> {
        self.instances().filter(|a| a.state != AlertState::Resolved)
    }

    /// Advances every instance to `now_ms` given the series active now; returns the transitions.
    pub fn step(&mut self, now_ms: i64, active: Vec<ActiveSeries>) -> Vec<AlertEvent> {
        let mut events = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for series in active {
            seen.insert(series.fingerprint);
            self.observe(now_ms, series, &mut events);
        }
        let fingerprints: Vec<Fingerprint> = self.instances.keys().copied().collect();
        for fingerprint in fingerprints {
            if !seen.contains(&fingerprint) {
                self.lapse(now_ms, fingerprint, &mut events);
            }
        }
        for alert in self.instances.values_mut() {
            let held_for = now_ms.saturating_sub(alert.active_since_ms);
            if alert.state == AlertState::Pending && held_for >= millis(self.hold) {
                alert.state = AlertState::Firing;
                alert.fired_at_ms = Some(now_ms);
                events.push(event(EventKind::Firing, now_ms, alert));
            }
        }
        events
    }

    /// The condition holds for `series`: create or refresh its instance.
    fn observe(&mut self, now_ms: i64, series: ActiveSeries, events: &mut Vec<AlertEvent>) {
        match self.instances.get_mut(&series.fingerprint) {
            Some(alert) if alert.state != AlertState::Resolved => {
                let relabelled = alert.labels != series.labels;
                alert.labels = series.labels;
                alert.annotations = series.annotations;
                alert.value = series.value;
                alert.keep_firing_since_ms = None;
                if relabelled {
                    events.push(event(EventKind::Changed, now_ms, alert));
                }
            }
            _ => {
                let alert = AlertInstance {
                    fingerprint: series.fingerprint,
                    labels: series.labels,
                    annotations: series.annotations,
                    state: AlertState::Pending,
                    value: series.value,
                    active_since_ms: now_ms,
                    fired_at_ms: None,
                    resolved_at_ms: None,
                    resolved_value: None,
                    keep_firing_since_ms: None,
                };
                if !self.hold.is_zero() {
                    events.push(event(EventKind::Pending, now_ms, &alert));
                }
                self.instances.insert(series.fingerprint, alert);
            }
        }
    }

    /// The condition does not hold for `fingerprint`.
    fn lapse(&mut self, now_ms: i64, fingerprint: Fingerprint, events: &mut Vec<AlertEvent>) {
        let Some(alert) = self.instances.get_mut(&fingerprint) else {
            return;
        };
        match alert.state {
            AlertState::Pending => {
                let alert = self.instances.remove(&fingerprint);
                if let Some(alert) = alert {
                    events.push(event(EventKind::Inactive, now_ms, &alert));
                }
            }
            AlertState::Firing => {
                let since = *alert.keep_firing_since_ms.get_or_insert(now_ms);
                if now_ms.saturating_sub(since) < millis(self.keep_firing_for) {
                    return;
                }
                alert.state = AlertState::Resolved;
                alert.resolved_at_ms = Some(now_ms);
                alert.resolved_value = Some(alert.value);
                events.push(event(EventKind::Resolved, now_ms, alert));
            }
            AlertState::Resolved => {
                let resolved_at = alert.resolved_at_ms.unwrap_or(now_ms);
                if now_ms.saturating_sub(resolved_at) > millis(RESOLVED_RETENTION) {
                    let alert = self.instances.remove(&fingerprint);
                    if let Some(alert) = alert {
                        events.push(event(EventKind::Forgotten, now_ms, &alert));
                    }
                }
            }
        }
    }
}

fn event(kind: EventKind, at_ms: i64, alert: &AlertInstance) -> AlertEvent {
    AlertEvent {
        kind,
        at_ms,
        alert: alert.clone(),
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
