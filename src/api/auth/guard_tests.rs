//! The guard in front of the real router: tokens and scopes, the loopback fallback, basic auth,
//! rate limits — each answer's status, headers and JSON code.

use super::*;
use crate::api::router;
use crate::api::tests::state_with;
use axum::body::Body;
use axum::http::{Method, Request};
use std::collections::HashMap;
use tower::ServiceExt;

const READ: &str = "read-token-0123456789";
const WRITE: &str = "write-token-0123456789";
const ADMIN: &str = "admin-token-0123456789";

fn tokens() -> AuthConfig {
    let token = |name: &str, token: &str, scope| TokenConfig {
        name: name.into(),
        token: token.into(),
        scopes: vec![scope],
    };
    AuthConfig {
        tokens: vec![
            token("grafana", READ, Scope::Read),
            token("app", WRITE, Scope::Write),
            token("ops", ADMIN, Scope::Admin),
        ],
        ..Default::default()
    }
}

const PUSH: &str = r#"{"metrics":[{"name":"orders_total","type":"counter","value":1}]}"#;

struct Call<'a> {
    method: Method,
    uri: &'a str,
    bearer: Option<&'a str>,
    remote: Option<[u8; 4]>,
}

fn call(method: Method, uri: &str) -> Call<'_> {
    Call {
        method,
        uri,
        bearer: None,
        remote: None,
    }
}

impl<'a> Call<'a> {
    fn bearer(mut self, token: &'a str) -> Self {
        self.bearer = Some(token);
        self
    }

    fn from(mut self, remote: [u8; 4]) -> Self {
        self.remote = Some(remote);
        self
    }

    fn request(&self) -> Request<Body> {
        let mut request = Request::builder().method(self.method.clone()).uri(self.uri);
        if let Some(token) = self.bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = if self.method == Method::POST {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(PUSH)
        } else {
            Body::empty()
        };
        let mut request = request.body(body).unwrap();
        if let Some(remote) = self.remote {
            let address = SocketAddr::from((remote, 40000));
            request.extensions_mut().insert(ConnectInfo(address));
        }
        request
    }

    async fn send(
        &self,
        state: &crate::api::AppState,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = router(state.clone()).oneshot(self.request()).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        (
            parts.status,
            parts.headers,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }
}

#[tokio::test]
async fn without_tokens_reads_are_open_and_writes_stay_on_loopback() {
    let (state, _tx) = state_with(true, AuthConfig::default(), RateLimitConfig::default());
    let remote = [192, 0, 2, 7];
    let (status, _, _) = call(Method::GET, "/api/v1/rules")
        .from(remote)
        .send(&state)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = call(Method::POST, "/api/v1/metrics")
        .from(remote)
        .send(&state)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("loopback"), "{body}");
    let (status, _, body) = call(Method::POST, "/api/v1/metrics")
        .from([127, 0, 0, 1])
        .send(&state)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn with_tokens_a_missing_or_unknown_token_is_401_with_a_challenge() {
    let (state, _tx) = state_with(true, tokens(), RateLimitConfig::default());
    let (status, headers, body) = call(Method::GET, "/api/v1/rules").send(&state).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        headers[header::WWW_AUTHENTICATE],
        "Bearer realm=\"watchpost\""
    );
    assert!(body.contains("\"code\":\"unauthorized\""), "{body}");
    let guess = "guessed-token-0123456789";
    let (status, _, body) = call(Method::GET, "/api/v1/rules")
        .bearer(guess)
        .send(&state)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        !body.contains(guess),
        "the token must not be echoed: {body}"
    );
}

#[tokio::test]
async fn scopes_decide_between_200_and_403() {
    let (state, _tx) = state_with(true, tokens(), RateLimitConfig::default());
    let (status, _, _) = call(Method::GET, "/api/v1/rules")
        .bearer(READ)
        .send(&state)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = call(Method::POST, "/api/v1/metrics")
        .bearer(READ)
        .send(&state)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body.contains("lacks the write scope") && !body.contains(READ),
        "{body}"
    );
    let (status, _, body) = call(Method::POST, "/api/v1/metrics")
        .bearer(WRITE)
        .send(&state)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, _) = call(Method::GET, "/api/v1/debug/info")
        .bearer(WRITE)
        .send(&state)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = call(Method::GET, "/api/v1/debug/info")
        .bearer(ADMIN)
        .send(&state)
        .await;
    assert!(status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED);
    let (status, _, _) = call(Method::POST, "/api/v1/metrics")
        .bearer(ADMIN)
        .send(&state)
        .await;
    assert_eq!(status, StatusCode::OK, "admin implies write");
}

#[tokio::test]
async fn health_and_metrics_are_open_unless_configured_otherwise() {
    let (state, _tx) = state_with(true, tokens(), RateLimitConfig::default());
    for uri in ["/metrics", "/-/healthy", "/api/v1/health"] {
        assert_eq!(
            call(Method::GET, uri).send(&state).await.0,
            StatusCode::OK,
            "{uri}"
        );
    }
    let closed = AuthConfig {
        open: vec![OpenGroup::Health],
        ..tokens()
    };
    let (state, _tx) = state_with(true, closed, RateLimitConfig::default());
    assert_eq!(
        call(Method::GET, "/metrics").send(&state).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(Method::GET, "/metrics")
            .bearer(READ)
            .send(&state)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        call(Method::GET, "/-/healthy").send(&state).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_client_over_its_budget_gets_429_with_retry_after() {
    let limits = RateLimitConfig {
        exempt_loopback: false,
        per_minute: config::PerMinute {
            metrics: 2,
            ..Default::default()
        },
        ..Default::default()
    };
    let (state, _tx) = state_with(true, AuthConfig::default(), limits);
    let remote = [192, 0, 2, 9];
    for _ in 0..2 {
        assert_eq!(
            call(Method::GET, "/metrics")
                .from(remote)
                .send(&state)
                .await
                .0,
            StatusCode::OK
        );
    }
    let (status, headers, body) = call(Method::GET, "/metrics")
        .from(remote)
        .send(&state)
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers[header::RETRY_AFTER], "30");
    assert!(body.contains("\"code\":\"rate_limited\""), "{body}");
    // Health is unlimited, another client has its own budget.
    assert_eq!(
        call(Method::GET, "/-/healthy")
            .from(remote)
            .send(&state)
            .await
            .0,
        StatusCode::OK
    );
    let (status, _, text) = call(Method::GET, "/metrics")
        .from([192, 0, 2, 10])
        .send(&state)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("watchpost_http_rate_limited_total{class=\"metrics\"} 1"),
        "{text}"
    );
}

#[tokio::test]
async fn basic_auth_guards_every_route() {
    let (mut state, _tx) = state_with(true, AuthConfig::default(), RateLimitConfig::default());
    let hash = bcrypt::hash("s3cret", 4).unwrap();
    state.guard = Arc::new(Guard::new(
        &AuthConfig::default(),
        &RateLimitConfig::default(),
        BasicUsers::new(HashMap::from([("prom".to_owned(), hash)])),
        vec![(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("deny"),
        )],
        Guard::rate_limited_counter(&prometheus::Registry::new()).unwrap(),
    ));
    let (status, headers, _) = call(Method::GET, "/-/healthy").send(&state).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        headers[header::WWW_AUTHENTICATE],
        "Basic realm=\"watchpost\""
    );
    let mut request = call(Method::GET, "/metrics").request();
    let credentials =
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "prom:s3cret");
    request.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Basic {credentials}").parse().unwrap(),
    );
    let response = router(state.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-frame-options"], "deny");
}
