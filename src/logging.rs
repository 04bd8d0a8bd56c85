//! Structured logs with `tracing`: JSON (one object per line, for Loki) or logfmt, to stderr.

use crate::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. `level` is a level or a tracing filter directive.
///
/// Fails only when `level` is not a valid filter; a second call is a no-op.
pub fn init(format: LogFormat, level: &str) -> Result<(), String> {
    let filter =
        EnvFilter::try_new(level).map_err(|e| format!("invalid log level {level:?}: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let result = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Logfmt => builder.with_ansi(false).try_init(),
    };
    // An already-installed subscriber (tests, a second run) is fine.
    let _ = result;
    Ok(())
}
