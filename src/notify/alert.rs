//! The notifier's input: one alert as the rule engine reports it (firing or resolved), plus the
//! time helpers every payload uses (RFC 3339, Alertmanager's zero time, "fired for").
//!
//! Times are `std::time::SystemTime` everywhere in `notify`; nothing here reads the clock.

use crate::model::{Fingerprint, Labels};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// Alertmanager's "no time": `endsAt` of a firing alert in webhook payloads.
pub const ZERO_TIME_RFC3339: &str = "0001-01-01T00:00:00Z";

/// Whether an alert is firing or has resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    /// The condition holds (past its `for` duration).
    Firing,
    /// The condition stopped holding.
    Resolved,
}

impl AlertStatus {
    /// `firing` or `resolved`, as in Alertmanager payloads.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Firing => "firing",
            Self::Resolved => "resolved",
        }
    }
}

/// One alert event from the rule engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The alert's identity (fingerprint of its labels).
    pub fingerprint: Fingerprint,
    /// Identifying labels (`alertname`, `severity`, `instance`, ...).
    pub labels: Labels,
    /// Non-identifying text (`summary`, `description`, `runbook_url`, ...).
    pub annotations: BTreeMap<String, String>,
    /// Firing or resolved.
    pub status: AlertStatus,
    /// When the alert started firing.
    pub starts_at: SystemTime,
    /// When it resolved; `None` while firing.
    pub ends_at: Option<SystemTime>,
    /// The value of the rule's expression when it last fired (or at the last evaluation).
    pub value: f64,
    /// The value at the evaluation that resolved it (not the last firing value).
    pub resolved_value: Option<f64>,
    /// A link back to the rule or its graph.
    pub generator_url: String,
    /// Receivers named by the rule (`channels:`); when set they bypass the routing tree.
    pub channels: Vec<String>,
}

impl Alert {
    /// The `alertname` label, or an empty string.
    pub fn name(&self) -> &str {
        self.labels.get("alertname").unwrap_or("")
    }

    /// The `severity` label, or an empty string.
    pub fn severity(&self) -> &str {
        self.labels.get("severity").unwrap_or("")
    }

    /// True while firing.
    pub fn is_firing(&self) -> bool {
        self.status == AlertStatus::Firing
    }

    /// How long the alert fired: `ends_at - starts_at` once resolved.
    pub fn fired_for(&self) -> Option<Duration> {
        let ends_at = self.ends_at?;
        Some(
            ends_at
                .duration_since(self.starts_at)
                .unwrap_or(Duration::ZERO),
        )
    }

    /// The value worth showing: the value at resolve once resolved (`absent` when the series
    /// was gone at resolve time), else the firing value.
    pub fn value_text(&self) -> String {
        match (self.status, self.resolved_value) {
            (AlertStatus::Resolved, Some(value)) => format_value(value),
            (AlertStatus::Resolved, None) => "absent".to_owned(),
            (AlertStatus::Firing, _) => format_value(self.value),
        }
    }
}

/// `time + duration`, saturating at about 100 years later instead of panicking on overflow
/// (durations come from config).
pub fn later(time: SystemTime, duration: Duration) -> SystemTime {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 86_400);
    time.checked_add(duration.min(CENTURY)).unwrap_or(time)
}

/// RFC 3339 with milliseconds in UTC, e.g. `2026-12-01T19:36:01.123Z`.
pub fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

/// `endsAt` as Alertmanager writes it: the zero time while firing.
pub fn rfc3339_or_zero(time: Option<SystemTime>) -> String {
    time.map_or_else(|| ZERO_TIME_RFC3339.to_owned(), rfc3339)
}

/// A sample value for humans: integers without a fraction, others to at most 4 decimals.
pub fn format_value(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A duration for humans, rounded to whole seconds (`1h 2m 3s`).
pub fn format_elapsed(duration: Duration) -> String {
    humantime::format_duration(Duration::from_secs(duration.as_secs())).to_string()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A firing alert for tests: `alertname`, `severity`, `instance` labels, value 97.5.
    pub(crate) fn firing(name: &str, severity: &str, instance: &str, start_secs: u64) -> Alert {
        let labels = Labels::from_pairs([
            ("alertname", name),
            ("severity", severity),
            ("instance", instance),
        ]);
        Alert {
            fingerprint: labels.fingerprint(),
            labels,
            annotations: BTreeMap::from([("summary".to_owned(), format!("{name} on {instance}"))]),
            status: AlertStatus::Firing,
            starts_at: at(start_secs),
            ends_at: None,
            value: 97.5,
            resolved_value: None,
            generator_url: "http://watchpost:39101/api/v1/rules".to_owned(),
            channels: Vec::new(),
        }
    }

    /// The same alert resolved at `end_secs` with value 12.
    pub(crate) fn resolved(mut alert: Alert, end_secs: u64) -> Alert {
        alert.status = AlertStatus::Resolved;
        alert.ends_at = Some(at(end_secs));
        alert.resolved_value = Some(12.0);
        alert
    }

    /// `UNIX_EPOCH + secs`.
    pub(crate) fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn resolved_alert_reports_resolve_value_and_duration() {
        let alert = resolved(firing("HighCpu", "critical", "a", 100), 400);
        assert_eq!(alert.value_text(), "12");
        let gone = Alert {
            resolved_value: None,
            ..alert.clone()
        };
        assert_eq!(gone.value_text(), "absent");
        assert_eq!(alert.fired_for(), Some(Duration::from_secs(300)));
        assert_eq!(firing("HighCpu", "critical", "a", 100).fired_for(), None);
    }

    #[test]
    fn formats_times_and_values() {
        assert_eq!(
            later(at(5), Duration::MAX),
            later(at(5), Duration::from_secs(3_153_600_000))
        );
        assert_eq!(later(at(5), Duration::from_secs(1)), at(6));
        assert_eq!(rfc3339(at(0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_or_zero(None), ZERO_TIME_RFC3339);
        assert_eq!(format_value(97.0), "97");
        assert_eq!(format_value(97.53333), "97.5333");
        assert_eq!(format_value(-0.00001), "0");
        assert_eq!(format_elapsed(Duration::from_millis(3_723_400)), "1h 2m 3s");
    }
}
