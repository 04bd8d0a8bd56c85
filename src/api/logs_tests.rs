//! Router tests (oneshot) of the logs, error summary and performance endpoints: shapes,
//! filters and 400s naming the field.

use super::*;
use crate::store::Resolution;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

async fn call(state: &AppState, method: &str, uri: &str, body: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    let response = super::super::router(state.clone())
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

const LOGS: &str = r#"{"logs":[
  {"timestamp":"2030-01-15T09:59:55Z","level":"error","service":"database","message":"Connection timeout","metadata":{"timeout_ms":5000,"error_type":"timeout_error"}},
  {"timestamp":"2030-01-15T10:00:00Z","level":"info","service":"web_server","message":"Request processed successfully","metadata":{"request_id":"req_123"}},
  {"level":"error","service":"database","message":"Connection timeout"}
]}"#;

#[tokio::test]
async fn pushed_logs_come_back_newest_first_with_filters() {
    let (state, _tx) = super::super::tests::state(true);
    let (status, _) = call(&state, "POST", "/api/v1/logs", LOGS).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(&state, "GET", "/api/v1/logs?limit=2", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 3);
    assert_eq!(body["query"]["level"], "all");
    assert_eq!(body["query"]["limit"], 2);
    let logs = body["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 2);
    assert_eq!(logs[0]["service"], "web_server");
    assert_eq!(logs[0]["timestamp"], "2030-01-15T10:00:00.000Z");
    assert_eq!(logs[1]["metadata"]["timeout_ms"], 5000);
    let uri = "/api/v1/logs?level=error&service=database&start_time=1894701590&end_time=2030-01-15T10:00:00Z";
    let (_, body) = call(&state, "GET", uri, "").await;
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(body["logs"][0]["message"], "Connection timeout");
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_field() {
    let (state, _tx) = super::super::tests::state(true);
    for (uri, field) in [
        ("/api/v1/logs?level=loud", "level"),
        ("/api/v1/logs?start_time=yesterday", "start_time"),
        ("/api/v1/logs?end_time=-5", "end_time"),
        ("/api/v1/logs?start_time=20&end_time=10", "end_time"),
        ("/api/v1/logs?limit=0", "limit"),
        ("/api/v1/logs?levels=error", "levels"),
        ("/api/v1/errors/summary?period=forever", "period"),
        ("/api/v1/metrics/performance?period=2x", "period"),
        ("/api/v1/metrics/performance?resolution=week", "resolution"),
    ] {
        let (status, body) = call(&state, "GET", uri, "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["error"]["field"], field, "{uri}");
    }
}

#[tokio::test]
async fn error_summary_counts_recent_errors() {
    let (state, _tx) = super::super::tests::state(true);
    call(&state, "POST", "/api/v1/logs", LOGS).await;
    let (status, body) = call(&state, "GET", "/api/v1/errors/summary?period=1h", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let summary = &body["summary"];
    // The entry without a timestamp (arrival time) and the future-dated error count; the
    // summary has no upper bound.
    assert_eq!(summary["total_errors"], 2, "{summary}");
    assert_eq!(summary["total_entries"], 3);
    assert_eq!(summary["errors_by_service"]["database"], 2);
    assert_eq!(summary["errors_by_type"]["timeout_error"], 1);
    assert_eq!(summary["errors_by_type"]["unknown_error"], 1);
    assert_eq!(summary["errors_by_level"]["error"], 2);
    assert_eq!(summary["top_messages"][0]["message"], "Connection timeout");
    assert_eq!(summary["top_messages"][0]["count"], 2);
    assert_eq!(summary["period"], "1h");
}

#[tokio::test]
async fn performance_reports_stored_minutes() {
    let (state, _tx) = super::super::tests::state(true);
    let requests = r#"{"requests":[
      {"service":"web","endpoint":"/a","method":"GET","status":200,"duration_ms":100},
      {"service":"web","endpoint":"/a","method":"GET","status":503,"duration_ms":300}]}"#;
    let (status, _) = call(&state, "POST", "/api/v1/requests", requests).await;
    assert_eq!(status, StatusCode::OK);
    let minute = state.logs.take_minute();
    let now = crate::store::to_millis(SystemTime::now()).div_euclid(1000);
    let start = Resolution::Minute.align(now) - 60;
    state
        .logs
        .read(|store| store.save_minute(start, &minute, &Default::default()))
        .unwrap();
    let uri = "/api/v1/metrics/performance?period=1h&resolution=minute&service=web";
    let (status, body) = call(&state, "GET", uri, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["resolution"], "minute");
    assert_eq!(body["points"].as_array().map(Vec::len), Some(1));
    let summary = &body["performance"];
    assert_eq!(summary["throughput"]["requests"], 2);
    assert_eq!(summary["response_times"]["mean"], 200.0);
    assert_eq!(summary["response_times"]["max"], 300.0);
    assert_eq!(summary["error_rates"]["server_errors"], 0.5);
    let (_, other) = call(
        &state,
        "GET",
        "/api/v1/metrics/performance?period=24h&service=nobody",
        "",
    )
    .await;
    assert_eq!(other["resolution"], "hour");
    assert_eq!(other["points"], serde_json::json!([]));
}
