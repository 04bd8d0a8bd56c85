//! `LatencySketch`, a mergeable latency distribution with bounded relative error, and
//! `PeriodStats`, what one service did in one period (requests by class, exact latency sum,
//! min and max, the sketch, log entries). Minute stats merge into hour and day stats without
//! loss beyond the sketch's own error: counts add, min and max combine, sketches merge bucket by
//! bucket, so an hour's p99 is the p99 of its requests, not an average of minute p99s.
//!
//! The sketch keeps log-spaced buckets (`GAMMA` = 1.02): bucket `i` holds values in
//! `(GAMMA^(i-1), GAMMA^i]` milliseconds and reports `2·GAMMA^i / (GAMMA + 1)`, so a quantile
//! is within 1% of a true sample value.

use std::collections::BTreeMap;

/// The bucket growth factor (relative error (GAMMA-1)/(GAMMA+1), under 1%).
pub const GAMMA: f64 = 1.02;
/// Values at or below this many milliseconds count as zero.
const ZERO_MS: f64 = 1e-3;

/// A mergeable latency distribution in milliseconds. See the module documentation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LatencySketch {
    zeros: u64,
    buckets: BTreeMap<i32, u64>,
}

impl LatencySketch {
    /// Records one latency (negative and NaN values count as zero).
    pub fn record(&mut self, milliseconds: f64) {
        if milliseconds.is_nan() || milliseconds <= ZERO_MS {
            self.zeros += 1;
            return;
        }
        let index = (milliseconds.ln() / GAMMA.ln()).ceil();
        let index = index.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
        *self.buckets.entry(index).or_default() += 1;
    }

    /// Adds every observation of `other`.
    pub fn merge(&mut self, other: &Self) {
        self.zeros += other.zeros;
        for (index, count) in &other.buckets {
            *self.buckets.entry(*index).or_default() += count;
        }
    }

    /// The number of observations.
    pub fn count(&self) -> u64 {
        self.zeros + self.buckets.values().sum::<u64>()
    }

    /// The nearest-rank `q` quantile (0..=1), `None` without observations.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let count = self.count();
        if count == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * count as f64).ceil() as u64).clamp(1, count);
        if rank <= self.zeros {
            return Some(0.0);
        }
        let mut seen = self.zeros;
        for (index, bucket) in &self.buckets {
            seen += bucket;
            if seen >= rank {
                return Some(2.0 * GAMMA.powi(*index) / (GAMMA + 1.0));
            }
        }
        None
    }

    /// The compact text form stored in the database: `z:<zeros>;<index>:<count>;...`.
    pub fn encode(&self) -> String {
        let mut out = format!("z:{}", self.zeros);
        for (index, count) in &self.buckets {
            out.push_str(&format!(";{index}:{count}"));
        }
        out
    }

    /// Parses `encode`'s form; `None` when it is not one.
    pub fn decode(text: &str) -> Option<Self> {
        let mut sketch = Self::default();
        for (i, part) in text.split(';').filter(|p| !p.is_empty()).enumerate() {
            let (key, count) = part.split_once(':')?;
            let count: u64 = count.parse().ok()?;
            if i == 0 && key == "z" {
                sketch.zeros = count;
            } else {
                *sketch.buckets.entry(key.parse().ok()?).or_default() += count;
            }
        }
        Some(sketch)
    }
}

/// What one service did in one period. See the module documentation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PeriodStats {
    /// Tracked requests.
    pub requests: u64,
    /// Requests answered 5xx.
    pub server_errors: u64,
    /// Requests answered 4xx.
    pub client_errors: u64,
    /// Requests answered 408 or 504 (also counted as client or server errors).
    pub timeout_errors: u64,
    /// Sum of request latencies in milliseconds.
    pub latency_sum_ms: f64,
    /// Smallest request latency, when there were requests.
    pub latency_min_ms: Option<f64>,
    /// Largest request latency, when there were requests.
    pub latency_max_ms: Option<f64>,
    /// The latency distribution.
    pub sketch: LatencySketch,
    /// Log entries pushed.
    pub log_entries: u64,
    /// Error and fatal log entries pushed.
    pub log_errors: u64,
}

impl PeriodStats {
    /// Counts one request answered `status` after `milliseconds`.
    pub fn record_request(&mut self, status: u16, milliseconds: f64) {
        self.requests += 1;
        self.server_errors += u64::from(status >= 500);
        self.client_errors += u64::from((400..500).contains(&status));
        self.timeout_errors += u64::from(status == 408 || status == 504);
        let milliseconds = if milliseconds.is_finite() {
            milliseconds.max(0.0)
        } else {
            0.0
        };
        self.latency_sum_ms += milliseconds;
        self.latency_min_ms = Some(
            self.latency_min_ms
                .map_or(milliseconds, |m| m.min(milliseconds)),
        );
        self.latency_max_ms = Some(
            self.latency_max_ms
                .map_or(milliseconds, |m| m.max(milliseconds)),
        );
        self.sketch.record(milliseconds);
    }

    /// Counts one log entry.
    pub fn record_log(&mut self, is_error: bool) {
        self.log_entries += 1;
        self.log_errors += u64::from(is_error);
    }

    /// Adds `other` (a later or parallel period) into `self`.
    pub fn merge(&mut self, other: &Self) {
        self.requests += other.requests;
        self.server_errors += other.server_errors;
        self.client_errors += other.client_errors;
        self.timeout_errors += other.timeout_errors;
        self.latency_sum_ms += other.latency_sum_ms;
        self.latency_min_ms = combine(self.latency_min_ms, other.latency_min_ms, f64::min);
        self.latency_max_ms = combine(self.latency_max_ms, other.latency_max_ms, f64::max);
        self.sketch.merge(&other.sketch);
        self.log_entries += other.log_entries;
        self.log_errors += other.log_errors;
    }

    /// The mean request latency, when there were requests.
    pub fn mean_ms(&self) -> Option<f64> {
        (self.requests > 0).then(|| self.latency_sum_ms / self.requests as f64)
    }

    /// The `q` latency quantile, kept within the exact min and max (which `q` 0 and 1 give).
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        if q >= 1.0 {
            return self.latency_max_ms;
        }
        if q <= 0.0 {
            return self.latency_min_ms;
        }
        let value = self.sketch.quantile(q)?;
        let low = self.latency_min_ms.unwrap_or(value);
        let high = self.latency_max_ms.unwrap_or(value).max(low);
        Some(value.clamp(low, high))
    }
}

fn combine(a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_one_percent() {
        let mut sketch = LatencySketch::default();
        for ms in 1..=1000 {
            sketch.record(f64::from(ms));
        }
        for (q, exact) in [(0.5, 500.0), (0.95, 950.0), (0.99, 990.0), (1.0, 1000.0)] {
            let value = sketch.quantile(q).unwrap();
            assert!((value - exact).abs() / exact < 0.01, "q{q}: {value}");
        }
        assert_eq!(sketch.count(), 1000);
        assert_eq!(LatencySketch::default().quantile(0.5), None);
    }

    #[test]
    fn merged_minutes_give_the_quantile_of_all_requests() {
        let (mut fast, mut slow) = (PeriodStats::default(), PeriodStats::default());
        for _ in 0..90 {
            fast.record_request(200, 10.0);
        }
        for _ in 0..10 {
            slow.record_request(503, 1000.0);
        }
        let mut hour = PeriodStats::default();
        hour.merge(&fast);
        hour.merge(&slow);
        assert_eq!((hour.requests, hour.server_errors), (100, 10));
        assert_eq!(hour.mean_ms(), Some(109.0));
        assert_eq!(
            (hour.latency_min_ms, hour.latency_max_ms),
            (Some(10.0), Some(1000.0))
        );
        assert!((hour.quantile_ms(0.5).unwrap() - 10.0).abs() < 0.1);
        assert!((hour.quantile_ms(0.95).unwrap() - 1000.0).abs() < 10.0);
        assert_eq!(hour.quantile_ms(1.0), Some(1000.0));
    }

    #[test]
    fn classes_and_logs_are_counted() {
        let mut stats = PeriodStats::default();
        for status in [200, 404, 408, 500, 504] {
            stats.record_request(status, 1.0);
        }
        stats.record_log(true);
        stats.record_log(false);
        assert_eq!(
            (
                stats.client_errors,
                stats.server_errors,
                stats.timeout_errors
            ),
            (2, 2, 2)
        );
        assert_eq!((stats.log_entries, stats.log_errors), (2, 1));
    }

    #[test]
    fn encoding_round_trips_and_rejects_garbage() {
        let mut sketch = LatencySketch::default();
        for ms in [0.0, 0.5, 3.0, 3.0, 250.0] {
            sketch.record(ms);
        }
        let text = sketch.encode();
        assert!(text.starts_with("z:1;"), "{text}");
        assert_eq!(LatencySketch::decode(&text), Some(sketch));
        assert_eq!(LatencySketch::decode("z:x"), None);
        assert_eq!(LatencySketch::decode("7"), None);
    }
}
