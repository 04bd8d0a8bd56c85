//! The one retry policy for every integration: exponential backoff with jitter, a per-attempt
//! timeout, and a dead letter after `max_attempts` or `max_age`.
//!
//! Pure: the caller passes `now`, the outcome of the attempt it just made and a jitter seed
//! (derived from the notification id, so a restart reproduces the same schedule). Retry timing
//! is independent of grouping timers. `classify_http` turns an HTTP status into an `Outcome`.

use super::alert::later;
use super::config::DeliveryConfig;
use super::retry_after::parse_retry_after;
use std::time::{Duration, SystemTime};

/// What one delivery attempt achieved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver accepted it.
    Delivered,
    /// A transient failure; retry, no sooner than `retry_after` if the receiver said so.
    Retryable {
        /// What went wrong (never contains secrets).
        reason: String,
        /// The receiver's `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help (bad request, auth, unknown channel).
    Permanent(String),
}

impl Outcome {
    /// A retryable failure without a server hint.
    pub fn retryable(reason: impl Into<String>) -> Self {
        Self::Retryable {
            reason: reason.into(),
            retry_after: None,
        }
    }

    /// The attempt exceeded `attempt_timeout` (retryable).
    pub fn timed_out(timeout: Duration) -> Self {
        Self::retryable(format!("attempt timed out after {timeout:?}"))
    }
}

/// What to do after an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Delivered: remove from the outbox.
    Done,
    /// Try again at this time.
    RetryAt(SystemTime),
    /// Give up: move to the dead letters with this reason.
    DeadLetter(String),
}

/// The policy from `notify.delivery`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before dead letter (at least 1).
    pub max_attempts: u32,
    /// Oldest a notification may get (from its first attempt) before dead letter.
    pub max_age: Duration,
    /// Backoff after the first failure.
    pub initial_backoff: Duration,
    /// Longest backoff.
    pub max_backoff: Duration,
    /// How long one attempt may take.
    pub attempt_timeout: Duration,
}

impl From<&DeliveryConfig> for RetryPolicy {
    fn from(config: &DeliveryConfig) -> Self {
        Self {
            max_attempts: config.max_attempts.max(1),
            max_age: config.max_age,
            initial_backoff: config.initial_backoff,
            max_backoff: config.max_backoff,
            attempt_timeout: config.attempt_timeout,
        }
    }
}

impl RetryPolicy {
    /// The decision after attempt number `attempt` (1 = first try) produced `outcome`.
    pub fn next_attempt(
        &self,
        attempt: u32,
        first_try_at: SystemTime,
        now: SystemTime,
        outcome: &Outcome,
        seed: u64,
    ) -> Decision {
        let (reason, retry_after) = match outcome {
            Outcome::Delivered => return Decision::Done,
            Outcome::Permanent(reason) => {
                return Decision::DeadLetter(format!("permanent failure: {reason}"));
            }
            Outcome::Retryable {
                reason,
                retry_after,
            } => (reason, retry_after),
        };
        if attempt >= self.max_attempts {
            return Decision::DeadLetter(format!("gave up after {attempt} attempts: {reason}"));
        }
        let delay = retry_after.unwrap_or_else(|| self.backoff(attempt, seed));
        let retry_at = later(now, delay);
        if retry_at > later(first_try_at, self.max_age) {
            let max_age = crate::model::duration::format_duration(self.max_age);
            return Decision::DeadLetter(format!("gave up after max_age {max_age}: {reason}"));
        }
        Decision::RetryAt(retry_at)
    }

    /// The jittered backoff after failed attempt `attempt`: half the exponential step plus a
    /// random part of the other half, capped at `max_backoff`.
    pub fn backoff(&self, attempt: u32, seed: u64) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32);
        let step = self
            .initial_backoff
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.max_backoff);
        let half = step / 2;
        let random = xorshift(seed ^ u64::from(attempt).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let fraction = (random >> 11) as f64 / (1u64 << 53) as f64;
        half + half.mul_f64(fraction)
    }
}

/// A jitter seed from a notification id (FNV-1a), so the schedule survives restarts.
pub fn seed_from_id(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
    })
}

fn xorshift(seed: u64) -> u64 {
    let mut x = if seed == 0 {
        0x2545_f491_4f6c_dd1d
    } else {
        seed
    };
    for _ in 0..3 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// Classifies an HTTP response: 2xx delivered; 429 and 5xx retryable (429 honours
/// `Retry-After` as seconds or an HTTP-date relative to `now`); anything else permanent.
pub fn classify_http(status: u16, retry_after_header: Option<&str>, now: SystemTime) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        429 => Outcome::Retryable {
            reason: "http status 429 too many requests".to_owned(),
            retry_after: retry_after_header.and_then(|header| parse_retry_after(header, now)),
        },
        500..=599 => Outcome::Retryable {
            reason: format!("http status {status}"),
            retry_after: retry_after_header.and_then(|header| parse_retry_after(header, now)),
        },
        _ => Outcome::Permanent(format!("http status {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::alert::tests::at;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            max_age: Duration::from_secs(600),
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            attempt_timeout: Duration::from_secs(10),
        }
    }

    #[test]
    fn classify_http_table() {
        let now = at(1_445_412_480);
        let secs = |s| Some(Duration::from_secs(s));
        let table: [(u16, Option<&str>, Outcome); 9] = [
            (200, None, Outcome::Delivered),
            (204, None, Outcome::Delivered),
            (400, None, Outcome::Permanent("http status 400".into())),
            (404, None, Outcome::Permanent("http status 404".into())),
            (301, None, Outcome::Permanent("http status 301".into())),
            (500, None, Outcome::retryable("http status 500")),
            (
                503,
                Some("7"),
                Outcome::Retryable {
                    reason: "http status 503".into(),
                    retry_after: secs(7),
                },
            ),
            (
                429,
                Some("120"),
                Outcome::Retryable {
                    reason: "http status 429 too many requests".into(),
                    retry_after: secs(120),
                },
            ),
            (
                429,
                Some("Wed, 21 Oct 2015 07:28:30 GMT"),
                Outcome::Retryable {
                    reason: "http status 429 too many requests".into(),
                    retry_after: secs(30),
                },
            ),
        ];
        for (status, header, expected) in table {
            assert_eq!(
                classify_http(status, header, now),
                expected,
                "{status} {header:?}"
            );
        }
    }

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let policy = policy();
        let seed = seed_from_id("n-1");
        let first = policy.backoff(1, seed);
        assert!(
            first >= Duration::from_millis(500) && first <= Duration::from_secs(1),
            "{first:?}"
        );
        let fourth = policy.backoff(4, seed);
        assert!(
            fourth >= Duration::from_secs(4) && fourth <= Duration::from_secs(8),
            "{fourth:?}"
        );
        let late = policy.backoff(40, seed);
        assert!(
            late >= Duration::from_secs(30) && late <= Duration::from_secs(60),
            "{late:?}"
        );
        assert_eq!(policy.backoff(3, seed), policy.backoff(3, seed));
        assert_ne!(
            policy.backoff(3, seed),
            policy.backoff(3, seed_from_id("n-2"))
        );
    }

    #[test]
    fn decisions() {
        let policy = policy();
        let failed = Outcome::retryable("http status 500");
        assert_eq!(
            policy.next_attempt(1, at(0), at(0), &Outcome::Delivered, 1),
            Decision::Done
        );
        assert!(
            matches!(policy.next_attempt(1, at(0), at(0), &failed, 1), Decision::RetryAt(t) if t > at(0) && t <= at(1))
        );
        let hinted = Outcome::Retryable {
            reason: "429".into(),
            retry_after: Some(Duration::from_secs(30)),
        };
        assert_eq!(
            policy.next_attempt(2, at(0), at(10), &hinted, 1),
            Decision::RetryAt(at(40))
        );
        assert!(
            matches!(policy.next_attempt(5, at(0), at(10), &failed, 1), Decision::DeadLetter(r) if r.contains("5 attempts"))
        );
        assert!(
            matches!(policy.next_attempt(2, at(0), at(600), &failed, 1), Decision::DeadLetter(r) if r.contains("max_age 10m"))
        );
        let permanent = Outcome::Permanent("http status 400".into());
        assert!(
            matches!(policy.next_attempt(1, at(0), at(0), &permanent, 1), Decision::DeadLetter(r) if r.starts_with("permanent"))
        );
    }
}
