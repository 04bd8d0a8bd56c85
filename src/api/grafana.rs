//! `GET /api/v1/metrics/grafana` (seed 001): the generated Grafana dashboards for the running
//! config and rules. Without a parameter, every dashboard; `?dashboard=host` gives one in the
//! shape Grafana's `POST /api/dashboards/db` takes (`{"dashboard": ..., "overwrite": true}`).

use super::AppState;
use super::error::ApiError;
use crate::dashboards::{Dashboard, generate};
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::PoisonError;

/// The read routes of this file.
pub fn read_routes() -> Router<AppState> {
    Router::new().route("/api/v1/metrics/grafana", get(dashboards))
}

/// `?dashboard=NAME`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    dashboard: Option<String>,
}

fn current(state: &AppState) -> Vec<Dashboard> {
    let groups: Vec<_> = {
        let engine = state.rules.lock().unwrap_or_else(PoisonError::into_inner);
        engine
            .groups()
            .iter()
            .map(|g| g.group.as_ref().clone())
            .collect()
    };
    let push = state.push.read(|store| store.config().clone());
    generate(&push, &groups)
}

async fn dashboards(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<Json<Value>, ApiError> {
    let dashboards = current(&state);
    match params.dashboard {
        None => {
            let list: Vec<Value> = dashboards
                .into_iter()
                .map(|d| {
                    json!({"name": d.name, "uid": d.json["uid"], "title": d.json["title"], "dashboard": d.json})
                })
                .collect();
            Ok(Json(json!({"dashboards": list})))
        }
        Some(name) => {
            let names: Vec<&str> = dashboards.iter().map(|d| d.name).collect();
            let found = dashboards.iter().find(|d| d.name == name).ok_or_else(|| {
                ApiError::not_found(format!(
                    "no dashboard {name:?}; known: {}",
                    names.join(", ")
                ))
            })?;
            Ok(Json(json!({"dashboard": found.json, "overwrite": true})))
        }
    }
}
