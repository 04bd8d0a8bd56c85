//! Step-by-step tests of the state machine, in the manner of Prometheus's alerting_test.go.

use super::*;

const MIN: i64 = 60_000;

fn series(instance: &str, value: f64) -> ActiveSeries {
    let labels = Labels::from_pairs([("alertname", "HighCpu"), ("instance", instance)]);
    ActiveSeries {
        fingerprint: labels.fingerprint(),
        labels,
        annotations: Labels::new(),
        value,
    }
}

fn kinds(events: &[AlertEvent]) -> Vec<EventKind> {
    events.iter().map(|e| e.kind).collect()
}

fn state_of(states: &AlertStates, instance: &str) -> Option<AlertState> {
    states
        .get(series(instance, 0.0).fingerprint)
        .map(|a| a.state)
}

#[test]
fn pending_then_firing_after_for() {
    let mut states = AlertStates::new(Duration::from_secs(300), Duration::ZERO);
    assert_eq!(
        kinds(&states.step(0, vec![series("a", 91.0)])),
        [EventKind::Pending]
    );
    assert!(states.step(4 * MIN, vec![series("a", 92.0)]).is_empty());
    let events = states.step(5 * MIN, vec![series("a", 93.0)]);
    assert_eq!(kinds(&events), [EventKind::Firing]);
    let alert = &events[0].alert;
    assert_eq!(alert.active_since_ms, 0);
    assert_eq!(alert.fired_at_ms, Some(5 * MIN));
    assert_eq!(alert.value, 93.0);
}

#[test]
fn zero_for_fires_at_once() {
    let mut states = AlertStates::new(Duration::ZERO, Duration::ZERO);
    let events = states.step(7, vec![series("a", 1.0)]);
    assert_eq!(kinds(&events), [EventKind::Firing]);
    assert_eq!(events[0].alert.active_since_ms, 7);
    assert_eq!(events[0].alert.fired_at_ms, Some(7));
}

#[test]
fn pending_that_stops_goes_inactive_and_is_dropped() {
    let mut states = AlertStates::new(Duration::from_secs(300), Duration::ZERO);
    states.step(0, vec![series("a", 91.0)]);
    let events = states.step(MIN, vec![]);
    assert_eq!(kinds(&events), [EventKind::Inactive]);
    assert_eq!(state_of(&states, "a"), None);
    // It starts over: active_since is the new time.
    let events = states.step(2 * MIN, vec![series("a", 91.0)]);
    assert_eq!(events[0].alert.active_since_ms, 2 * MIN);
}

#[test]
fn firing_resolves_with_last_value_and_is_kept_for_retention() {
    let mut states = AlertStates::new(Duration::ZERO, Duration::ZERO);
    states.step(0, vec![series("a", 95.0)]);
    let events = states.step(MIN, vec![]);
    assert_eq!(kinds(&events), [EventKind::Resolved]);
    assert_eq!(events[0].alert.resolved_at_ms, Some(MIN));
    assert_eq!(events[0].alert.resolved_value, Some(95.0));
    assert_eq!(events[0].alert.fired_at_ms, Some(0));
    assert!(states.step(15 * MIN, vec![]).is_empty());
    assert_eq!(state_of(&states, "a"), Some(AlertState::Resolved));
    assert_eq!(states.active().count(), 0);
    assert_eq!(
        kinds(&states.step(17 * MIN, vec![])),
        [EventKind::Forgotten]
    );
    assert_eq!(state_of(&states, "a"), None);
}

#[test]
fn resolved_alert_that_returns_is_a_new_instance() {
    let mut states = AlertStates::new(Duration::from_secs(60), Duration::ZERO);
    states.step(0, vec![series("a", 1.0)]);
    states.step(MIN, vec![series("a", 1.0)]);
    states.step(2 * MIN, vec![]);
    let events = states.step(3 * MIN, vec![series("a", 2.0)]);
    assert_eq!(kinds(&events), [EventKind::Pending]);
    assert_eq!(events[0].alert.active_since_ms, 3 * MIN);
    assert_eq!(events[0].alert.fired_at_ms, None);
    assert_eq!(events[0].alert.resolved_at_ms, None);
}

#[test]
fn keep_firing_for_holds_then_resolves() {
    // As TestKeepFiringFor: fires, condition stops, stays firing for keep_firing_for.
    let mut states = AlertStates::new(Duration::from_secs(60), Duration::from_secs(300));
    states.step(0, vec![series("a", 1.0)]);
    assert_eq!(
        kinds(&states.step(MIN, vec![series("a", 1.0)])),
        [EventKind::Firing]
    );
    for minute in 2..=6 {
        assert!(
            states.step(minute * MIN, vec![]).is_empty(),
            "minute {minute}"
        );
        assert_eq!(state_of(&states, "a"), Some(AlertState::Firing));
    }
    let events = states.step(7 * MIN, vec![]);
    assert_eq!(kinds(&events), [EventKind::Resolved]);
    assert_eq!(events[0].alert.fired_at_ms, Some(MIN));
}

#[test]
fn keep_firing_for_restarts_when_condition_returns() {
    let mut states = AlertStates::new(Duration::ZERO, Duration::from_secs(120));
    states.step(0, vec![series("a", 1.0)]);
    states.step(MIN, vec![]);
    states.step(2 * MIN, vec![series("a", 1.0)]);
    assert!(states.step(3 * MIN, vec![]).is_empty());
    assert!(states.step(4 * MIN, vec![]).is_empty());
    assert_eq!(kinds(&states.step(5 * MIN, vec![])), [EventKind::Resolved]);
}

#[test]
fn pending_is_not_held_by_keep_firing_for() {
    let mut states = AlertStates::new(Duration::from_secs(300), Duration::from_secs(300));
    states.step(0, vec![series("a", 1.0)]);
    assert_eq!(kinds(&states.step(MIN, vec![])), [EventKind::Inactive]);
}

#[test]
fn series_are_independent() {
    let mut states = AlertStates::new(Duration::from_secs(60), Duration::ZERO);
    states.step(0, vec![series("a", 1.0)]);
    let events = states.step(MIN, vec![series("a", 1.0), series("b", 1.0)]);
    assert_eq!(kinds(&events), [EventKind::Pending, EventKind::Firing]);
    assert_eq!(state_of(&states, "a"), Some(AlertState::Firing));
    assert_eq!(state_of(&states, "b"), Some(AlertState::Pending));
}

#[test]
fn label_change_is_reported_and_keeps_timing() {
    let mut states = AlertStates::new(Duration::ZERO, Duration::ZERO);
    states.step(0, vec![series("a", 6.0)]);
    let mut escalated = series("a", 11.0);
    escalated.labels.insert("severity", "critical");
    let events = states.step(MIN, vec![escalated]);
    assert_eq!(kinds(&events), [EventKind::Changed]);
    assert_eq!(events[0].alert.fired_at_ms, Some(0));
    assert_eq!(events[0].alert.labels.get("severity"), Some("critical"));
}

#[test]
fn restored_firing_alert_does_not_fire_again() {
    let mut first = AlertStates::new(Duration::ZERO, Duration::ZERO);
    first.step(0, vec![series("a", 1.0)]);
    let mut second = AlertStates::new(Duration::ZERO, Duration::ZERO);
    second.restore(first.instances().cloned());
    assert!(second.step(MIN, vec![series("a", 1.0)]).is_empty());
    assert_eq!(
        second
            .get(series("a", 0.0).fingerprint)
            .and_then(|a| a.fired_at_ms),
        Some(0)
    );
}
