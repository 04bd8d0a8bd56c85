//! `GET /`: a small landing page linking the endpoints.

use axum::response::Html;

/// The landing page.
pub async fn page() -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html><head><title>watchpost</title></head><body>\n\
         <h1>watchpost {version}</h1>\n\
         <p>A Prometheus-compatible exporter with its own alert rules.</p>\n<ul>\n\
         <li><a href=\"/metrics\">/metrics</a> — metrics in the Prometheus text format</li>\n\
         <li><a href=\"/-/healthy\">/-/healthy</a> — liveness</li>\n\
         <li><a href=\"/-/ready\">/-/ready</a> — readiness (after the first collection)</li>\n\
         <li><a href=\"/api/v1/health\">/api/v1/health</a> — JSON health</li>\n\
         </ul>\n</body></html>\n",
        version = crate::VERSION
    ))
}
