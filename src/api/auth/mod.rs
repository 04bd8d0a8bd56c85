//! Who may call what, and how often: API tokens with scopes, web-config basic auth, the
//! loopback fallback while no tokens exist, and per-client rate limits — one middleware
//! (`guard`) in front of every route, driven by the route table in `routes`.
//!
//! Order per request: basic auth (when `basic_auth_users` is set, every route needs valid Basic
//! credentials or a valid Bearer token), then the route's access (open group, or a scope), then
//! the rate limit of its class. 401 means missing or unknown credentials (with
//! `WWW-Authenticate`), 403 a known caller without the scope; tokens are never logged or echoed.

mod basic;
pub mod config;
mod credentials;
mod limiter;
mod routes;
mod tokens;

#[cfg(test)]
mod guard_tests;

pub use basic::BasicUsers;
pub use config::{AuthConfig, OpenGroup, RateLimitConfig, Scope, TokenConfig};
pub use limiter::{ClientKey, RateLimiter};
pub use routes::{Access, LimitClass, RouteClass, classify};
pub use tokens::{TokenIdentity, TokenSet};

use super::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use credentials::Credentials;
use prometheus::IntCounterVec;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

/// Everything the guard middleware needs, built once at start.
#[derive(Debug)]
pub struct Guard {
    tokens: TokenSet,
    open: Vec<OpenGroup>,
    basic: Arc<BasicUsers>,
    limiter: RateLimiter,
    rate_limited: IntCounterVec,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Guard {
    /// A guard from the config sections, web-config's users and headers, counting into
    /// `rate_limited` (`watchpost_http_rate_limited_total{class}`).
    pub fn new(
        auth: &AuthConfig,
        rate_limits: &RateLimitConfig,
        basic: BasicUsers,
        headers: Vec<(HeaderName, HeaderValue)>,
        rate_limited: IntCounterVec,
    ) -> Self {
        Self {
            tokens: TokenSet::new(&auth.tokens),
            open: auth.open.clone(),
            basic: Arc::new(basic),
            limiter: RateLimiter::new(rate_limits.clone()),
            rate_limited,
            headers,
        }
    }

    /// Registers `watchpost_http_rate_limited_total{class}` in `registry` (a second guard on
    /// the same registry, as in tests that build several routers, keeps its own unregistered).
    pub fn rate_limited_counter(
        registry: &prometheus::Registry,
    ) -> Result<IntCounterVec, prometheus::Error> {
        let opts = prometheus::Opts::new(
            "watchpost_http_rate_limited_total",
            "HTTP requests refused with 429 by the rate limiter, by class.",
        );
        let counter = IntCounterVec::new(opts, &["class"])?;
        match registry.register(Box::new(counter.clone())) {
            Ok(()) | Err(prometheus::Error::AlreadyReg) => Ok(counter),
            Err(error) => Err(error),
        }
    }
}

fn error(status: StatusCode, code: &'static str, message: String) -> Response {
    ApiError {
        status,
        code,
        field: None,
        message,
    }
    .into_response()
}

fn unauthorized(challenge: &'static str, message: &str) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, "unauthorized", message.to_owned());
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

const BEARER_CHALLENGE: &str = "Bearer realm=\"watchpost\"";
const BASIC_CHALLENGE: &str = "Basic realm=\"watchpost\"";

/// The middleware: authenticates, authorizes and rate-limits one request; every answer,
/// refusals included, carries the web config's headers.
pub async fn guard(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let mut response = check_then_run(&guard, request, next).await;
    for (name, value) in &guard.headers {
        response.headers_mut().insert(name.clone(), value.clone());
    }
    response
}

async fn check_then_run(guard: &Arc<Guard>, request: Request, next: Next) -> Response {
    // No connection info means a router driven in-process (tests): treat it as loopback.
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V6(Ipv6Addr::LOCALHOST), |info| info.0.ip());
    let class = classify(request.method(), request.uri().path());
    let credentials = Credentials::from_headers(request.headers());
    let identity = match &credentials {
        Credentials::Bearer(token) if !guard.tokens.is_empty() => guard.tokens.find(token),
        _ => None,
    };
    if identity.is_none() && !basic_auth_passes(guard, &credentials).await {
        return unauthorized(BASIC_CHALLENGE, "valid basic auth credentials are required");
    }
    let checks = authorize(guard, class.access, identity.as_ref(), &credentials, remote)
        .and_then(|()| rate_limit(guard, class.limit, identity.as_ref(), remote));
    match checks {
        Ok(()) => next.run(request).await,
        Err(response) => *response,
    }
}

/// True when basic auth is off or `credentials` are a valid Basic user (bcrypt, off-thread).
async fn basic_auth_passes(guard: &Arc<Guard>, credentials: &Credentials) -> bool {
    if guard.basic.is_empty() {
        return true;
    }
    let Credentials::Basic { user, password } = credentials else {
        return false;
    };
    let (basic, user, password) = (guard.basic.clone(), user.clone(), password.clone());
    tokio::task::spawn_blocking(move || basic.verify(&user, &password))
        .await
        .unwrap_or(false)
}

/// Spends one request of the caller's budget in `class`; the 429 response when it is empty.
fn rate_limit(
    guard: &Guard,
    class: LimitClass,
    identity: Option<&TokenIdentity>,
    remote: IpAddr,
) -> Result<(), Box<Response>> {
    if guard.limiter.exempts(remote) {
        return Ok(());
    }
    let client = match identity {
        Some(identity) => ClientKey::Token(identity.name.clone()),
        None => ClientKey::Ip(remote),
    };
    let Err(retry_after) = guard.limiter.check(client, class, Instant::now()) else {
        return Ok(());
    };
    guard
        .rate_limited
        .with_label_values(&[class.as_str()])
        .inc();
    let seconds = retry_after.as_secs().max(1);
    let message = format!(
        "rate limit of class {} exceeded; retry after {seconds} s",
        class.as_str()
    );
    let mut response = error(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    Err(Box::new(response))
}

/// The access decision: `Ok` to go on, or the 401/403 response.
fn authorize(
    guard: &Guard,
    access: Access,
    identity: Option<&TokenIdentity>,
    credentials: &Credentials,
    remote: IpAddr,
) -> Result<(), Box<Response>> {
    let required = match access {
        Access::Open(group) if guard.open.contains(&group) => return Ok(()),
        Access::Open(_) => Scope::Read,
        Access::Scoped(scope) => scope,
    };
    if guard.tokens.is_empty() {
        return super::access::fallback(required, remote);
    }
    match identity {
        Some(identity) if identity.allows(required) => Ok(()),
        Some(identity) => Err(Box::new(error(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "token {:?} lacks the {required} scope this endpoint needs",
                identity.name
            ),
        ))),
        None => Err(Box::new(unauthorized(
            BEARER_CHALLENGE,
            match credentials {
                Credentials::Bearer(_) => "unknown API token",
                _ => "an API token is required (Authorization: Bearer <token>)",
            },
        ))),
    }
}
