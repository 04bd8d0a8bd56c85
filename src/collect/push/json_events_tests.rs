use super::*;

fn error_of<T: std::fmt::Debug>(result: Result<T, PushError>) -> String {
    result.err().map(|e| e.to_string()).unwrap_or_default()
}

#[test]
fn requests_are_normalised() {
    let body = br#"{"requests":[{"service":"web","endpoint":"/api/users/123","method":"get",
        "status":200,"duration_ms":245}]}"#;
    let requests = parse_json_requests(body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(requests[0].endpoint, "/api/users/:id");
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].status, 200);
    assert_eq!(requests[0].duration_seconds, 0.245);
    assert_eq!(standard_method("BREW"), "OTHER");
}

#[test]
fn request_errors_name_the_field_and_index() {
    let ok = r#"{"service":"web","endpoint":"/","method":"GET","status":200,"duration_ms":1}"#;
    let bad = r#"{"service":"web","endpoint":"/","method":"GET","status":700,"duration_ms":1}"#;
    let body = format!(r#"{{"requests":[{ok},{ok},{bad}]}}"#);
    assert_eq!(
        error_of(parse_json_requests(body.as_bytes())),
        "requests[2].status: must be 100..=599"
    );
    let body = r#"{"requests":[{"service":" ","endpoint":"/","method":"GET","status":200,"duration_ms":1}]}"#;
    assert_eq!(
        error_of(parse_json_requests(body.as_bytes())),
        "requests[0].service: must not be empty"
    );
    let body = r#"{"requests":[{"service":"a","endpoint":"/","method":"GET","status":200,"duration_ms":-1}]}"#;
    assert!(error_of(parse_json_requests(body.as_bytes())).starts_with("requests[0].duration_ms"));
    let body = r#"{"requests":[{"service":"a","endpoint":"/","status":200,"duration_ms":1}]}"#;
    assert!(error_of(parse_json_requests(body.as_bytes())).contains("missing field `method`"));
}

#[test]
fn seed_log_entries_are_accepted() {
    let body = br#"{"logs":[{"timestamp":"2024-01-15T10:00:00Z","level":"info",
        "service":"web_server","message":"Request processed successfully",
        "metadata":{"request_id":"req_123","duration_ms":150}},
        {"timestamp":1705312795,"level":"ERROR","service":"database",
        "message":"Connection timeout"}]}"#;
    let logs = parse_json_logs(body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(logs[0].level, LogLevel::Info);
    assert_eq!(logs[0].metadata.len(), 2);
    assert_eq!(
        logs[0].timestamp,
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_705_312_800))
    );
    assert_eq!(logs[1].level, LogLevel::Error);
    assert!(logs[1].level.is_error());
    assert!(!LogLevel::Warn.is_error());
    assert_eq!(LogLevel::parse("CRITICAL"), Some(LogLevel::Fatal));
}

#[test]
fn log_errors_name_the_field_and_index() {
    let body = br#"{"logs":[{"level":"loud","service":"a","message":"m"}]}"#;
    assert!(error_of(parse_json_logs(body)).starts_with("logs[0].level: unknown level \"loud\""));
    let body =
        br#"{"logs":[{"timestamp":"yesterday","level":"info","service":"a","message":"m"}]}"#;
    assert!(error_of(parse_json_logs(body)).starts_with("logs[0].timestamp"));
    let body = br#"{"logs":[{"level":"info","service":"a","message":"m","extra":1}]}"#;
    assert!(error_of(parse_json_logs(body)).contains("unknown field `extra`"));
}
