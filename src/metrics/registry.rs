//! The registry: the latest snapshot of every source (collector, push job...), pre-encoded.
//!
//! A collector publishes a whole batch at once; the snapshot is encoded to text at publish time,
//! so a scrape only concatenates strings and never waits on a collector. A std `RwLock` is right
//! here: critical sections are a map lookup or an `Arc` clone and never span an `.await`.

use super::encode::encode_families;
use super::family::MetricFamily;
use super::history::History;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;
use tokio::sync::broadcast;

/// How many publications a slow `subscribe`r may fall behind before it misses some.
const PUBLICATION_BACKLOG: usize = 64;

/// One publication: the snapshot a source had before (if any) and the one that replaced it.
#[derive(Clone, Debug)]
pub struct Publication {
    /// The replaced snapshot.
    pub previous: Option<Arc<Snapshot>>,
    /// The new snapshot.
    pub current: Arc<Snapshot>,
}

/// The latest published families of one source.
#[derive(Debug)]
pub struct Snapshot {
    /// The source's name (a collector name, or `push/<job>`).
    pub source: String,
    /// The families as published.
    pub families: Vec<MetricFamily>,
    /// The families in the text format, encoded once at publish time.
    pub encoded: String,
    /// When the source produced them.
    pub collected_at: SystemTime,
}

impl Snapshot {
    /// Number of samples in the snapshot.
    pub fn sample_count(&self) -> usize {
        self.families.iter().map(|f| f.samples.len()).sum()
    }
}

/// Latest snapshots by source name. Cheap to clone (shared).
#[derive(Clone)]
pub struct Registry {
    snapshots: Arc<RwLock<BTreeMap<String, Arc<Snapshot>>>>,
    history: Option<Arc<History>>,
    publications: broadcast::Sender<Publication>,
}

impl Default for Registry {
    fn default() -> Self {
        Self {
            snapshots: Arc::default(),
            history: None,
            publications: broadcast::channel(PUBLICATION_BACKLOG).0,
        }
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("sources", &self.snapshots().len())
            .field("history", &self.history.is_some())
            .finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty registry that also records published samples into `history` (the windows the
    /// rule engine reads; which names, `History::record_only` decides).
    pub fn with_history(history: Arc<History>) -> Self {
        Self {
            history: Some(history),
            ..Self::default()
        }
    }

    /// The sample history, when the registry keeps one.
    pub fn history(&self) -> Option<&Arc<History>> {
        self.history.as_ref()
    }

    /// Replaces the snapshot of `source` with `families`.
    pub fn publish(&self, source: &str, families: Vec<MetricFamily>, collected_at: SystemTime) {
        if let Some(history) = &self.history {
            history.record_from(source, &families, unix_millis(collected_at));
        }
        let mut encoded = String::new();
        encode_families(&families, &mut encoded);
        encoded.shrink_to_fit(); // held until the next publication: no growth slack
        let snapshot = Arc::new(Snapshot {
            source: source.to_owned(),
            families,
            encoded,
            collected_at,
        });
        let previous = self
            .snapshots
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(source.to_owned(), snapshot.clone());
        if self.publications.receiver_count() > 0 {
            // An error only means every subscriber left meanwhile.
            let _ = self.publications.send(Publication {
                previous,
                current: snapshot,
            });
        }
    }

    /// Every later publication (the WebSocket stream diffs them into `metric_update`s).
    pub fn subscribe(&self) -> broadcast::Receiver<Publication> {
        self.publications.subscribe()
    }

    /// Drops the snapshot of `source`, returning whether there was one.
    pub fn remove(&self, source: &str) -> bool {
        self.snapshots
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(source)
            .is_some()
    }

    /// The snapshot of `source`, if any.
    pub fn snapshot(&self, source: &str) -> Option<Arc<Snapshot>> {
        self.snapshots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(source)
            .cloned()
    }

    /// All snapshots, in source-name order.
    pub fn snapshots(&self) -> Vec<Arc<Snapshot>> {
        self.snapshots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    /// Every snapshot's text as a shared chunk, in source-name order: a scrape sends them as
    /// they are, without copying them into one body.
    pub fn encoded_chunks(&self) -> Vec<Bytes> {
        self.snapshots()
            .into_iter()
            .map(|snapshot| Bytes::from_owner(EncodedText(snapshot)))
            .collect()
    }

    /// Appends every snapshot's text to `out`.
    pub fn encode_into(&self, out: &mut String) {
        for snapshot in self.snapshots() {
            out.push_str(&snapshot.encoded);
        }
    }
}

/// A snapshot seen as its encoded text (the owner of a [`Bytes`] chunk).
struct EncodedText(Arc<Snapshot>);

impl AsRef<[u8]> for EncodedText {
    fn as_ref(&self) -> &[u8] {
        self.0.encoded.as_bytes()
    }
}

/// Milliseconds since the Unix epoch (0 for times before it).
pub fn unix_millis(time: SystemTime) -> i64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Batch;

    #[test]
    fn publish_replaces_the_previous_snapshot() {
        let registry = Registry::new();
        let mut batch = Batch::new();
        batch.gauge("a", "A.", &[], 1.0);
        registry.publish("one", batch.into_families(), SystemTime::UNIX_EPOCH);
        let mut batch = Batch::new();
        batch.gauge("a", "A.", &[], 2.0);
        registry.publish("one", batch.into_families(), SystemTime::UNIX_EPOCH);
        let mut out = String::new();
        registry.encode_into(&mut out);
        assert_eq!(out, "# HELP a A.\n# TYPE a gauge\na 2\n");
        let chunks = registry.encoded_chunks();
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0], out.as_bytes());
        assert!(registry.remove("one"));
        assert!(registry.snapshot("one").is_none());
    }

    #[test]
    fn subscribers_get_each_publication_with_the_one_it_replaced() {
        let registry = Registry::new();
        let mut publications = registry.subscribe();
        for value in [1.0, 2.0] {
            let mut batch = Batch::new();
            batch.gauge("a", "A.", &[], value);
            registry.publish("one", batch.into_families(), SystemTime::UNIX_EPOCH);
        }
        let first = publications.try_recv().unwrap();
        assert!(first.previous.is_none());
        let second = publications.try_recv().unwrap();
        let previous = second.previous.unwrap();
        assert_eq!(previous.families[0].samples[0].value, 1.0);
        assert_eq!(second.current.families[0].samples[0].value, 2.0);
    }
}
