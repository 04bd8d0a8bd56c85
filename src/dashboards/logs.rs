//! The Logs dashboard: Loki panels of watchpost's own JSON log lines and of application logs,
//! with the labels the stack gives them — Alloy's `service` (compose service), `container`,
//! `stream` and, on watchpost's lines, `level` (lower case); watchpost's Loki forwarding labels
//! pushed application logs with `service` and `level` too. One Prometheus panel shows
//! `log_entries_total{service,level}` (logs pushed to `POST /api/v1/logs`).

use super::panel::{Grid, Panel, query};
use super::shell::{job_and_instance, loki_variable};
use serde_json::Value;

/// The stable uid of the Logs dashboard.
pub const UID: &str = "watchpost-logs";

/// Builds the Logs dashboard.
pub fn build() -> Value {
    let mut grid = Grid::default();
    grid.row("watchpost");
    let volume = Panel::new(
        "timeseries",
        "watchpost log lines by level",
        "short",
        vec![query(
            "sum by (level) (count_over_time({service=\"watchpost\"} [$__auto]))",
            "{{level}}",
        )],
    )
    .loki();
    grid.place(&volume, 24, 6);
    let own = Panel::new(
        "logs",
        "watchpost logs",
        "",
        vec![query(
            "{service=\"watchpost\", level=~\"$level\"} | json",
            "",
        )],
    )
    .describe("watchpost's own JSON log lines (container stderr, shipped by Alloy).")
    .loki();
    grid.place(&own, 24, 10);

    grid.row("Applications");
    let pushed = Panel::new(
        "timeseries",
        "Log entries pushed per second",
        "short",
        vec![query(
            "sum by (service, level) (rate(log_entries_total{job=~\"$job\",instance=~\"$instance\"}[$__rate_interval]))",
            "{{service}} {{level}}",
        )],
    )
    .describe("Entries applications pushed to POST /api/v1/logs (counted by watchpost).");
    grid.place(&pushed, 12, 8);
    let errors = Panel::new(
        "timeseries",
        "Error lines per service",
        "short",
        vec![query(
            "sum by (service) (count_over_time({service=~\"$service\", level=~\"error|critical|fatal\"} [$__auto]))",
            "{{service}}",
        )],
    )
    .loki();
    grid.place(&errors, 12, 8);
    let apps = Panel::new(
        "logs",
        "Application logs",
        "",
        vec![query("{service=~\"$service\", service!=\"watchpost\"}", "")],
    )
    .describe("Other containers' logs (Alloy) and application logs watchpost forwards to Loki.")
    .loki();
    grid.place(&apps, 24, 12);

    let mut level = loki_variable("level", "Level");
    level["allValue"] = Value::String(".*".to_owned());
    let mut variables = job_and_instance("log_entries_total");
    variables.extend([loki_variable("service", "Service"), level]);
    super::shell::dashboard(
        UID,
        "watchpost / Logs",
        "watchpost's own logs and application logs in Loki.",
        variables,
        grid.into_panels(),
    )
}
