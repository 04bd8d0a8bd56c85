//! `RateLimiter`: token buckets per client (token name, else client IP) and rate-limit class.
//!
//! A class with budget N per minute holds at most N requests and refills N/60 per second. The
//! table is bounded by `max_clients`: when full, buckets that have refilled completely (idle
//! clients) are dropped first, then the longest idle tenth. Pure over `now` for tests.

use super::config::RateLimitConfig;
use super::routes::LimitClass;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Whose budget a request spends.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// A request authenticated by the token of this name.
    Token(String),
    /// Any other request, by client address.
    Ip(IpAddr),
}

/// The time in which any bucket refills completely from empty.
const REFILL_TIME: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The limiter shared by every request.
#[derive(Debug)]
pub struct RateLimiter {
    config: RateLimitConfig,
    buckets: Mutex<HashMap<(ClientKey, LimitClass), Bucket>>,
}

impl RateLimiter {
    /// A limiter with `config`'s budgets.
    pub fn new(config: RateLimitConfig) -> Self {
        Self {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Requests per minute of `class`; 0 is unlimited.
    fn budget(&self, class: LimitClass) -> u32 {
        let per_minute = &self.config.per_minute;
        match class {
            LimitClass::Health => per_minute.health,
            LimitClass::Metrics => per_minute.metrics,
            LimitClass::Logs => per_minute.logs,
            LimitClass::Alerts => per_minute.alerts,
            LimitClass::Other => per_minute.other,
        }
    }

    /// Whether loopback clients skip the limiter.
    pub fn exempts(&self, address: IpAddr) -> bool {
        !self.config.enabled || (self.config.exempt_loopback && address.is_loopback())
    }

    /// Spends one request of `client` in `class`; `Err(retry_after)` when the bucket is empty.
    pub fn check(
        &self,
        client: ClientKey,
        class: LimitClass,
        now: Instant,
    ) -> Result<(), Duration> {
        let budget = self.budget(class);
        if !self.config.enabled || budget == 0 {
            return Ok(());
        }
        let capacity = f64::from(budget);
        let per_second = capacity / 60.0;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = (client, class);
        if !buckets.contains_key(&key) && buckets.len() >= self.config.max_clients.max(1) {
            evict(&mut buckets, now);
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / per_second).ceil().max(1.0);
            Err(Duration::from_secs(wait as u64))
        }
    }

    /// How many buckets are tracked (for tests and the memory bound).
    pub fn tracked(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}

/// Drops refilled buckets, then (if that freed nothing) the longest idle tenth.
fn evict(buckets: &mut HashMap<(ClientKey, LimitClass), Bucket>, now: Instant) {
    let before = buckets.len();
    // Every bucket refills completely within a minute.
    buckets.retain(|_, bucket| now.saturating_duration_since(bucket.last) < REFILL_TIME);
    if buckets.len() < before {
        return;
    }
    let mut ages: Vec<_> = buckets
        .iter()
        .map(|(key, b)| (b.last, key.clone()))
        .collect();
    ages.sort_by_key(|(last, _)| *last);
    for (_, key) in ages.into_iter().take(before / 10 + 1) {
        buckets.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::auth::config::PerMinute;

    fn limiter(max_clients: usize) -> RateLimiter {
        RateLimiter::new(RateLimitConfig {
            enabled: true,
            exempt_loopback: true,
            max_clients,
            per_minute: PerMinute {
                health: 0,
                metrics: 2,
                logs: 60,
                alerts: 1,
                other: 0,
            },
        })
    }

    fn ip(last: u8) -> ClientKey {
        ClientKey::Ip(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn a_bucket_empties_and_says_when_to_retry() {
        let limiter = limiter(100);
        let now = Instant::now();
        assert!(limiter.check(ip(1), LimitClass::Metrics, now).is_ok());
        assert!(limiter.check(ip(1), LimitClass::Metrics, now).is_ok());
        assert_eq!(
            limiter.check(ip(1), LimitClass::Metrics, now),
            Err(Duration::from_secs(30))
        );
        // Another client and another class have their own buckets.
        assert!(limiter.check(ip(2), LimitClass::Metrics, now).is_ok());
        assert!(limiter.check(ip(1), LimitClass::Logs, now).is_ok());
        // 30 s later one request is back.
        let later = now + Duration::from_secs(30);
        assert!(limiter.check(ip(1), LimitClass::Metrics, later).is_ok());
        assert!(limiter.check(ip(1), LimitClass::Metrics, later).is_err());
    }

    #[test]
    fn unlimited_classes_and_loopback_pass() {
        let limiter = limiter(100);
        let now = Instant::now();
        for _ in 0..1000 {
            assert!(limiter.check(ip(1), LimitClass::Health, now).is_ok());
        }
        assert!(limiter.exempts(IpAddr::from([127, 0, 0, 1])));
        assert!(!limiter.exempts(IpAddr::from([10, 0, 0, 1])));
        assert_eq!(limiter.tracked(), 0);
    }

    #[test]
    fn tokens_and_addresses_are_separate_clients() {
        let limiter = limiter(100);
        let now = Instant::now();
        assert!(
            limiter
                .check(ClientKey::Token("ci".into()), LimitClass::Alerts, now)
                .is_ok()
        );
        assert!(
            limiter
                .check(ClientKey::Token("ci".into()), LimitClass::Alerts, now)
                .is_err()
        );
        assert!(limiter.check(ip(1), LimitClass::Alerts, now).is_ok());
    }

    #[test]
    fn the_table_stays_bounded() {
        let limiter = limiter(50);
        let now = Instant::now();
        for last in 0..=255u8 {
            let _ = limiter.check(ip(last), LimitClass::Alerts, now);
        }
        assert!(limiter.tracked() <= 50, "{}", limiter.tracked());
    }
}
