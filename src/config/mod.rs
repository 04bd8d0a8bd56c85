//! The configuration: the YAML schema of `watchpost.yml`, loading with `${VAR}` interpolation,
//! and validation that reports every error as `FILE:LINE:COL: message`.
//!
//! Raw YAML becomes a typed `Config` in `load` (type errors, unknown keys, unset variables) and
//! is then checked in `validate` (values that parse but make no sense). Each component's own
//! config struct lives beside the component (e.g. `collect::host::HostConfig`); this module only
//! assembles them. Depends on `model` and on those component structs, never on running code.

mod diagnostic;
mod interpolate;
mod load;
pub mod source;
mod validate;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use interpolate::interpolate;
pub use load::{Loaded, load_yaml, load_yaml_partial};

use crate::collect::host::HostConfig;
use crate::collect::push::PushConfig;
use crate::model::duration::serde_duration;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The default listen address (outside Prometheus's fully allocated 9100–9999 range).
pub const DEFAULT_LISTEN_ADDRESS: &str = "0.0.0.0:39101";

/// The whole configuration file.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The HTTP listener.
    pub server: ServerConfig,
    /// Collection intervals, deadlines and the host collectors.
    pub collectors: CollectorsConfig,
    /// The embedded store.
    pub storage: StorageConfig,
    /// Log level and format.
    pub logging: LoggingConfig,
    /// Alert rule files.
    pub rules: RulesConfig,
    /// Push ingestion: limits, TTL, buckets, service health, the metric catalogue.
    pub push: PushConfig,
    /// Notifications: receivers, routing, inhibition, delivery.
    pub notify: crate::notify::config::NotifyConfig,
    /// HTTP(S) and TCP probes of application endpoints (none by default).
    pub probes: Vec<crate::collect::probe::ProbeConfig>,
}

/// `server`: where watchpost listens.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// `host:port` to listen on; `--web.listen-address` overrides it.
    pub listen_address: String,
    /// The URL users reach watchpost at (links in notifications); defaults to the listen address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    /// API tokens and the routes open without one.
    pub auth: crate::api::auth::AuthConfig,
    /// Per-client request budgets by route class.
    pub rate_limits: crate::api::auth::RateLimitConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen_address: DEFAULT_LISTEN_ADDRESS.to_owned(),
            external_url: None,
            auth: Default::default(),
            rate_limits: Default::default(),
        }
    }
}

/// `collectors`: defaults for every collector plus the host collectors.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CollectorsConfig {
    /// How often each collector runs unless overridden (default 15s).
    #[serde(with = "serde_duration")]
    pub interval: Duration,
    /// How long one run may take before it counts as failed (default 10s, at most the interval).
    #[serde(with = "serde_duration")]
    pub timeout: Duration,
    /// The host collectors.
    pub host: HostConfig,
}

impl Default for CollectorsConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(15),
            timeout: Duration::from_secs(10),
            host: HostConfig::default(),
        }
    }
}

/// `storage`: the embedded SQLite store.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Path of the database file (default `./data/watchpost.db`).
    pub path: PathBuf,
    /// Bounds of the pushed-log table.
    pub logs: crate::store::LogStorageConfig,
    /// How long metric history is kept per resolution.
    pub retention: crate::store::HistoryRetention,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            path: PathBuf::from("./data/watchpost.db"),
            logs: Default::default(),
            retention: Default::default(),
        }
    }
}

/// Log output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line (for Loki).
    #[default]
    Json,
    /// `key=value` pairs.
    Logfmt,
}

/// `logging`: level and format; `--log.level` / `--log.format` override them.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoggingConfig {
    /// `error`, `warn`, `info`, `debug` or `trace`, or a tracing filter directive.
    pub level: String,
    /// `json` or `logfmt`.
    pub format: LogFormat,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: LogFormat::Json,
        }
    }
}

/// `rules`: which rule files to load and how often groups are evaluated.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulesConfig {
    /// Globs of rule files, relative to the config file's directory. The embedded default
    /// config uses the rule files bundled into the binary.
    pub files: Vec<String>,
    /// Interval of groups that set none (default 15s).
    #[serde(with = "serde_duration")]
    pub evaluation_interval: Duration,
}

impl Default for RulesConfig {
    fn default() -> Self {
        Self {
            files: vec!["rules/*.yml".to_owned()],
            evaluation_interval: Duration::from_secs(15),
        }
    }
}

impl CollectorsConfig {
    /// The interval and deadline of collector `name`, after overrides.
    pub fn schedule_of(&self, name: &str) -> (Duration, Duration) {
        let overrides = self.host.overrides.get(name);
        let interval = overrides.and_then(|o| o.interval).unwrap_or(self.interval);
        let timeout = overrides.and_then(|o| o.timeout).unwrap_or(self.timeout);
        (interval, timeout.min(interval))
    }
}

/// Reads the process environment (the lookup used outside tests).
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl Config {
    /// Loads and validates `path`, reading `${VAR}` from the process environment.
    pub fn load_file(path: &Path) -> Result<Self, Diagnostics> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| {
            Diagnostics(vec![Diagnostic {
                file: file.clone(),
                line: 1,
                column: 1,
                message: format!("cannot read file: {error}"),
            }])
        })?;
        Self::load_str(&file, &text, &process_env)
    }

    /// Loads and validates `text`, named `file` in diagnostics.
    pub fn load_str(
        file: &str,
        text: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, Diagnostics> {
        let (loaded, mut problems) = load_yaml_partial::<Config>(file, text, lookup);
        let Some(loaded) = loaded else {
            return Err(Diagnostics(problems));
        };
        problems.extend(validate::validate(&loaded.value, file, &loaded.map));
        if problems.is_empty() {
            Ok(loaded.value)
        } else {
            problems.sort();
            Err(Diagnostics(problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn empty_file_is_the_default() {
        assert_eq!(
            Config::load_str("e.yml", "", &no_env).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn example_file_is_valid_and_documents_the_defaults() {
        let text = include_str!("../../watchpost.example.yml");
        let config = Config::load_str("watchpost.example.yml", text, &|name| {
            (name == "WATCHPOST_LISTEN").then(|| DEFAULT_LISTEN_ADDRESS.to_owned())
        });
        assert_eq!(config.unwrap(), Config::default());
    }

    /// Every key of the default config, as dotted paths (maps of user entries excluded).
    fn key_paths(value: &serde_yaml::Value, prefix: &str, out: &mut Vec<String>) {
        if let serde_yaml::Value::Mapping(map) = value {
            for (key, child) in map {
                let key = key.as_str().unwrap_or_default();
                let path = if prefix.is_empty() {
                    key.to_owned()
                } else {
                    format!("{prefix}.{key}")
                };
                key_paths(child, &path, out);
                out.push(path);
            }
        }
    }

    #[test]
    fn example_file_names_every_key() {
        let defaults = serde_yaml::to_value(Config::default()).unwrap();
        let example: serde_yaml::Value =
            serde_yaml::from_str(include_str!("../../watchpost.example.yml")).unwrap();
        let (mut wanted, mut present) = (Vec::new(), Vec::new());
        key_paths(&defaults, "", &mut wanted);
        key_paths(&example, "", &mut present);
        let missing: Vec<&String> = wanted.iter().filter(|k| !present.contains(k)).collect();
        assert!(
            missing.is_empty(),
            "watchpost.example.yml does not document {missing:?}"
        );
    }

    #[test]
    fn overrides_apply_and_timeout_is_capped_by_interval() {
        let text =
            "collectors:\n  interval: 5s\n  host:\n    overrides:\n      cpu: {interval: 1s}\n";
        let config = Config::load_str("o.yml", text, &no_env).unwrap();
        assert_eq!(
            config.collectors.schedule_of("cpu"),
            (Duration::from_secs(1), Duration::from_secs(1))
        );
        assert_eq!(
            config.collectors.schedule_of("meminfo"),
            (Duration::from_secs(5), Duration::from_secs(5))
        );
    }
}
