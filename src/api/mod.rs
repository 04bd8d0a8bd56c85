//! The HTTP surface: `/metrics`, `/-/healthy`, `/-/ready` and the landing page.
//!
//! `router(state)` builds the whole axum router so tests can drive it with `oneshot`. Handlers
//! only read shared state (registry, self-metrics, readiness); nothing here waits on a collector.

mod access;
mod application_metrics;
pub mod auth;
pub mod context;
pub mod error;
mod grafana;
mod health;
mod health_detailed;
mod json_api;
mod landing;
mod logs;
mod metrics;
mod notifications;
mod notify_admin;
#[cfg(test)]
mod openapi_tests;
mod performance;
mod push;
mod rules;
pub(crate) mod series;
mod status;
mod system_metrics;
pub mod ws;

use crate::app::{LogsHandle, NotifyHandle, PushHandle, ReloadHandle, RuntimeRules};
use crate::metrics::Registry;
use crate::metrics::self_metrics::SelfMetrics;
use crate::rules::RuleEngine;
use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post, put};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tower_http::compression::CompressionLayer;

/// What the handlers share.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Latest snapshots of every collector.
    pub registry: Registry,
    /// watchpost's own metrics.
    pub self_metrics: SelfMetrics,
    /// Turns true once every collector has run once.
    pub ready: watch::Receiver<bool>,
    /// Asks the app to reload its configuration.
    pub reload: ReloadHandle,
    /// The rule engine (read-only views).
    pub rules: Arc<Mutex<RuleEngine>>,
    /// The evaluation interval of groups that set none (shown in `/api/v1/rules`).
    pub rules_interval: Duration,
    /// Push ingestion.
    pub push: PushHandle,
    /// The notification pipeline (history, silences, acknowledgements).
    pub notify: NotifyHandle,
    /// Rules added at runtime (`/api/v1/alerts/configure`).
    pub runtime_rules: RuntimeRules,
    /// Stored pushed logs, request stats and metric history.
    pub logs: LogsHandle,
    /// The JSON API's and WebSocket stream's context (store, config, alert events, probes).
    pub api: context::ApiContext,
    /// Authentication, scopes and rate limits (`auth::guard` runs in front of every route).
    pub guard: Arc<auth::Guard>,
    /// Every probe's last status (for `/api/v1/health/detailed`).
    pub probes: crate::collect::probe::ProbeHandle,
}

/// The router with every endpoint; responses are gzip-compressed when the client asks.
pub fn router(state: AppState) -> Router {
    // One byte over the limit, so the handler sees an oversized body and names the limit.
    let body_limit = state
        .push
        .read(|store| store.config().limits.max_body_bytes)
        .saturating_add(1);
    let writes = Router::new()
        .route("/-/reload", post(reload).put(reload))
        .route("/api/v1/metrics", post(push::post_metrics))
        .route("/api/v1/requests", post(push::post_requests))
        .route("/api/v1/logs", post(push::post_logs))
        .route(
            "/api/v1/silences",
            post(notifications::add_silence).delete(notifications::delete_silence),
        )
        .route(
            "/api/v1/silences/{id}",
            axum::routing::delete(notifications::delete_silence),
        )
        .route(
            "/api/v1/alerts/{id}/acknowledge",
            post(notifications::acknowledge),
        )
        .route(
            "/metrics/job/{*grouping}",
            put(push::gateway).post(push::gateway).delete(push::gateway),
        )
        .layer(DefaultBodyLimit::max(body_limit));
    Router::new()
        .route("/", get(landing::page))
        .route("/metrics", get(metrics::scrape))
        .route("/-/healthy", get(health))
        .route("/-/ready", get(ready))
        .route("/api/v1/health", get(health::health))
        .route("/api/v1/rules", get(rules::rules))
        .route("/api/v1/alerts", get(rules::alerts))
        .route("/api/v1/notifications", get(notifications::history))
        .route("/api/v1/silences", get(notifications::silences))
        .merge(logs::read_routes())
        .merge(performance::read_routes())
        .merge(grafana::read_routes())
        .merge(writes)
        .merge(notify_admin::write_routes())
        .merge(json_api::read_routes())
        .merge(json_api::admin_routes())
        .layer(CompressionLayer::new().gzip(true))
        .layer(middleware::from_fn_with_state(
            state.guard.clone(),
            auth::guard,
        ))
        .with_state(state)
}

async fn health() -> &'static str {
    "watchpost is Healthy.\n"
}

async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if *state.ready.borrow() {
        (StatusCode::OK, "watchpost is Ready.\n")
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "watchpost is not ready: the first collection is still running.\n",
        )
    }
}

/// `POST /-/reload`: 200 when the new config runs, 400 with every error when it was rejected.
async fn reload(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    match state.reload.reload().await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({"status": "success"})),
        ),
        Err(errors) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"status": "error", "errors": errors})),
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt;

    pub(super) fn state(ready: bool) -> (AppState, watch::Sender<bool>) {
        state_with(ready, Default::default(), Default::default())
    }

    /// A state on an empty store, with the given auth and rate-limit sections.
    pub(crate) fn state_with(
        ready: bool,
        auth_config: auth::AuthConfig,
        rate_limits: auth::RateLimitConfig,
    ) -> (AppState, watch::Sender<bool>) {
        let (tx, rx) = watch::channel(ready);
        let history = Arc::new(crate::metrics::History::new(Duration::from_secs(60)));
        let registry = Registry::with_history(history);
        let self_metrics = SelfMetrics::new("0.0.0", "test").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("watchpost.db")).unwrap();
        let rules = crate::app::RulesRuntime::start(
            Vec::new(),
            Duration::from_secs(15),
            store,
            registry.clone(),
            self_metrics.clone(),
            (rx.clone(), watch::channel(false).1),
        )
        .unwrap();
        let push = PushHandle::new(
            crate::collect::push::PushStore::new(Default::default()),
            registry.clone(),
            rules.evaluator(),
            self_metrics.push_rejected.clone(),
        );
        let notify = crate::app::NotifyRuntime::start(
            &Default::default(),
            "http://localhost:39101",
            rules.store(),
            self_metrics.clone(),
            &|_, _| Vec::new(),
            watch::channel(false).1,
        )
        .unwrap();
        let notify_handle = notify.handle();
        std::mem::forget(notify);
        let (runtime_rules, applies) = RuntimeRules::new(rules.store(), rules.engine());
        std::mem::forget(applies);
        let api = context::ApiContext::new(
            Arc::new(crate::config::Config::default()),
            rules.store(),
            rules.alert_events(),
            &self_metrics,
        )
        .unwrap();
        let mut batch = crate::metrics::Batch::new();
        batch.gauge("node_load1", "1m load average.", &[], 0.5);
        registry.publish(
            "loadavg",
            batch.into_families(),
            std::time::SystemTime::now(),
        );
        let self_metrics_for_logs = self_metrics.clone();
        let rate_limited = auth::Guard::rate_limited_counter(self_metrics.registry()).unwrap();
        let guard = Arc::new(auth::Guard::new(
            &auth_config,
            &rate_limits,
            auth::BasicUsers::default(),
            Vec::new(),
            rate_limited,
        ));
        let state = AppState {
            registry,
            self_metrics,
            ready: rx,
            reload: ReloadHandle::channel().0,
            rules: rules.engine(),
            rules_interval: Duration::from_secs(15),
            push,
            notify: notify_handle,
            runtime_rules,
            logs: test_logs(&self_metrics_for_logs),
            api,
            guard,
            probes: crate::collect::probe::ProbeHandle::default(),
        };
        (state, tx)
    }

    /// A log handle on a database in a directory that outlives the test.
    pub(super) fn test_logs(self_metrics: &SelfMetrics) -> LogsHandle {
        let dir = tempfile::tempdir().unwrap().keep();
        let storage = crate::config::StorageConfig {
            path: dir.join("logs.db"),
            ..Default::default()
        };
        LogsHandle::open(&storage, None, self_metrics).unwrap()
    }

    async fn get(state: AppState, uri: &str, gzip: bool) -> axum::response::Response {
        let mut request = Request::builder().uri(uri);
        if gzip {
            request = request.header(header::ACCEPT_ENCODING, "gzip");
        }
        router(state)
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn metrics_has_the_text_content_type_and_series() {
        let (state, _tx) = state(true);
        let response = get(state, "/metrics", false).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(text.contains("node_load1 0.5\n"), "{text}");
        assert!(text.contains("watchpost_build_info{revision=\"test\",version=\"0.0.0\"} 1"));
    }

    #[tokio::test]
    async fn metrics_are_gzipped_when_asked() {
        let (state, _tx) = state(true);
        let response = get(state, "/metrics", true).await;
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    }

    #[tokio::test]
    async fn ready_turns_200_after_the_first_collection() {
        let (state, tx) = state(false);
        assert_eq!(
            get(state.clone(), "/-/ready", false).await.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        tx.send_replace(true);
        assert_eq!(
            get(state.clone(), "/-/ready", false).await.status(),
            StatusCode::OK
        );
        assert_eq!(
            get(state, "/-/healthy", false).await.status(),
            StatusCode::OK
        );
    }
}
