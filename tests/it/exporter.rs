//! The HTTP surface of a running watchpost: `/metrics` (content type, gzip), `/-/healthy`,
//! `/-/ready` and the landing page.

use crate::support::{Watchpost, http_client};
use std::io::Read;

const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_endpoint_serves_text_format_with_its_content_type() {
    let watchpost = Watchpost::start();
    watchpost.wait_ready().await;
    let response = http_client()
        .get(watchpost.url("/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(content_type, TEXT_FORMAT);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("# TYPE node_cpu_seconds_total counter"),
        "{body}"
    );
    assert!(body.contains("watchpost_build_info{"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_endpoint_gzips_when_the_client_asks() {
    let watchpost = Watchpost::start();
    watchpost.wait_ready().await;
    // Automatic decompression off: the test sees the bytes on the wire.
    let client = reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .build()
        .unwrap();
    let response = client
        .get(watchpost.url("/metrics"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("GET /metrics with gzip");
    assert_eq!(response.status(), 200);
    let encoding = response.headers().get("content-encoding").cloned();
    assert_eq!(
        encoding.as_ref().and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    assert_eq!(response.headers()["content-type"], TEXT_FORMAT);
    let compressed = response.bytes().await.unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_string(&mut text)
        .expect("the body gunzips to UTF-8 text");
    assert!(text.contains("node_cpu_seconds_total{"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_landing_page() {
    let watchpost = Watchpost::start();
    let healthy = http_client().get(watchpost.url("/-/healthy")).send().await;
    assert_eq!(healthy.expect("GET /-/healthy").status(), 200);
    // 503 before the first collection, then 200: wait_ready polls for the 200.
    watchpost.wait_ready().await;
    let landing = watchpost.get_text("/").await;
    assert!(
        landing.contains("href=\"/metrics\"") || landing.contains("href='/metrics'"),
        "{landing}"
    );
    assert!(
        landing.contains("/-/ready") && landing.contains("/-/healthy"),
        "{landing}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_answers_503_or_200_never_anything_else() {
    let watchpost = Watchpost::start();
    let response = http_client()
        .get(watchpost.url("/-/ready"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert!(status == 503 || status == 200, "/-/ready answered {status}");
    watchpost.wait_ready().await;
    let metrics = watchpost.get_text("/metrics").await;
    assert!(
        metrics.contains("watchpost_scrape_collector_success{"),
        "{metrics}"
    );
}
