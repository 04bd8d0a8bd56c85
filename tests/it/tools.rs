//! Where the external tools the tests run (Prometheus 2.x and 3.x, both promtools, Debian's
//! Alertmanager 0.25 and Alertmanager 0.33) are found.
//! `scripts/test.sh` installs them and exports their paths in `WATCHPOST_*` variables; without
//! those, the paths the install script uses are tried. A missing tool fails the test with a
//! message naming `scripts/test.sh`, unless `WATCHPOST_SKIP_EXTERNAL=1` lets it skip.

use std::path::{Path, PathBuf};

/// An external program some integration test runs.
#[derive(Clone, Copy, Debug)]
pub enum Tool {
    /// Debian bookworm's Prometheus 2.42.
    Prometheus2,
    /// Prometheus 3.x unpacked into `.tools` by `../shared/tools/current-prometheus.sh`.
    Prometheus3,
    /// promtool 2.42 (ships in Debian's `prometheus` package).
    Promtool2,
    /// promtool 3.x from `.tools`.
    Promtool3,
    /// Debian bookworm's Alertmanager 0.25 (`prometheus-alertmanager`).
    Alertmanager025,
    /// Alertmanager 0.33 from `.tools`.
    Alertmanager033,
    /// Debian's `prometheus-node-exporter`.
    NodeExporter,
}

impl Tool {
    fn env_var(self) -> &'static str {
        match self {
            Tool::Prometheus2 => "WATCHPOST_PROMETHEUS_2",
            Tool::Prometheus3 => "WATCHPOST_PROMETHEUS_3",
            Tool::Promtool2 => "WATCHPOST_PROMTOOL_2",
            Tool::Promtool3 => "WATCHPOST_PROMTOOL",
            Tool::Alertmanager025 => "WATCHPOST_ALERTMANAGER_025",
            Tool::Alertmanager033 => "WATCHPOST_ALERTMANAGER_033",
            Tool::NodeExporter => "WATCHPOST_NODE_EXPORTER",
        }
    }

    fn default_path(self) -> PathBuf {
        let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/root/usr/bin");
        match self {
            Tool::Prometheus2 => PathBuf::from("/usr/bin/prometheus"),
            Tool::Prometheus3 => tools.join("prometheus"),
            Tool::Promtool2 => PathBuf::from("/usr/bin/promtool"),
            Tool::Promtool3 => tools.join("promtool"),
            Tool::Alertmanager025 => PathBuf::from("/usr/bin/prometheus-alertmanager"),
            Tool::Alertmanager033 => tools.join("prometheus-alertmanager"),
            Tool::NodeExporter => PathBuf::from("/usr/bin/prometheus-node-exporter"),
        }
    }

    /// The major version the tool must report, to catch a wrong path early.
    pub fn major_version(self) -> u32 {
        match self {
            Tool::Prometheus2 | Tool::Promtool2 => 2,
            Tool::Prometheus3 | Tool::Promtool3 => 3,
            Tool::NodeExporter => 1,
            Tool::Alertmanager025 | Tool::Alertmanager033 => 0,
        }
    }

    /// The `major.minor.` prefix of the version an Alertmanager must report.
    pub fn alertmanager_version(self) -> Option<&'static str> {
        match self {
            Tool::Alertmanager025 => Some("0.25."),
            Tool::Alertmanager033 => Some("0.33."),
            _ => None,
        }
    }
}

/// The tool's path, or `None` when it is missing and `WATCHPOST_SKIP_EXTERNAL=1` allows the
/// test to skip. Panics with instructions when it is missing otherwise.
pub fn require(tool: Tool) -> Option<PathBuf> {
    let configured = std::env::var_os(tool.env_var()).map(PathBuf::from);
    let path = configured.clone().unwrap_or_else(|| tool.default_path());
    if path.is_file() {
        return Some(path);
    }
    let where_looked = match configured {
        Some(_) => format!("{}={}", tool.env_var(), path.display()),
        None => format!("{} unset, default {}", tool.env_var(), path.display()),
    };
    if std::env::var("WATCHPOST_SKIP_EXTERNAL").as_deref() == Ok("1") {
        eprintln!("skipping: {tool:?} not found ({where_looked}); WATCHPOST_SKIP_EXTERNAL=1");
        return None;
    }
    panic!(
        "{tool:?} not found ({where_looked}): run the tests with scripts/test.sh, which \
         installs Prometheus 2.x/3.x and promtool (or set WATCHPOST_SKIP_EXTERNAL=1 to skip)"
    );
}
