//! Semantic checks on a typed `Config`: values that parse but make no sense.

use super::Config;
use super::diagnostic::Diagnostic;
use super::source::SourceMap;
use crate::collect::host;
use std::net::SocketAddr;
use std::time::Duration;

struct Checker<'a> {
    file: &'a str,
    map: &'a SourceMap,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, path: &str, message: impl Into<String>) {
        let position = self.map.locate(path);
        self.problems.push(Diagnostic::new(
            self.file,
            position,
            format!("{path}: {}", message.into()),
        ));
    }

    fn regex(&mut self, path: &str, pattern: &str) {
        if let Err(error) = regex::Regex::new(pattern) {
            self.error(path, format!("invalid regular expression: {error}"));
        }
    }

    fn positive(&mut self, path: &str, duration: Duration) {
        if duration.is_zero() {
            self.error(path, "must be greater than zero");
        }
    }
}

/// Every semantic problem of `config`, located through `map`.
pub fn validate(config: &Config, file: &str, map: &SourceMap) -> Vec<Diagnostic> {
    let mut check = Checker {
        file,
        map,
        problems: Vec::new(),
    };
    if config.server.listen_address.parse::<SocketAddr>().is_err() {
        check.error(
            "server.listen_address",
            format!(
                "{:?} is not a host:port address like 0.0.0.0:39101",
                config.server.listen_address
            ),
        );
    }
    for (path, message) in config.server.auth.problems() {
        check.error(&path, message);
    }
    check.positive("collectors.interval", config.collectors.interval);
    for (path, message) in crate::collect::probe::probe_problems(&config.probes) {
        check.error(&path, message);
    }
    check.positive("collectors.timeout", config.collectors.timeout);
    check.positive(
        "rules.evaluation_interval",
        config.rules.evaluation_interval,
    );
    let host = &config.collectors.host;
    let known = host::names();
    for (i, name) in host.disable.iter().enumerate() {
        if !known.contains(&name.as_str()) {
            check.error(
                &format!("collectors.host.disable[{i}]"),
                format!("unknown collector {name:?} (known: {})", known.join(", ")),
            );
        }
    }
    for (name, schedule) in &host.overrides {
        let path = format!("collectors.host.overrides.{name}");
        if !known.contains(&name.as_str()) {
            check.error(&path, format!("unknown collector {name:?}"));
        }
        if let Some(interval) = schedule.interval {
            check.positive(&format!("{path}.interval"), interval);
        }
        if let Some(timeout) = schedule.timeout {
            check.positive(&format!("{path}.timeout"), timeout);
        }
    }
    check.regex(
        "collectors.host.filesystem.mount_points_exclude",
        &host.filesystem.mount_points_exclude,
    );
    check.regex(
        "collectors.host.filesystem.fs_types_exclude",
        &host.filesystem.fs_types_exclude,
    );
    check.regex(
        "collectors.host.diskstats.device_exclude",
        &host.diskstats.device_exclude,
    );
    if let Some(pattern) = &host.netdev.device_exclude {
        check.regex("collectors.host.netdev.device_exclude", pattern);
    }
    for problem in config.push.problems() {
        // Problems come as "push.<path>: message".
        match problem.split_once(": ") {
            Some((path, message)) if path.starts_with("push") => check.error(path, message),
            _ => check.error("push", problem),
        }
    }
    for problem in config.storage.retention.problems() {
        match problem.split_once(": ") {
            Some((path, message)) => check.error(path, message),
            None => check.error("storage.retention", problem),
        }
    }
    if config.storage.path.as_os_str().is_empty() {
        check.error("storage.path", "must not be empty");
    }
    if tracing_subscriber::EnvFilter::try_new(&config.logging.level).is_err() {
        check.error(
            "logging.level",
            format!("{:?} is not a log level or filter", config.logging.level),
        );
    }
    for problem in crate::notify::config_validate::validate(&config.notify, "notify") {
        check.error(&problem.path, problem.message);
    }
    check.problems
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn semantic_errors_are_located() {
        let text = "server:\n  listen_address: nowhere\ncollectors:\n  interval: 0s\n  host:\n    diskstats:\n      device_exclude: \"(\"\n";
        let errors = Config::load_str("v.yml", text, &|_| None)
            .unwrap_err()
            .to_string();
        assert!(
            errors.contains("v.yml:2:19: server.listen_address"),
            "{errors}"
        );
        assert!(
            errors.contains("v.yml:4:13: collectors.interval: must be greater than zero"),
            "{errors}"
        );
        assert!(
            errors.contains(
                "v.yml:7:23: collectors.host.diskstats.device_exclude: invalid regular expression"
            ),
            "{errors}"
        );
    }
}
