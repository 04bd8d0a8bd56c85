use super::*;

fn parse_ok(text: &str) -> Vec<MetricFamily> {
    parse_text(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn parse_err(text: &str) -> (usize, String) {
    match parse_text(text.as_bytes()) {
        Err(PushError::Text { line, message }) => (line, message),
        other => panic!("expected a text error, got {other:?}"),
    }
}

/// What `prometheus_client.push_to_gateway` sends for a counter, a gauge and a histogram.
const PYTHON_CLIENT_BODY: &str = "\
# HELP job_runs_total Runs of the batch job.
# TYPE job_runs_total counter
job_runs_total{stage=\"load\"} 3.0
# HELP job_runs_created Runs of the batch job.
# TYPE job_runs_created gauge
job_runs_created{stage=\"load\"} 1.7e+09
# HELP job_duration_seconds Duration.
# TYPE job_duration_seconds histogram
job_duration_seconds_bucket{le=\"0.5\"} 1.0
job_duration_seconds_bucket{le=\"+Inf\"} 2.0
job_duration_seconds_count 2.0
job_duration_seconds_sum 3.25
";

#[test]
fn python_client_body_groups_suffixes_under_families() {
    let families = parse_ok(PYTHON_CLIENT_BODY);
    let names: Vec<&str> = families.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["job_runs_total", "job_runs_created", "job_duration_seconds"]
    );
    assert_eq!(families[0].kind, MetricType::Counter);
    assert_eq!(families[0].help, "Runs of the batch job.");
    let histogram = &families[2];
    assert_eq!(histogram.kind, MetricType::Histogram);
    let suffixes: Vec<&str> = histogram.samples.iter().map(|s| s.suffix).collect();
    assert_eq!(suffixes, ["_bucket", "_bucket", "_count", "_sum"]);
    assert_eq!(histogram.samples[1].labels.get("le"), Some("+Inf"));
    assert_eq!(histogram.samples[3].value, 3.25);
}

#[test]
fn summary_quantiles_and_untyped_samples() {
    let families = parse_ok(
        "# TYPE rpc summary\nrpc{quantile=\"0.5\"} 1\nrpc_sum 5\nrpc_count 3\n\
         # a comment\n\nloose 7\n# TYPE other untyped\nother NaN\n",
    );
    assert_eq!(families.len(), 3);
    assert_eq!(families[0].samples.len(), 3);
    assert_eq!(families[1].name, "loose");
    assert_eq!(families[1].kind, MetricType::Untyped);
    assert!(families[2].samples[0].value.is_nan());
}

#[test]
fn help_escapes_and_crlf_line_ends() {
    let families = parse_ok("# HELP x a\\\\b\\nc\r\n# TYPE x gauge\r\nx 1\r\n");
    assert_eq!(families[0].help, "a\\b\nc");
    assert_eq!(families[0].samples[0].value, 1.0);
}

#[test]
fn sum_of_a_gauge_is_its_own_family() {
    let families = parse_ok("# TYPE x gauge\nx 1\nx_sum 2\n");
    assert_eq!(families.len(), 2);
    assert_eq!(families[1].name, "x_sum");
}

#[test]
fn errors_carry_line_numbers_and_name_the_problem() {
    assert_eq!(parse_err("ok 1\n9bad 1\n").0, 2);
    let (line, message) = parse_err("# TYPE x gauge\nx 1\n# TYPE x counter\n");
    assert_eq!(line, 3);
    assert!(message.contains("second TYPE line for x"), "{message}");
    let (line, message) = parse_err("x 1\n# TYPE x gauge\n");
    assert_eq!(line, 2);
    assert!(message.contains("after its samples"), "{message}");
    let (_, message) = parse_err("# TYPE x gaug\n");
    assert!(
        message.contains("unknown metric type \"gaug\""),
        "{message}"
    );
    let (_, message) = parse_err("# HELP x a\n# HELP x b\n");
    assert!(message.contains("second HELP"), "{message}");
    let (line, message) = parse_err("x 1 1700000000\n");
    assert_eq!(line, 1);
    assert!(message.contains("timestamp"), "{message}");
}

#[test]
fn histogram_and_summary_label_rules() {
    let (_, message) = parse_err("# TYPE h histogram\nh_bucket 1\n");
    assert!(message.contains("missing its le label"), "{message}");
    let (_, message) = parse_err("# TYPE h histogram\nh_bucket{le=\"x\"} 1\n");
    assert!(message.contains("non-numeric le"), "{message}");
    let (_, message) = parse_err("# TYPE h histogram\nh 1\n");
    assert!(message.contains("without _bucket"), "{message}");
    let (_, message) = parse_err("# TYPE s summary\ns 1\n");
    assert!(message.contains("missing its quantile label"), "{message}");
}

#[test]
fn duplicate_series_is_refused_with_both_lines() {
    let (line, message) = parse_err("x{a=\"1\"} 1\ny 2\nx{a=\"1\"} 3\n");
    assert_eq!(line, 3);
    assert!(message.contains("duplicate sample x{a=\"1\"}"), "{message}");
    assert!(message.contains("first on line 1"), "{message}");
}

#[test]
fn invalid_utf8_is_refused_on_its_line() {
    let mut body = b"ok 1\nx{a=\"".to_vec();
    body.extend_from_slice(&[0xff, b'"', b'}', b' ', b'1']);
    match parse_text(&body) {
        Err(PushError::Text { line, message }) => {
            assert_eq!(line, 2);
            assert!(message.contains("UTF-8"));
        }
        other => panic!("expected a text error, got {other:?}"),
    }
}
