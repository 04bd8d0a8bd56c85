//! The value at resolve: when an alert resolves, the raw value of the series it watches (the
//! rule's expression without its top-level comparison filter, see `expr::watched_text`) at that
//! evaluation, not the last value seen while it fired. `None` when the series is gone.

use super::expr::{SampleSource, compile, watched_text};
use super::model::AlertRule;
use super::state::{AlertEvent, AlertStates, EventKind};
use crate::model::Labels;

/// Sets `resolved_value` on every `Resolved` event of `events` (and on its instance in
/// `alerts`), evaluating the watched expression once, only when something resolved.
pub fn fill_resolve_values(
    rule: &AlertRule,
    alerts: &mut AlertStates,
    events: &mut [AlertEvent],
    source: &dyn SampleSource,
    now_ms: i64,
) {
    if !events.iter().any(|e| e.kind == EventKind::Resolved) {
        return;
    }
    let rows = watched_rows(rule, source, now_ms);
    for event in events.iter_mut().filter(|e| e.kind == EventKind::Resolved) {
        let value = value_for(&rows, &event.alert.labels);
        event.alert.resolved_value = value;
        alerts.set_resolved_value(event.alert.fingerprint, value);
    }
}

/// The watched expression's rows now; empty when it cannot be built or evaluated.
fn watched_rows(rule: &AlertRule, source: &dyn SampleSource, now_ms: i64) -> Vec<(Labels, f64)> {
    let Some(text) = watched_text(&rule.expr_text) else {
        return Vec::new();
    };
    match compile(&text).map(|expr| expr.evaluate(source, now_ms)) {
        Ok(Ok(rows)) => rows,
        Ok(Err(error)) => {
            tracing::debug!(rule = %rule.name, %error, "value at resolve: evaluation failed");
            Vec::new()
        }
        Err(error) => {
            tracing::debug!(rule = %rule.name, %error, "value at resolve: cannot compile");
            Vec::new()
        }
    }
}

/// The row for an alert: the one whose labels all appear in the alert's, the most specific
/// first (the alert adds `alertname` and rule labels to its series' labels).
fn value_for(rows: &[(Labels, f64)], alert_labels: &Labels) -> Option<f64> {
    rows.iter()
        .filter(|(labels, _)| labels.iter().all(|(k, v)| alert_labels.get(k) == Some(v)))
        .max_by_key(|(labels, _)| labels.iter().count())
        .map(|(_, value)| *value)
}

#[cfg(test)]
mod tests {
    use crate::metrics::History;
    use crate::model::Labels;
    use crate::rules::file::parse_rule_text;
    use crate::rules::group::GroupState;
    use crate::rules::state::EventKind;
    use std::path::Path;

    const MIN: i64 = 60_000;

    fn group(text: &str) -> GroupState {
        let mut groups = parse_rule_text(Path::new("t.yml"), text).unwrap();
        GroupState::new(groups.remove(0))
    }

    fn cpu(source: &mut History, host: &str, at_ms: i64, value: Option<f64>) {
        let labels = Labels::from_pairs([("host", host)]);
        match value {
            Some(value) => source.insert("cpu", &labels, at_ms, value),
            None => source.insert_stale("cpu", &labels, at_ms),
        }
    }

    fn source() -> History {
        History::new(std::time::Duration::from_secs(3600))
    }

    fn resolved(state: &mut GroupState, source: &History, at: i64) -> Option<f64> {
        let events = state.evaluate(source, at).events;
        let event = events.iter().find(|e| e.kind == EventKind::Resolved);
        let event = event.expect("the alert resolves");
        let instance = state.rules[0].alerts.get(event.alert.fingerprint);
        assert_eq!(
            instance.and_then(|a| a.resolved_value),
            event.alert.resolved_value
        );
        event.alert.resolved_value
    }

    #[test]
    fn a_resolve_carries_the_raw_value_not_the_last_firing_one() {
        let text = "groups:\n  - name: g\n    rules:\n      - alert: Hot\n        expr: cpu > 90\n        labels: {severity: warning}\n";
        let mut state = group(text);
        let mut source = source();
        cpu(&mut source, "a", 0, Some(95.0));
        assert_eq!(state.evaluate(&source, 0).events[0].kind, EventKind::Firing);
        cpu(&mut source, "a", MIN, Some(70.0));
        assert_eq!(resolved(&mut state, &source, MIN), Some(70.0));
    }

    #[test]
    fn thresholds_with_clear_resolve_at_the_current_value() {
        let text = "groups:\n  - name: g\n    rules:\n      - alert: Hot\n        expr: cpu\n        thresholds: {warning: \"> 80\"}\n        clear: \"< 70\"\n";
        let mut state = group(text);
        let mut source = source();
        cpu(&mut source, "a", 0, Some(85.0));
        state.evaluate(&source, 0);
        cpu(&mut source, "a", MIN, Some(60.0));
        assert_eq!(resolved(&mut state, &source, MIN), Some(60.0));
    }

    #[test]
    fn a_vanished_series_resolves_without_a_value() {
        let text = "groups:\n  - name: g\n    rules:\n      - alert: Hot\n        expr: cpu > 90\n";
        let mut state = group(text);
        let mut source = source();
        cpu(&mut source, "a", 0, Some(95.0));
        state.evaluate(&source, 0);
        cpu(&mut source, "a", MIN, None);
        assert_eq!(resolved(&mut state, &source, 10 * MIN), None);
    }
}
