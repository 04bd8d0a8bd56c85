//! Grafana dashboards generated from watchpost's config and loaded rules (`watchpost gen
//! dashboards`, `GET /api/v1/metrics/grafana`): Host, Application, Business (one panel per
//! `push.metrics` entry), Alerts (with every rule's thresholds drawn) and Logs, in Grafana's
//! classic JSON model (schemaVersion 41), datasources referenced by the provisioning's fixed
//! uids (`prometheus`, `loki`). One file per dashboard; [`panel`] holds the shared builders.

pub mod alerts;
pub mod application;
pub mod business;
pub mod host;
pub mod logs;
pub mod panel;
pub mod shell;
pub mod thresholds;

use crate::collect::push::config::PushConfig;
use crate::rules::RuleGroup;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One generated dashboard.
#[derive(Clone, Debug, PartialEq)]
pub struct Dashboard {
    /// The short name (`host`), also the file stem and `?dashboard=` value.
    pub name: &'static str,
    /// The dashboard JSON.
    pub json: Value,
}

impl Dashboard {
    /// The file name in the output folder (`watchpost-host.json`).
    pub fn file_name(&self) -> String {
        format!("watchpost-{}.json", self.name)
    }

    /// The JSON text as written to disk: pretty, with a final newline.
    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.json).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Every Prometheus query of the dashboard's panels (template variables left in).
    pub fn prometheus_queries(&self) -> Vec<String> {
        self.queries_of(panel::PROMETHEUS_UID)
    }

    /// Every query of the panels reading the datasource `uid`.
    pub fn queries_of(&self, uid: &str) -> Vec<String> {
        let panels = self.json["panels"].as_array().cloned().unwrap_or_default();
        panels
            .iter()
            .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
            .filter(|t| t["datasource"]["uid"] == uid)
            .filter_map(|t| t["expr"].as_str().map(str::to_owned))
            .collect()
    }
}

/// Every dashboard for the `push` config (catalogue, health ratios) and the loaded rule `groups`.
pub fn generate(push: &PushConfig, groups: &[RuleGroup]) -> Vec<Dashboard> {
    let rules = thresholds::rule_thresholds(groups);
    vec![
        Dashboard {
            name: "host",
            json: host::build(&rules),
        },
        Dashboard {
            name: "application",
            json: application::build(&rules, &push.health),
        },
        Dashboard {
            name: "business",
            json: business::build(&push.metrics, &rules),
        },
        Dashboard {
            name: "alerts",
            json: alerts::build(&rules),
        },
        Dashboard {
            name: "logs",
            json: logs::build(),
        },
    ]
}

/// Writes every dashboard into `dir` (created if missing); returns the paths written.
pub fn write_all(dir: &Path, dashboards: &[Dashboard]) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for dashboard in dashboards {
        let path = dir.join(dashboard.file_name());
        std::fs::write(&path, dashboard.render())?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests;
