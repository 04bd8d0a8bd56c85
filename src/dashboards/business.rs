//! The Business dashboard: one panel per metric of the `push.metrics` catalogue (gauges as they
//! are, counters as a rate, histograms as p50/p95/p99), in its unit, with its help text, and the
//! thresholds of the rules watching it. Adding a metric to the catalogue adds its panel.

use super::panel::{Grid, Panel, query};
use super::shell::{dashboard, job_and_instance};
use super::thresholds::{RuleThresholds, steps_for};
use crate::collect::push::config::{CatalogueEntry, CatalogueType};
use serde_json::Value;

/// The stable uid of the Business dashboard.
pub const UID: &str = "watchpost-business";

const SEL: &str = "job=~\"$job\",instance=~\"$instance\"";

/// The Grafana unit of a catalogue unit (Grafana's own unit ids pass through).
pub fn grafana_unit(unit: Option<&str>) -> String {
    match unit.unwrap_or("") {
        "" => "short",
        "seconds" | "second" | "s" => "s",
        "milliseconds" | "ms" => "ms",
        "bytes" | "byte" => "bytes",
        "percent" | "%" => "percent",
        "ratio" => "percentunit",
        "USD" | "usd" | "dollars" => "currencyUSD",
        "EUR" | "eur" | "euros" => "currencyEUR",
        "GBP" | "gbp" => "currencyGBP",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// The exported name of a catalogue entry (dots become underscores).
pub fn exported(entry: &CatalogueEntry) -> String {
    entry.name.replace('.', "_")
}

/// The panel of one catalogue entry.
pub fn metric_panel(entry: &CatalogueEntry, rules: &[RuleThresholds]) -> Panel {
    let name = exported(entry);
    let unit = grafana_unit(entry.unit.as_deref());
    let (kind, unit, queries) = match entry.kind {
        CatalogueType::Gauge => ("timeseries", unit, vec![query(format!("{name}{{{SEL}}}"), "")]),
        CatalogueType::Counter => (
            "timeseries",
            if unit == "short" { "cps".to_owned() } else { unit },
            vec![query(format!("rate({name}{{{SEL}}}[$__rate_interval])"), "")],
        ),
        CatalogueType::Histogram => (
            "timeseries",
            unit,
            [0.5_f64, 0.95, 0.99]
                .iter()
                .map(|q| {
                    query(
                        format!(
                            "histogram_quantile({q}, sum by (le) (rate({name}_bucket{{{SEL}}}[$__rate_interval])))"
                        ),
                        format!("p{}", (q * 100.0).round()),
                    )
                })
                .collect(),
        ),
    };
    let title = match entry.kind {
        CatalogueType::Counter => format!("{name} (per second)"),
        _ => name.clone(),
    };
    Panel::new(kind, &title, &unit, queries)
        .describe(&entry.help)
        .thresholds(steps_for(rules, &[name.as_str()]))
}

/// Builds the Business dashboard.
pub fn build(catalogue: &[CatalogueEntry], rules: &[RuleThresholds]) -> Value {
    let mut grid = Grid::default();
    grid.row("Business metrics (push.metrics)");
    for entry in catalogue {
        grid.place(&metric_panel(entry, rules), 12, 8);
    }
    dashboard(
        UID,
        "watchpost / Business",
        "One panel per metric of the push.metrics catalogue in watchpost.yml.",
        job_and_instance("watchpost_build_info"),
        grid.into_panels(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, kind: CatalogueType, unit: Option<&str>) -> CatalogueEntry {
        CatalogueEntry {
            name: name.to_owned(),
            kind,
            unit: unit.map(str::to_owned),
            help: "help".to_owned(),
            buckets: None,
        }
    }

    #[test]
    fn one_panel_per_catalogue_metric() {
        let catalogue = [
            entry("business.cost", CatalogueType::Gauge, Some("USD")),
            entry("orders_total", CatalogueType::Counter, None),
            entry(
                "checkout_seconds",
                CatalogueType::Histogram,
                Some("seconds"),
            ),
        ];
        let json = build(&catalogue, &[]);
        let panels = json["panels"].as_array().unwrap();
        assert_eq!(panels.len(), 4, "a row and three panels");
        assert_eq!(panels[1]["fieldConfig"]["defaults"]["unit"], "currencyUSD");
        assert!(
            panels[1]["targets"][0]["expr"]
                .as_str()
                .unwrap()
                .starts_with("business_cost{")
        );
        assert!(
            panels[2]["targets"][0]["expr"]
                .as_str()
                .unwrap()
                .starts_with("rate(orders_total")
        );
        assert_eq!(panels[3]["targets"].as_array().unwrap().len(), 3);
    }
}
