//! The one route table: which scope a request needs and which rate-limit class it counts in.
//!
//! Routes are matched by path prefix, first match wins; a route missing from the table needs
//! `read` for GET/HEAD and `write` for every other method, so new read and write routes slot in
//! without an entry here. Admin routes (`debug/info`, config changes) must be listed.

use super::config::{OpenGroup, Scope};
use axum::http::Method;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Open when its group is in `server.auth.open`, else `read`.
    Open(OpenGroup),
    /// Needs a token with this scope (or, with no tokens configured, the fallback rule).
    Scoped(Scope),
}

/// The rate-limit classes (seed 001's table plus `other`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LimitClass {
    /// Health checks.
    Health,
    /// Scrapes, the metrics API and metric pushes.
    Metrics,
    /// The logs API and log pushes.
    Logs,
    /// Alerts, rules, silences, notifications.
    Alerts,
    /// Everything else.
    Other,
}

impl LimitClass {
    /// The `class` label of `watchpost_http_rate_limited_total`.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitClass::Health => "health",
            LimitClass::Metrics => "metrics",
            LimitClass::Logs => "logs",
            LimitClass::Alerts => "alerts",
            LimitClass::Other => "other",
        }
    }
}

/// What the table says about one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteClass {
    /// Who may call it.
    pub access: Access,
    /// Its rate-limit class.
    pub limit: LimitClass,
}

/// How a table row picks the access of a request.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// The same for every method.
    Always(Access),
    /// `read` for GET/HEAD, this scope otherwise.
    ReadOr(Scope),
}

/// `(path, exact?, rule, class)`: exact rows match the path only; others match it and below.
const ROUTES: &[(&str, bool, Rule, LimitClass)] = &[
    (
        "/-/healthy",
        true,
        Rule::Always(Access::Open(OpenGroup::Health)),
        LimitClass::Health,
    ),
    (
        "/-/ready",
        true,
        Rule::Always(Access::Open(OpenGroup::Health)),
        LimitClass::Health,
    ),
    (
        "/api/v1/health",
        false,
        Rule::Always(Access::Open(OpenGroup::Health)),
        LimitClass::Health,
    ),
    (
        "/metrics/job",
        false,
        Rule::ReadOr(Scope::Write),
        LimitClass::Metrics,
    ),
    (
        "/metrics",
        true,
        Rule::Always(Access::Open(OpenGroup::Metrics)),
        LimitClass::Metrics,
    ),
    (
        "/api/v1/metrics/prometheus",
        true,
        Rule::Always(Access::Open(OpenGroup::Metrics)),
        LimitClass::Metrics,
    ),
    (
        "/-/reload",
        true,
        Rule::Always(Access::Scoped(Scope::Write)),
        LimitClass::Other,
    ),
    (
        "/api/v1/debug",
        false,
        Rule::Always(Access::Scoped(Scope::Admin)),
        LimitClass::Other,
    ),
    (
        "/api/v1/config",
        false,
        Rule::Always(Access::Scoped(Scope::Admin)),
        LimitClass::Other,
    ),
    (
        "/api/v1/metrics",
        false,
        Rule::ReadOr(Scope::Write),
        LimitClass::Metrics,
    ),
    (
        "/api/v1/requests",
        false,
        Rule::ReadOr(Scope::Write),
        LimitClass::Metrics,
    ),
    (
        "/api/v1/logs",
        false,
        Rule::ReadOr(Scope::Write),
        LimitClass::Logs,
    ),
    (
        "/api/v1/errors",
        false,
        Rule::ReadOr(Scope::Write),
        LimitClass::Logs,
    ),
    (
        "/api/v1/alerts",
        false,
        Rule::ReadOr(Scope::Write),
        LimitClass::Alerts,
    ),
    (
        "/api/v1/silences",
        false,
        Rule::ReadOr(Scope::Write),
        LimitClass::Alerts,
    ),
    (
        "/api/v1/rules",
        false,
        Rule::ReadOr(Scope::Write),
        LimitClass::Alerts,
    ),
    (
        "/api/v1/notifications",
        false,
        Rule::ReadOr(Scope::Write),
        LimitClass::Alerts,
    ),
];

fn matches(path: &str, prefix: &str, exact: bool) -> bool {
    match path.strip_prefix(prefix) {
        Some("") => true,
        Some(rest) => !exact && rest.starts_with('/'),
        None => false,
    }
}

fn is_read(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

/// Classifies a request by method and path (the table above, then the method default).
pub fn classify(method: &Method, path: &str) -> RouteClass {
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    let row = ROUTES
        .iter()
        .find(|(prefix, exact, _, _)| matches(path, prefix, *exact));
    let (rule, limit) = match row {
        Some((_, _, rule, limit)) => (*rule, *limit),
        None => (Rule::ReadOr(Scope::Write), LimitClass::Other),
    };
    let access = match rule {
        Rule::Always(access) => access,
        Rule::ReadOr(_) if is_read(method) => Access::Scoped(Scope::Read),
        Rule::ReadOr(scope) => Access::Scoped(scope),
    };
    RouteClass { access, limit }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(method: Method, path: &str) -> Access {
        classify(&method, path).access
    }

    #[test]
    fn health_and_scrape_endpoints_are_open_groups() {
        assert_eq!(
            access(Method::GET, "/-/healthy"),
            Access::Open(OpenGroup::Health)
        );
        assert_eq!(
            access(Method::GET, "/api/v1/health/detailed"),
            Access::Open(OpenGroup::Health)
        );
        assert_eq!(
            access(Method::GET, "/metrics"),
            Access::Open(OpenGroup::Metrics)
        );
        assert_eq!(classify(&Method::GET, "/-/ready").limit, LimitClass::Health);
    }

    #[test]
    fn pushes_silences_and_reload_need_write() {
        for (method, path) in [
            (Method::POST, "/api/v1/metrics"),
            (Method::PUT, "/metrics/job/batch/instance/a"),
            (Method::DELETE, "/metrics/job/batch"),
            (Method::POST, "/api/v1/logs"),
            (Method::POST, "/api/v1/silences"),
            (Method::POST, "/api/v1/alerts/12/acknowledge"),
            (Method::POST, "/-/reload"),
        ] {
            assert_eq!(access(method, path), Access::Scoped(Scope::Write), "{path}");
        }
    }

    #[test]
    fn debug_info_and_config_changes_need_admin() {
        assert_eq!(
            access(Method::GET, "/api/v1/debug/info"),
            Access::Scoped(Scope::Admin)
        );
        assert_eq!(
            access(Method::PUT, "/api/v1/config"),
            Access::Scoped(Scope::Admin)
        );
    }

    #[test]
    fn unlisted_routes_follow_the_method() {
        assert_eq!(
            access(Method::GET, "/api/v1/status"),
            Access::Scoped(Scope::Read)
        );
        assert_eq!(
            access(Method::GET, "/api/v1/metrics/system"),
            Access::Scoped(Scope::Read)
        );
        assert_eq!(
            access(Method::POST, "/api/v1/something/new"),
            Access::Scoped(Scope::Write)
        );
        assert_eq!(
            classify(&Method::GET, "/api/v1/ws").limit,
            LimitClass::Other
        );
    }

    #[test]
    fn prefixes_match_whole_segments_only() {
        assert_eq!(
            access(Method::GET, "/metricsx"),
            Access::Scoped(Scope::Read)
        );
        assert_eq!(
            access(Method::GET, "/metrics/"),
            Access::Open(OpenGroup::Metrics)
        );
        assert_eq!(
            classify(&Method::GET, "/api/v1/logsearch").limit,
            LimitClass::Other
        );
        assert_eq!(
            classify(&Method::GET, "/api/v1/logs").limit,
            LimitClass::Logs
        );
    }
}
