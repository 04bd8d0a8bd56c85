//! The `ALERTS` and `ALERTS_FOR_STATE` families, as Prometheus writes them for its rules:
//! `ALERTS{alertname, alertstate="pending"|"firing", <alert labels>} 1` and
//! `ALERTS_FOR_STATE{alertname, <alert labels>} <active since, unix seconds>` for every
//! pending or firing alert (resolved alerts are not exported). Also the per-group evaluation
//! families (last evaluation time, last duration, failures).

use super::group::GroupState;
use crate::metrics::{MetricFamily, MetricType};

/// The two families for every group's active alerts.
pub fn alerts_families<'a>(groups: impl IntoIterator<Item = &'a GroupState>) -> Vec<MetricFamily> {
    let mut alerts = MetricFamily::new(
        "ALERTS",
        "Pending and firing alerts of watchpost's rules (1 per alert), as Prometheus's ALERTS.",
        MetricType::Gauge,
    );
    let mut for_state = MetricFamily::new(
        "ALERTS_FOR_STATE",
        "When each pending or firing alert became active, in unix seconds, as Prometheus's ALERTS_FOR_STATE.",
        MetricType::Gauge,
    );
    for group in groups {
        for (_, alert) in group.active_alerts() {
            let labels = alert
                .labels
                .clone()
                .with("alertstate", alert.state.as_str());
            alerts.push(labels, 1.0);
            for_state.push(alert.labels.clone(), alert.active_since_ms as f64 / 1000.0);
        }
    }
    vec![alerts, for_state]
}

/// `watchpost_rule_group_last_evaluation_timestamp_seconds`, `..._last_duration_seconds` and
/// `watchpost_rule_evaluation_failures_total`, each with a `rule_group` label.
pub fn rule_group_families<'a>(
    groups: impl IntoIterator<Item = &'a GroupState>,
) -> Vec<MetricFamily> {
    let mut last = MetricFamily::new(
        "watchpost_rule_group_last_evaluation_timestamp_seconds",
        "When the rule group was last evaluated, in unix seconds.",
        MetricType::Gauge,
    );
    let mut duration = MetricFamily::new(
        "watchpost_rule_group_last_duration_seconds",
        "How long the last evaluation of the rule group took.",
        MetricType::Gauge,
    );
    let mut failures = MetricFamily::new(
        "watchpost_rule_evaluation_failures_total",
        "Rule evaluations that failed, by rule group.",
        MetricType::Counter,
    );
    for group in groups {
        let labels = crate::model::Labels::from_pairs([("rule_group", group.name())]);
        if let Some(at_ms) = group.last_evaluation_ms {
            last.push(labels.clone(), at_ms as f64 / 1000.0);
        }
        duration.push(labels.clone(), group.last_duration_seconds);
        failures.push(labels, group.evaluation_failures as f64);
    }
    vec![last, duration, failures]
}
