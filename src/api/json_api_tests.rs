//! Oneshot router tests of the JSON views, the admin endpoint and the WebSocket route.

use crate::api::tests::state;
use crate::api::{AppState, router};
use crate::collect::push::PushSource;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::SystemTime;
use tower::ServiceExt;

async fn call(state: &AppState, request: Request<Body>) -> (StatusCode, String) {
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn get_json(state: &AppState, uri: &str) -> (StatusCode, Value) {
    let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
    let (status, body) = call(state, request).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Tracks `requests` (service, status, duration ms) and publishes the push store at once.
async fn track(state: &AppState, requests: &[(&str, u16, f64)]) {
    let items: Vec<Value> = requests
        .iter()
        .map(|(service, status, ms)| {
            serde_json::json!({"service": service, "endpoint": "/api/items", "method": "GET",
                "status": status, "duration_ms": ms})
        })
        .collect();
    let body = serde_json::json!({ "requests": items }).to_string();
    let request = Request::post("/api/v1/requests")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let (status, text) = call(state, request).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    state
        .push
        .read(|store| store.publish(&state.registry, &PushSource::ALL, SystemTime::now()));
}

#[tokio::test]
async fn health_detailed_reports_every_component() {
    let (state, _tx) = state(true);
    let (status, body) = get_json(&state, "/api/v1/health/detailed").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "healthy", "{body}");
    let components = &body["components"];
    assert_eq!(components["store"]["status"], "healthy");
    assert!(components["store"]["latency_ms"].as_f64().is_some());
    assert_eq!(components["notifier_outbox"]["pending"], 0);
    assert_eq!(components["notifier_outbox"]["dead"], 0);
    assert_eq!(components["rule_engine"]["groups"], 0);
    assert_eq!(components["probes"]["configured"], false);
    assert!(components["collectors"]["collectors"].is_array());
}

#[tokio::test]
async fn health_detailed_is_degraded_by_a_failing_collector() {
    let (state, _tx) = state(true);
    state
        .self_metrics
        .record_collector_run("loadavg", "success", 0.01);
    state
        .self_metrics
        .record_collector_run("nfs", "timeout", 4.0);
    let (_, body) = get_json(&state, "/api/v1/health/detailed").await;
    assert_eq!(body["status"], "degraded", "{body}");
    let collectors = &body["components"]["collectors"];
    assert_eq!(collectors["failing"], 1);
    let loadavg = &collectors["collectors"][0];
    assert_eq!(loadavg["name"], "loadavg");
    assert_eq!(loadavg["success"], true);
    assert!(loadavg["last_success"].is_string(), "{loadavg}");
}

#[tokio::test]
async fn system_metrics_read_the_host_snapshots() {
    let (state, _tx) = state(true);
    let (status, body) = get_json(&state, "/api/v1/metrics/system").await;
    assert_eq!(status, StatusCode::OK);
    let system = &body["system"];
    assert_eq!(system["cpu"]["load_average"][0], 0.5);
    assert_eq!(system["load"]["load1"], 0.5);
    assert!(
        system["memory"]["total_gb"].is_null(),
        "no meminfo published: {system}"
    );
    assert!(system["disk"]["filesystems"].is_array());
    assert!(body["timestamp"].is_string());
}

#[tokio::test]
async fn application_metrics_per_service() {
    let (state, _tx) = state(true);
    let mut requests = vec![("auth", 200, 100.0); 9];
    requests.push(("auth", 503, 900.0));
    track(&state, &requests).await;
    let (status, body) = get_json(&state, "/api/v1/metrics/application").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let auth = &body["application"]["services"]["auth"];
    assert_eq!(auth["requests"]["total"], 10.0, "{body}");
    assert_eq!(auth["requests"]["errors"], 1.0);
    assert_eq!(
        auth["status"], "warning",
        "10% is warning, above 10% critical"
    );
    assert_eq!(auth["error_rate"], 0.1);
    let p50 = auth["latency_ms"]["p50"].as_f64().unwrap();
    assert!(p50 > 0.0 && p50 <= 250.0, "{p50}");
    let average = auth["latency_ms"]["average"].as_f64().unwrap();
    assert!((average - 180.0).abs() < 1e-6, "{average}");
}

#[tokio::test]
async fn metrics_health_has_the_seed_shape() {
    let (state, _tx) = state(true);
    let mut requests = vec![("docker", 200, 10.0); 92];
    requests.extend(vec![("docker", 500, 10.0); 8]);
    requests.extend(vec![("auth", 200, 10.0); 50]);
    track(&state, &requests).await;
    let (status, body) = get_json(&state, "/api/v1/metrics/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "warning", "{body}");
    let docker = &body["services"]["docker"];
    assert_eq!(docker["status"], "warning");
    assert_eq!(docker["error_rate"], 0.08);
    assert_eq!(docker["error_count"], 8);
    assert_eq!(docker["total_count"], 100);
    assert_eq!(body["services"]["auth"]["status"], "healthy");
    assert_eq!(body["alerts"][0]["service"], "docker");
    assert_eq!(
        body["alerts"][0]["message"],
        "Error rate above 5% threshold"
    );
}

#[tokio::test]
async fn one_service_and_an_unknown_one() {
    let (state, _tx) = state(true);
    track(&state, &[("auth", 200, 20.0)]).await;
    let (status, body) = get_json(&state, "/api/v1/metrics/auth").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["service"], "auth");
    assert_eq!(body["requests"]["total"], 1.0);
    let (status, body) = get_json(&state, "/api/v1/metrics/nosuch").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["field"], "service");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("\"nosuch\""),
        "{body}"
    );
}

#[tokio::test]
async fn status_reports_version_reload_and_counts() {
    let (state, _tx) = state(true);
    let (status, body) = get_json(&state, "/api/v1/status").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["version"], crate::VERSION);
    assert_eq!(body["config_reload"]["successful"], true);
    assert!(body["config_reload"]["last_reload_at"].is_null());
    assert_eq!(body["counts"]["rule_groups"], 0);
    assert!(body["counts"]["series"].as_u64().unwrap() >= 1);
    state
        .api
        .record_reload(Err(&["watchpost.yml:3:1: bad".to_owned()]));
    let (_, body) = get_json(&state, "/api/v1/status").await;
    assert_eq!(body["config_reload"]["successful"], false);
    assert_eq!(body["config_reload"]["errors"][0], "watchpost.yml:3:1: bad");
}

#[tokio::test]
async fn metrics_prometheus_is_the_scrape_body() {
    let (state, _tx) = state(true);
    let request = Request::builder()
        .uri("/api/v1/metrics/prometheus")
        .body(Body::empty())
        .unwrap();
    let response = router(state).oneshot(request).await.unwrap();
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        crate::metrics::CONTENT_TYPE_TEXT
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("node_load1 0.5\n"));
}

#[tokio::test]
async fn debug_info_is_admin_only_and_redacted() {
    let (state, _tx) = state(true);
    let (status, body) = get_json(&state, "/api/v1/debug/info").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["debug"]["build"]["version"], crate::VERSION);
    assert!(body["debug"]["config"]["server"]["listen_address"].is_string());
    assert!(body["debug"]["runtime"]["pid"].as_u64().is_some());
    let mut request = Request::builder()
        .uri("/api/v1/debug/info")
        .body(Body::empty())
        .unwrap();
    let remote: SocketAddr = "192.0.2.7:4000".parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(remote));
    let (status, body) = call(&state, request).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

#[tokio::test]
async fn websocket_route_refuses_a_plain_get() {
    let (state, _tx) = state(true);
    let request = Request::builder()
        .uri("/api/v1/ws")
        .body(Body::empty())
        .unwrap();
    let (status, _) = call(&state, request).await;
    assert!(status.is_client_error(), "{status}");
    assert_ne!(status, StatusCode::NOT_FOUND);
}
