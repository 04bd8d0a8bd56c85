//! `probes:` in watchpost.yml: one entry per HTTP(S) or TCP target, with its schedule, the
//! request to send and what counts as a good answer.

use super::expect::{JsonCondition, StatusMatcher};
use crate::model::duration::serde_duration;
use crate::notify::Secret;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// How a probe talks to its target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeKind {
    /// An HTTP or HTTPS request to `target` (a URL).
    #[default]
    Http,
    /// A TCP connect to `target` (`host:port`).
    Tcp,
}

/// One probe.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeConfig {
    /// The probe's name: the `probe` label, unique among probes.
    pub name: String,
    /// `http` (default) or `tcp`.
    #[serde(default, rename = "type")]
    pub kind: ProbeKind,
    /// A URL for `http`, `host:port` for `tcp`: the `target` label.
    pub target: String,
    /// How often the probe runs (default 30s).
    #[serde(default = "default_interval", with = "serde_duration")]
    pub interval: Duration,
    /// How long one attempt may take (default 10s, at most the interval).
    #[serde(default = "default_timeout", with = "serde_duration")]
    pub timeout: Duration,
    /// Consecutive failures tolerated before `probe_success` drops to 0 (default 0: the first
    /// failure counts).
    #[serde(default)]
    pub retries: u32,
    /// The HTTP method (default `GET`).
    #[serde(default = "default_method")]
    pub method: String,
    /// Request headers; values may be `${VAR}` secrets and are never logged.
    #[serde(default)]
    pub headers: BTreeMap<String, Secret>,
    /// Accepted status codes: numbers, `"2xx"` classes or `"200-299"` ranges (default 2xx).
    #[serde(default = "default_statuses")]
    pub expected_status: Vec<StatusMatcher>,
    /// A regular expression the response body must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_regex: Option<String>,
    /// A condition on one field of a JSON response body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<JsonCondition>,
    /// Certificate verification for HTTPS targets.
    #[serde(default)]
    pub tls: ProbeTlsConfig,
}

/// `probes[].tls`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProbeTlsConfig {
    /// Accept any certificate (the expiry gauge is still exported).
    pub insecure_skip_verify: bool,
    /// A PEM file of CA certificates to trust instead of the system roots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

fn default_interval() -> Duration {
    Duration::from_secs(30)
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

fn default_method() -> String {
    "GET".to_owned()
}

fn default_statuses() -> Vec<StatusMatcher> {
    vec![StatusMatcher::Range(200, 299)]
}

impl ProbeConfig {
    /// The deadline of one attempt: the timeout, capped by the interval.
    pub fn effective_timeout(&self) -> Duration {
        self.timeout.min(self.interval)
    }
}

/// Problems with the probe list that parse but make no sense, as `(path, message)` pairs.
pub fn probe_problems(probes: &[ProbeConfig]) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, probe) in probes.iter().enumerate() {
        let at = |field: &str| format!("probes[{i}].{field}");
        if probe.name.is_empty() {
            problems.push((at("name"), "a probe needs a name".to_owned()));
        } else if !seen.insert(probe.name.as_str()) {
            problems.push((at("name"), format!("duplicate probe name {:?}", probe.name)));
        }
        if probe.interval.is_zero() {
            problems.push((at("interval"), "interval must be above 0".to_owned()));
        }
        if probe.timeout.is_zero() {
            problems.push((at("timeout"), "timeout must be above 0".to_owned()));
        }
        problems.extend(target_problem(probe).map(|m| (at("target"), m)));
        if let Some(pattern) = &probe.body_regex
            && let Err(error) = regex::Regex::new(pattern)
        {
            problems.push((
                at("body_regex"),
                format!("invalid regular expression: {error}"),
            ));
        }
        if reqwest::Method::from_bytes(probe.method.as_bytes()).is_err() {
            problems.push((
                at("method"),
                format!("invalid HTTP method {:?}", probe.method),
            ));
        }
    }
    problems
}

fn target_problem(probe: &ProbeConfig) -> Option<String> {
    match probe.kind {
        ProbeKind::Http => match reqwest::Url::parse(&probe.target) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => None,
            Ok(url) => Some(format!(
                "unsupported scheme {:?} (http or https)",
                url.scheme()
            )),
            Err(error) => Some(format!("invalid URL {:?}: {error}", probe.target)),
        },
        ProbeKind::Tcp => match probe.target.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => None,
            _ => Some(format!("expected host:port, got {:?}", probe.target)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> ProbeConfig {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn defaults_fill_everything_but_name_and_target() {
        let probe = parse("name: web\ntarget: http://127.0.0.1/\n");
        assert_eq!(probe.kind, ProbeKind::Http);
        assert_eq!(probe.interval, Duration::from_secs(30));
        assert_eq!(probe.method, "GET");
        assert_eq!(probe.expected_status, vec![StatusMatcher::Range(200, 299)]);
        assert!(probe_problems(&[probe]).is_empty());
    }

    #[test]
    fn bad_targets_regex_and_duplicates_are_named() {
        let probes = vec![
            parse("name: a\ntarget: ftp://x/\n"),
            parse("name: a\ntype: tcp\ntarget: nowhere\n"),
            parse("name: b\ntarget: http://x/\nbody_regex: '('\n"),
        ];
        let paths: Vec<String> = probe_problems(&probes).into_iter().map(|p| p.0).collect();
        assert_eq!(
            paths,
            [
                "probes[0].target",
                "probes[1].name",
                "probes[1].target",
                "probes[2].body_regex"
            ]
        );
    }

    #[test]
    fn header_values_never_print() {
        let probe = parse("name: a\ntarget: http://x/\nheaders: {Authorization: Bearer s3cr3t}\n");
        assert!(!format!("{probe:?}").contains("s3cr3t"));
        assert_eq!(probe.headers["Authorization"].expose(), "Bearer s3cr3t");
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn the_seed_004_example_loads() {
        let text = include_str!("../../../examples/probes.yml");
        let config = Config::load_str("examples/probes.yml", text, &|name| {
            (name == "APP_URL").then(|| "http://127.0.0.1:5000".to_owned())
        })
        .unwrap();
        let names: Vec<&str> = config.probes.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["api-health", "frontend", "auth-me"]);
        assert_eq!(config.probes[0].target, "http://127.0.0.1:5000/api/health");
        assert_eq!(
            config.probes[2].expected_status,
            vec![StatusMatcher::Code(401)]
        );
        assert!(config.probes[1].body_regex.is_some());
    }
}
