//! The Application dashboard: probes (blackbox names `probe_success`, `probe_duration_seconds`
//! labelled `probe` and `target`), tracked requests (`http_requests_total`,
//! `http_request_duration_seconds` from `POST /api/v1/requests`): rate, p50/p95/p99 latency,
//! error rate per service with the `push.health` warning/critical ratios drawn, and the service
//! health table (`watchpost_service_health`, `watchpost_service_error_ratio`).

use super::panel::{Grid, Panel, Step, query};
use super::shell::{dashboard, job_and_instance};
use super::thresholds::{RuleThresholds, steps_for};
use crate::collect::push::config::HealthConfig;
use serde_json::Value;

/// The stable uid of the Application dashboard.
pub const UID: &str = "watchpost-application";

const SEL: &str = "job=~\"$job\",instance=~\"$instance\"";

/// Builds the Application dashboard.
pub fn build(rules: &[RuleThresholds], health: &HealthConfig) -> Value {
    let mut grid = Grid::default();
    grid.row("Probes");
    let up = Panel::new(
        "stat",
        "Probe up",
        "none",
        vec![query(
            format!("probe_success{{{SEL}}}"),
            "{{probe}} {{target}}",
        )],
    )
    .describe("1 when the probe's last check succeeded (after its retries), 0 when down.")
    .thresholds(vec![Step {
        value: 1.0,
        color: "red".to_owned(),
        below: true,
    }]);
    grid.place(&up, 8, 8);
    let latency = Panel::new(
        "timeseries",
        "Probe latency",
        "s",
        vec![query(
            format!("probe_duration_seconds{{{SEL}}}"),
            "{{probe}} {{target}}",
        )],
    )
    .thresholds(steps_for(rules, &["probe_duration_seconds"]));
    grid.place(&latency, 16, 8);

    grid.row("Requests");
    let window = "[$__rate_interval]";
    let rate = format!("sum by (service) (rate(http_requests_total{{{SEL}}}{window}))");
    grid.place(
        &Panel::new(
            "timeseries",
            "Request rate",
            "reqps",
            vec![query(rate, "{{service}}")],
        ),
        12,
        8,
    );
    let quantiles = [0.5_f64, 0.95, 0.99]
        .iter()
        .map(|q| {
            query(
                format!(
                    "histogram_quantile({q}, sum by (service, le) \
                     (rate(http_request_duration_seconds_bucket{{{SEL}}}{window})))"
                ),
                format!("{{{{service}}}} p{}", (q * 100.0).round()),
            )
        })
        .collect();
    grid.place(
        &Panel::new("timeseries", "Latency p50 / p95 / p99", "s", quantiles),
        12,
        8,
    );
    let errors = format!(
        "sum by (service) (rate(http_requests_total{{status=~\"5..\",{SEL}}}{window})) \
         / sum by (service) (rate(http_requests_total{{{SEL}}}{window}))"
    );
    let mut lines = vec![
        Step {
            value: health.warning_ratio,
            color: "orange".to_owned(),
            below: false,
        },
        Step {
            value: health.critical_ratio,
            color: "red".to_owned(),
            below: false,
        },
    ];
    for step in steps_for(rules, &["http_requests_total"]) {
        if !lines.iter().any(|l| l.value == step.value) {
            lines.push(step);
        }
    }
    let error_rate = Panel::new("timeseries", "Error rate per service", "percentunit", vec![query(errors, "{{service}}")])
        .describe("Share of tracked requests answered 5xx; lines at push.health's warning and critical ratios.")
        .thresholds(lines);
    grid.place(&error_rate, 12, 8);
    let table = Panel::new(
        "table",
        "Service health",
        "",
        vec![
            query(
                format!("watchpost_service_health{{{SEL}}} == 1"),
                "{{service}} {{status}}",
            ),
            query(
                format!("watchpost_service_error_ratio{{{SEL}}}"),
                "{{service}}",
            ),
        ],
    )
    .describe("Current status per service (ok, warning, critical) and its error ratio.");
    grid.place(&table, 12, 8);

    dashboard(
        UID,
        "watchpost / Application",
        "Probes, tracked requests and service health.",
        job_and_instance("watchpost_build_info"),
        grid.into_panels(),
    )
}
