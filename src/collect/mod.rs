//! Collectors: the `Collector` seam, the scheduler that runs each one on its interval and
//! deadline, and the host collectors.
//!
//! Depends on `model` and `metrics`. Collectors never talk to the HTTP layer: they publish whole
//! batches into the `metrics::Registry`, and the scheduler (not each collector) times them and
//! records `watchpost_scrape_collector_success` / `_duration_seconds`.

pub mod host;
pub mod probe;
pub mod push;
mod scheduler;

pub use scheduler::{CollectorTask, Scheduler, collect_once};

use crate::metrics::Batch;

/// Why a collection run failed.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// Reading a file under /proc or /sys failed.
    #[error("reading {path}: {source}")]
    Io {
        /// The file that could not be read.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file had content the parser did not understand.
    #[error("parsing {path}: {message}")]
    Parse {
        /// The file that could not be parsed.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl CollectError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// A parse error in `path`.
    pub fn parse(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Parse {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// A source of metrics that fills a batch on each run.
///
/// `collect` is synchronous (it reads /proc and /sys); the scheduler runs it on a blocking
/// thread with a deadline. A collector may keep state between runs (`&mut self`), e.g. the
/// previous CPU counters for a usage percentage.
pub trait Collector: Send + 'static {
    /// The collector's name, used in the `collector` label and in config.
    fn name(&self) -> &'static str;

    /// Collects one batch. On error the scheduler keeps the last good snapshot.
    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError>;
}
