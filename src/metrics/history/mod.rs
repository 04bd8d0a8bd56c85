//! `History`: recent samples per series for rule windows, the engine's
//! [`SampleSource`](crate::model::source::SampleSource).
//!
//! Series are keyed by series name (`x`, `x_bucket`, `x_sum`, `x_count`) and label fingerprint;
//! each holds a [`ring::Ring`] of 12-byte samples kept for the retention (the longest window
//! the rules need, at least the 5m instant lookback for the newest sample). Metrics are spread
//! over sharded `RwLock`s by name, so one writer per source and many readers proceed together;
//! no lock is held across an await (there are none). A series a source stops reporting is
//! marked stale at that source's next record (a timestamp, not a NaN sample): instant
//! selectors stop seeing it at once, range windows still see its earlier samples, and it is
//! dropped once its newest sample is older than the retention. A series can also carry explicit
//! staleness markers ([`History::insert_stale`], the rule unit-test runner's `stale`). Label
//! sets are interned across metrics ([`interner`]).
//!
//! Published samples are recorded only for the series names some reader needs
//! ([`History::record_only`]: the running rules' selectors and the JSON API's rates), so a
//! pushed or collected series nothing reads costs no window; `insert` is never filtered.

mod interner;
mod read;
mod ring;

use super::MetricFamily;
use crate::model::Labels;
use crate::model::source::LOOKBACK;
use interner::LabelInterner;
use ring::{Ring, SLOT_BYTES};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

const SHARDS: usize = 16;
const NOT_STALE: i64 = i64::MAX;
const MANUAL_SOURCE: u32 = u32::MAX;
/// The value stored for an explicit staleness marker (Prometheus's StaleNaN bit pattern, which
/// no parsed or computed NaN has).
const STALE_MARKER_BITS: u64 = 0x7ff0_0000_0000_0002;

fn is_stale_marker(value: f64) -> bool {
    value.to_bits() == STALE_MARKER_BITS
}

/// Hashes an already well-mixed u64 fingerprint by passing it through.
#[derive(Default)]
struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type SeriesMap = HashMap<u64, Series, BuildHasherDefault<PassThroughHasher>>;

struct Series {
    labels: Arc<Labels>,
    ring: Ring,
    stale_at_ms: i64,
    source: u32,
    round: u32,
}

#[derive(Default)]
struct Shard {
    metrics: HashMap<Box<str>, SeriesMap>,
}

#[derive(Default)]
struct SourceState {
    id: u32,
    round: u32,
    metrics: HashSet<String>,
}

/// Memory and size figures of a [`History`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HistoryStats {
    /// Series held.
    pub series: usize,
    /// Samples held.
    pub samples: usize,
    /// Bytes of ring slots allocated for samples (capacity × 12).
    pub sample_bytes: usize,
    /// Distinct label sets held (series share them across metrics).
    pub label_sets: usize,
}

/// Recent samples per series, thread-safe; see the module doc.
pub struct History {
    retention_ms: i64,
    shards: Vec<RwLock<Shard>>,
    sources: Mutex<HashMap<String, SourceState>>,
    labels: LabelInterner,
    recorded: RwLock<Option<Arc<HashSet<String>>>>,
}

fn shard_of(metric: &str) -> usize {
    let mut hasher = PassThroughHasher(0xcbf2_9ce4_8422_2325);
    hasher.write(metric.as_bytes());
    (hasher.finish() % SHARDS as u64) as usize
}

impl History {
    /// An empty history keeping samples for `retention` (raised to the 5m lookback).
    pub fn new(retention: Duration) -> Self {
        let retention_ms = retention.max(LOOKBACK).as_millis().min(i64::MAX as u128) as i64;
        Self {
            retention_ms,
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            sources: Mutex::default(),
            labels: LabelInterner::default(),
            recorded: RwLock::default(),
        }
    }

    /// Records from now on only the series names in `names` (`None`: every series, the
    /// default). A series name left out is marked stale at its source's next record and
    /// dropped after the retention, like a series the source stopped reporting.
    pub fn record_only(&self, names: Option<HashSet<String>>) {
        *self
            .recorded
            .write()
            .unwrap_or_else(PoisonError::into_inner) = names.map(Arc::new);
    }

    fn recorded(&self) -> Option<Arc<HashSet<String>>> {
        self.recorded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How long samples are kept.
    pub fn retention(&self) -> Duration {
        Duration::from_millis(self.retention_ms as u64)
    }

    /// Records one collection of the default source (see [`History::record_from`]).
    pub fn record(&self, families: &[MetricFamily], at_ms: i64) {
        self.record_from("", families, at_ms);
    }

    /// Records every sample of `families` at `at_ms` for `source`; series this source reported
    /// last time but not now are marked stale, and expired series are dropped.
    pub fn record_from(&self, source: &str, families: &[MetricFamily], at_ms: i64) {
        let (id, round, previous) = {
            let mut sources = self.sources.lock().unwrap_or_else(PoisonError::into_inner);
            let next_id = sources.len() as u32;
            let state = sources
                .entry(source.to_owned())
                .or_insert_with(|| SourceState {
                    id: next_id,
                    ..SourceState::default()
                });
            state.round = state.round.wrapping_add(1);
            (state.id, state.round, std::mem::take(&mut state.metrics))
        };
        let recorded = self.recorded();
        let mut written = HashSet::new();
        let mut name = String::new();
        for family in families {
            let mut suffixes: Vec<&str> = family.samples.iter().map(|s| s.suffix).collect();
            suffixes.sort_unstable();
            suffixes.dedup();
            for suffix in suffixes {
                name.clear();
                name.push_str(&family.name);
                name.push_str(suffix);
                if recorded
                    .as_ref()
                    .is_some_and(|names| !names.contains(&name))
                {
                    continue;
                }
                let mut shard = self.write_shard(&name);
                let series = shard.metrics.entry(name.as_str().into()).or_default();
                for sample in family.samples.iter().filter(|s| s.suffix == suffix) {
                    self.push(series, &sample.labels, at_ms, sample.value, (id, round));
                }
                written.insert(name.clone());
            }
        }
        for metric in previous.iter().chain(&written) {
            self.mark_stale(metric, id, round, at_ms);
        }
        let mut sources = self.sources.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(state) = sources.get_mut(source) {
            state.metrics = written;
        }
    }

    /// Adds one sample outside any source (fixtures, rule unit tests); never marked stale.
    /// Samples of a series must come in time order (a sample at or before the newest is
    /// ignored).
    pub fn insert(&self, metric: &str, labels: &Labels, at_ms: i64, value: f64) {
        let mut shard = self.write_shard(metric);
        let series = shard.metrics.entry(metric.into()).or_default();
        self.push(series, labels, at_ms, value, (MANUAL_SOURCE, 0));
    }

    /// Adds a staleness marker at `at_ms`: from then until the series' next sample an instant
    /// selector does not see it; range windows skip the marker itself.
    pub fn insert_stale(&self, metric: &str, labels: &Labels, at_ms: i64) {
        self.insert(metric, labels, at_ms, f64::from_bits(STALE_MARKER_BITS));
    }

    fn write_shard(&self, metric: &str) -> std::sync::RwLockWriteGuard<'_, Shard> {
        self.shards[shard_of(metric)]
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, map: &mut SeriesMap, labels: &Labels, at_ms: i64, value: f64, by: (u32, u32)) {
        let fingerprint = labels.fingerprint().0;
        let series = map.entry(fingerprint).or_insert_with(|| Series {
            labels: self.labels.intern(fingerprint, labels),
            ring: Ring::default(),
            stale_at_ms: NOT_STALE,
            source: by.0,
            round: by.1,
        });
        if *series.labels != *labels {
            return; // a 64-bit fingerprint collision: keep the first series
        }
        if series
            .ring
            .push(at_ms, value, at_ms.saturating_sub(self.retention_ms))
        {
            series.stale_at_ms = NOT_STALE;
            (series.source, series.round) = by;
        }
    }

    fn mark_stale(&self, metric: &str, source: u32, round: u32, at_ms: i64) {
        let mut shard = self.write_shard(metric);
        let cutoff = at_ms.saturating_sub(self.retention_ms);
        let mut dropped = Vec::new();
        if let Some(map) = shard.metrics.get_mut(metric) {
            for series in map.values_mut() {
                if series.source == source && series.round != round {
                    series.stale_at_ms = series.stale_at_ms.min(at_ms);
                }
            }
            map.retain(|&fingerprint, s| {
                let keep = s.ring.newest().is_some_and(|(t, _)| t > cutoff);
                if !keep {
                    dropped.push(fingerprint);
                }
                keep
            });
            if map.is_empty() {
                shard.metrics.remove(metric);
            }
        }
        drop(shard);
        self.labels.release_unused(&dropped);
    }

    /// Drops samples and series older than the retention before `now_ms`.
    pub fn prune(&self, now_ms: i64) {
        let cutoff = now_ms.saturating_sub(self.retention_ms);
        let mut dropped = Vec::new();
        for shard in &self.shards {
            let mut shard = shard.write().unwrap_or_else(PoisonError::into_inner);
            for map in shard.metrics.values_mut() {
                map.retain(|&fingerprint, series| {
                    series.ring.expire(cutoff);
                    let keep = series.ring.len() > 0;
                    if !keep {
                        dropped.push(fingerprint);
                    }
                    keep
                });
            }
            shard.metrics.retain(|_, map| !map.is_empty());
        }
        self.labels.release_unused(&dropped);
    }

    /// Series, samples and sample bytes held.
    pub fn stats(&self) -> HistoryStats {
        let mut stats = HistoryStats::default();
        for shard in &self.shards {
            let shard = shard.read().unwrap_or_else(PoisonError::into_inner);
            for series in shard.metrics.values().flat_map(|m| m.values()) {
                stats.series += 1;
                stats.samples += series.ring.len();
                stats.sample_bytes += series.ring.capacity() * SLOT_BYTES;
            }
        }
        stats.label_sets = self.labels.len();
        stats
    }
}

#[cfg(test)]
mod tests;
