//! The `server.auth` and `server.rate_limits` config sections: API tokens with scopes, the
//! route groups that stay open without a token, and the per-class request budgets.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a token may do. `admin` implies `write`, which implies `read`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// GET endpoints: metrics, rules, alerts, logs, status.
    Read,
    /// Pushes, silences, acknowledgements, reload.
    Write,
    /// `debug/info` and configuration changes.
    Admin,
}

impl Scope {
    /// The config and error-message spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A route group that `server.auth.open` can leave open to everyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpenGroup {
    /// `/-/healthy`, `/-/ready`, `/api/v1/health` and `/api/v1/health/...`.
    Health,
    /// `/metrics` and `/api/v1/metrics/prometheus` (the scrape endpoints).
    Metrics,
}

/// One API token.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// A name for logs and rate limits (the token itself is never logged).
    pub name: String,
    /// The secret, usually `${VAR}`.
    pub token: String,
    /// What it may do (`read`, `write`, `admin`).
    pub scopes: Vec<Scope>,
}

impl fmt::Debug for TokenConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenConfig")
            .field("name", &self.name)
            .field("token", &"<secret>")
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// `server.auth`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// API tokens; with none, reads are open and writes answer only loopback clients.
    pub tokens: Vec<TokenConfig>,
    /// Route groups that need no token even when tokens exist (default `[health, metrics]`).
    pub open: Vec<OpenGroup>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            tokens: Vec::new(),
            open: vec![OpenGroup::Health, OpenGroup::Metrics],
        }
    }
}

impl AuthConfig {
    /// Semantic problems as `(path, message)`: empty or duplicate names, empty tokens.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        let mut names = std::collections::HashSet::new();
        for (i, token) in self.tokens.iter().enumerate() {
            let path = format!("server.auth.tokens[{i}]");
            if token.name.is_empty() {
                problems.push((format!("{path}.name"), "must not be empty".to_owned()));
            } else if !names.insert(token.name.as_str()) {
                problems.push((
                    format!("{path}.name"),
                    format!("duplicate token name {:?}", token.name),
                ));
            }
            if token.token.len() < 16 {
                problems.push((
                    format!("{path}.token"),
                    "must be at least 16 characters".to_owned(),
                ));
            }
            if token.scopes.is_empty() {
                problems.push((
                    format!("{path}.scopes"),
                    "must name at least one of read, write, admin".to_owned(),
                ));
            }
        }
        problems
    }
}

/// Requests per minute of each rate-limit class; 0 means unlimited.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PerMinute {
    /// Health endpoints (default unlimited).
    pub health: u32,
    /// `/metrics`, `/api/v1/metrics...`, `/api/v1/requests`, Pushgateway pushes (default 60).
    pub metrics: u32,
    /// `/api/v1/logs...` (default 30).
    pub logs: u32,
    /// `/api/v1/alerts...`, silences, rules, notifications (default 10).
    pub alerts: u32,
    /// Everything else (default unlimited).
    pub other: u32,
}

impl Default for PerMinute {
    fn default() -> Self {
        Self {
            health: 0,
            metrics: 60,
            logs: 30,
            alerts: 10,
            other: 0,
        }
    }
}

/// `server.rate_limits`: token buckets per client (token name, else client IP) and class.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Turns the limiter off entirely.
    pub enabled: bool,
    /// Loopback clients are not limited (default true: local agents, tests and benchmarks).
    pub exempt_loopback: bool,
    /// At most this many clients are tracked; the longest idle ones are evicted first.
    pub max_clients: usize,
    /// The budget of each class.
    pub per_minute: PerMinute,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            exempt_loopback: true,
            max_clients: 10_000,
            per_minute: PerMinute::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn tokens_load_from_the_environment_and_bad_ones_are_located() {
        let text = "server:\n  auth:\n    tokens:\n      - {name: ci, token: \"${CI_TOKEN}\", scopes: [write]}\n      - {name: ci, token: short, scopes: []}\n";
        let lookup = |name: &str| (name == "CI_TOKEN").then(|| "0123456789abcdef".to_owned());
        let shown = Config::load_str("w.yml", text, &lookup)
            .unwrap_err()
            .to_string();
        assert!(
            shown.contains("server.auth.tokens[1].name: duplicate token name"),
            "{shown}"
        );
        assert!(
            shown.contains("server.auth.tokens[1].token: must be at least 16"),
            "{shown}"
        );
        assert!(
            shown.contains("server.auth.tokens[1].scopes: must name"),
            "{shown}"
        );
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        let good = "server:\n  auth:\n    tokens:\n      - {name: ci, token: \"${CI_TOKEN}\", scopes: [write]}\n";
        let config = Config::load_str("w.yml", good, &lookup).unwrap();
        assert_eq!(config.server.auth.tokens[0].scopes, vec![Scope::Write]);
    }
}
