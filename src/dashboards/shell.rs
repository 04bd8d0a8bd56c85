//! The parts every generated dashboard shares: the top-level JSON model (schemaVersion, uid,
//! time range, refresh, built-in annotations) and the template variables.

use super::panel::Source;
use serde_json::{Value, json};

/// The classic JSON model's schema version the dashboards are written in (Grafana 11.x/12.x).
pub const SCHEMA_VERSION: u64 = 41;

/// A Prometheus query variable (`label_values(...)`) with an "All" option matching `.*`.
pub fn prometheus_variable(name: &str, label: &str, query: &str) -> Value {
    json!({
        "type": "query",
        "name": name,
        "label": label,
        "datasource": Source::Prometheus.reference(),
        "query": query,
        "definition": query,
        "refresh": 2,
        "sort": 1,
        "hide": 0,
        "multi": true,
        "includeAll": true,
        "allValue": ".*",
        "current": {"text": "All", "value": "$__all", "selected": true},
        "options": [],
        "regex": "",
    })
}

/// The `job` and `instance` variables, read from `metric` (which every target of the dashboard
/// exports once).
pub fn job_and_instance(metric: &str) -> Vec<Value> {
    vec![
        prometheus_variable("job", "Job", &format!("label_values({metric}, job)")),
        prometheus_variable(
            "instance",
            "Instance",
            &format!("label_values({metric}{{job=~\"$job\"}}, instance)"),
        ),
    ]
}

/// A Loki label variable (`label_values(label)`), "All" matching `.+`.
pub fn loki_variable(name: &str, label: &str) -> Value {
    json!({
        "type": "query",
        "name": name,
        "label": label,
        "datasource": Source::Loki.reference(),
        "query": format!("label_values({name})"),
        "definition": format!("label_values({name})"),
        "refresh": 2,
        "sort": 1,
        "hide": 0,
        "multi": true,
        "includeAll": true,
        "allValue": ".+",
        "current": {"text": "All", "value": "$__all", "selected": true},
        "options": [],
        "regex": "",
    })
}

/// The whole dashboard: `uid` stable across runs, `panels` from a [`super::panel::Grid`].
pub fn dashboard(
    uid: &str,
    title: &str,
    description: &str,
    variables: Vec<Value>,
    panels: Vec<Value>,
) -> Value {
    json!({
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["watchpost", "generated"],
        "timezone": "browser",
        "editable": false,
        "graphTooltip": 1,
        "time": {"from": "now-1h", "to": "now"},
        "timepicker": {"refresh_intervals": ["15s", "30s", "1m", "5m", "15m"]},
        "refresh": "30s",
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "links": [{
            "title": "watchpost",
            "type": "dashboards",
            "tags": ["watchpost"],
            "asDropdown": true,
            "includeVars": true,
            "keepTime": true,
            "icon": "external link",
            "tooltip": "",
            "url": "",
            "targetBlank": false,
        }],
        "annotations": {"list": [{
            "builtIn": 1,
            "name": "Annotations & Alerts",
            "type": "dashboard",
            "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": true,
            "hide": true,
            "iconColor": "rgba(0, 211, 255, 1)",
        }]},
        "templating": {"list": variables},
        "panels": panels,
    })
}
