//! `watchpost cleanup --days N`: deletes metric history, pushed log entries and finished
//! notification history older than N days from the store file and prints what it removed.
//! Safe while watchpost runs: the store is SQLite in WAL mode, the deletion is one transaction
//! and waits (busy timeout) for a running writer's transaction to end.

use crate::store::Store;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

/// `watchpost cleanup` options.
#[derive(Debug, clap::Args)]
pub struct CleanupArgs {
    /// Delete what is older than this many days (0 deletes everything finished).
    #[arg(long)]
    pub days: u32,
    /// Configuration file naming the store (default: $WATCHPOST_CONFIG, else the embedded
    /// default's `./data/watchpost.db`).
    #[arg(long = "config.file", env = "WATCHPOST_CONFIG")]
    pub config_file: Option<PathBuf>,
    /// The store file, overriding the config's `storage.path`.
    #[arg(long = "storage.path")]
    pub storage_path: Option<PathBuf>,
}

/// Runs `watchpost cleanup`.
pub fn cleanup(args: CleanupArgs) -> ExitCode {
    let path = match (&args.storage_path, &args.config_file) {
        (Some(path), _) => path.clone(),
        (None, Some(file)) => match crate::config::Config::load_file(file) {
            Ok(config) => config.storage.path,
            Err(diagnostics) => {
                eprintln!("{diagnostics}");
                return ExitCode::from(2);
            }
        },
        (None, None) => crate::config::StorageConfig::default().path,
    };
    if !path.exists() {
        eprintln!("cleanup: no store at {}", path.display());
        return ExitCode::from(2);
    }
    let cutoff = SystemTime::now()
        .checked_sub(Duration::from_secs(u64::from(args.days) * 86_400))
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let result = Store::open(&path)
        .and_then(|mut store| store.cleanup_before(crate::store::to_millis(cutoff)));
    match result {
        Ok(report) => {
            println!(
                "removed from {} (older than {} days, before {}): {} history rows, {} log entries, {} notifications",
                path.display(),
                args.days,
                humantime::format_rfc3339_seconds(cutoff),
                report.history_rows,
                report.log_entries,
                report.notifications
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("cleanup of {} failed: {error}", path.display());
            ExitCode::FAILURE
        }
    }
}
