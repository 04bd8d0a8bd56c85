//! Per-probe state between attempts: the consecutive failure count that "retries before down"
//! debounces, and the last attempt, as the `ProbeStatus` the JSON API shows.

use super::outcome::{Attempt, FailureReason};
use serde::{Serialize, Serializer};
use std::time::{Duration, SystemTime};

/// What the API shows about one probe after its last attempt.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProbeStatus {
    /// The probe's name (`probe` label).
    pub name: String,
    /// Its target (`target` label).
    pub target: String,
    /// `probe_success`: false only after more than `retries` consecutive failures.
    pub up: bool,
    /// Failures in a row, 0 after a success.
    pub consecutive_failures: u32,
    /// How long the last attempt took.
    #[serde(serialize_with = "seconds")]
    pub last_duration: Duration,
    /// The HTTP status of the last attempt, if a response arrived.
    pub last_status_code: Option<u16>,
    /// Why the last attempt failed (`None` when it succeeded).
    pub last_failure_reason: Option<FailureReason>,
    /// What went wrong in the last attempt (never contains header values).
    pub last_error: Option<String>,
    /// When the last attempt finished.
    #[serde(serialize_with = "rfc3339")]
    pub checked_at: SystemTime,
    /// The leaf certificate's notAfter (Unix seconds), HTTPS only.
    pub cert_expiry: Option<i64>,
}

fn seconds<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64())
}

fn rfc3339<S: Serializer>(time: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&humantime::format_rfc3339_millis(*time))
}

impl ProbeStatus {
    /// The status after `attempt`, given the previous one (`None` before the first attempt)
    /// and the failures the probe tolerates.
    pub fn after(
        previous: Option<&ProbeStatus>,
        (name, target): (&str, &str),
        retries: u32,
        attempt: Attempt,
        now: SystemTime,
    ) -> Self {
        let consecutive_failures = match &attempt.failure {
            None => 0,
            Some(_) => previous
                .map_or(0, |p| p.consecutive_failures)
                .saturating_add(1),
        };
        Self {
            name: name.to_owned(),
            target: target.to_owned(),
            up: consecutive_failures <= retries,
            consecutive_failures,
            last_duration: attempt.duration,
            last_status_code: attempt.status_code,
            last_failure_reason: attempt.failure.as_ref().map(|f| f.reason),
            last_error: attempt.failure.map(|f| f.message),
            checked_at: now,
            cert_expiry: attempt.cert_expiry,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::probe::outcome::Failure;

    fn attempt(failed: bool) -> Attempt {
        Attempt {
            duration: Duration::from_millis(12),
            status_code: Some(if failed { 500 } else { 200 }),
            cert_expiry: None,
            failure: failed.then(|| Failure::new(FailureReason::Status, "status 500 not in [2xx]")),
        }
    }

    #[test]
    fn down_only_after_more_than_retries_failures_and_up_again_at_once() {
        let mut status: Option<ProbeStatus> = None;
        let mut ups = Vec::new();
        for failed in [true, true, true, false, true] {
            let next = ProbeStatus::after(
                status.as_ref(),
                ("api", "http://x/"),
                2,
                attempt(failed),
                SystemTime::UNIX_EPOCH,
            );
            ups.push((next.up, next.consecutive_failures));
            status = Some(next);
        }
        assert_eq!(
            ups,
            [(true, 1), (true, 2), (false, 3), (true, 0), (true, 1)]
        );
        let last = status.unwrap();
        assert_eq!(last.last_failure_reason, Some(FailureReason::Status));
        let json = serde_json::to_value(&last).unwrap();
        assert_eq!(json["checked_at"], "1970-01-01T00:00:00.000Z");
        assert_eq!(json["last_duration"], 0.012);
        assert_eq!(json["last_failure_reason"], "status");
    }

    #[test]
    fn zero_retries_is_down_on_the_first_failure() {
        let status = ProbeStatus::after(None, ("a", "b"), 0, attempt(true), SystemTime::UNIX_EPOCH);
        assert!(!status.up);
    }
}
