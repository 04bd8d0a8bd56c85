//! The Alerts dashboard: firing alerts (`ALERTS`), a state timeline per alert, the notification
//! pipeline (attempts by result, outbox backlog, dead letters, latency), and one panel per rule
//! that compares with numbers, showing the value it compares with its thresholds drawn.

use super::panel::{Grid, Panel, query};
use super::shell::{dashboard, job_and_instance};
use super::thresholds::RuleThresholds;
use serde_json::Value;

/// The stable uid of the Alerts dashboard.
pub const UID: &str = "watchpost-alerts";

const SEL: &str = "job=~\"$job\",instance=~\"$instance\"";

/// Builds the Alerts dashboard.
pub fn build(rules: &[RuleThresholds]) -> Value {
    let mut grid = Grid::default();
    grid.row("Alerts");
    let firing = format!("count(ALERTS{{alertstate=\"firing\",{SEL}}})");
    grid.place(
        &Panel::new(
            "stat",
            "Firing alerts",
            "short",
            vec![query(firing, "firing")],
        ),
        6,
        8,
    );
    let table = Panel::new(
        "table",
        "Firing now",
        "",
        vec![query(
            format!("ALERTS{{alertstate=\"firing\",{SEL}}}"),
            "{{alertname}}",
        )],
    );
    grid.place(&table, 18, 8);
    let timeline = Panel::new(
        "state-timeline",
        "Alert states",
        "",
        vec![query(
            format!("max by (alertname, alertstate) (ALERTS{{{SEL}}})"),
            "{{alertname}} {{alertstate}}",
        )],
    )
    .describe("When each alert was pending or firing.");
    grid.place(&timeline, 24, 8);

    grid.row("Notifications");
    let attempts = format!(
        "sum by (receiver, integration, result) (rate(watchpost_notifications_total{{{SEL}}}[$__rate_interval]))"
    );
    let attempts = Panel::new(
        "timeseries",
        "Notification attempts",
        "ops",
        vec![query(attempts, "{{receiver}}/{{integration}} {{result}}")],
    );
    grid.place(&attempts, 12, 8);
    let outbox = vec![
        query(
            format!("watchpost_outbox_pending{{{SEL}}}"),
            "pending in outbox",
        ),
        query(
            format!("sum(increase(watchpost_notifications_dead_total{{{SEL}}}[1h])) or vector(0)"),
            "dead letters (1h)",
        ),
    ];
    grid.place(&Panel::new("timeseries", "Outbox", "short", outbox), 12, 8);
    let latency = format!(
        "histogram_quantile(0.95, sum by (receiver, le) \
         (rate(watchpost_notification_latency_seconds_bucket{{{SEL}}}[$__rate_interval])))"
    );
    let latency = Panel::new(
        "timeseries",
        "Notification latency p95",
        "s",
        vec![query(latency, "{{receiver}}")],
    )
    .describe("From enqueue to accepted delivery.");
    grid.place(&latency, 24, 8);

    grid.row("Rule values and thresholds");
    for rule in rules {
        let panel = Panel::new(
            "timeseries",
            &rule.rule,
            "",
            vec![query(rule.value_promql.clone(), "")],
        )
        .describe(&format!(
            "The value rule {} compares; its thresholds are drawn.",
            rule.rule
        ))
        .thresholds(rule.steps.clone());
        grid.place(&panel, 8, 7);
    }

    dashboard(
        UID,
        "watchpost / Alerts",
        "Alerts, their state over time, the notification pipeline and the rules' thresholds.",
        job_and_instance("watchpost_build_info"),
        grid.into_panels(),
    )
}
