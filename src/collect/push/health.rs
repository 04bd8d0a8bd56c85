//! Service health (seed 000): the error rate of each service over a sliding window, from
//! tracked requests (status >= 500, or >= 400 when configured) and logs (error and fatal),
//! classified `healthy` below the warning ratio, `warning` up to the critical ratio, and
//! `critical` above it. `classify` is a pure function over counts.

use super::config::HealthConfig;
use crate::metrics::{MetricFamily, MetricType};
use crate::model::Labels;
use std::collections::{BTreeMap, VecDeque};

/// A service's health status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// Error rate below the warning ratio (or no traffic).
    Healthy,
    /// Error rate from the warning ratio up to the critical ratio.
    Warning,
    /// Error rate above the critical ratio.
    Critical,
}

impl HealthStatus {
    /// Every status, for state-set metrics.
    pub const ALL: [Self; 3] = [Self::Healthy, Self::Warning, Self::Critical];

    /// The lowercase name used in the API and the `status` label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }
}

/// The status for `errors` out of `total` events: `< warning` healthy, `warning..=critical`
/// warning, `> critical` critical. No events is healthy.
pub fn classify(errors: u64, total: u64, config: &HealthConfig) -> HealthStatus {
    let rate = error_rate(errors, total);
    if rate > config.critical_ratio {
        HealthStatus::Critical
    } else if rate >= config.warning_ratio && total > 0 {
        HealthStatus::Warning
    } else {
        HealthStatus::Healthy
    }
}

/// `errors / total`, 0 without events.
pub fn error_rate(errors: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        errors as f64 / total as f64
    }
}

/// One service's health over the window (the shape of seed 000's `services` entries).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ServiceHealth {
    /// The service name.
    pub service: String,
    /// Its status.
    pub status: HealthStatus,
    /// `error_count / total_count`.
    pub error_rate: f64,
    /// Failed requests plus error and fatal log entries in the window.
    pub error_count: u64,
    /// Requests plus log entries in the window.
    pub total_count: u64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    start: u64,
    errors: u64,
    total: u64,
}

/// Per-service event counts in time buckets (window / 60 wide), old buckets dropped.
#[derive(Debug)]
pub struct HealthWindow {
    window: u64,
    width: u64,
    services: BTreeMap<String, VecDeque<Bucket>>,
}

impl HealthWindow {
    /// An empty window of `window_seconds`.
    pub fn new(window_seconds: u64) -> Self {
        let window = window_seconds.max(1);
        Self {
            window,
            width: (window / 60).max(1),
            services: BTreeMap::new(),
        }
    }

    /// Counts one event of `service` at `now` (Unix seconds).
    pub fn record(&mut self, service: &str, is_error: bool, now: u64) {
        let start = now - now % self.width;
        if !self.services.contains_key(service) {
            self.services.insert(service.to_owned(), VecDeque::new());
        }
        let Some(buckets) = self.services.get_mut(service) else {
            return;
        };
        match buckets.back_mut() {
            Some(last) if last.start >= start => {
                last.errors += u64::from(is_error);
                last.total += 1;
            }
            _ => buckets.push_back(Bucket {
                start,
                errors: u64::from(is_error),
                total: 1,
            }),
        }
    }

    /// Drops buckets that ended before the window and services left without any.
    pub fn prune(&mut self, now: u64) {
        let oldest = now.saturating_sub(self.window);
        for buckets in self.services.values_mut() {
            while buckets
                .front()
                .is_some_and(|b| b.start + self.width <= oldest)
            {
                buckets.pop_front();
            }
        }
        self.services.retain(|_, buckets| !buckets.is_empty());
    }

    /// The health of every service seen in the window, by name.
    pub fn report(&self, now: u64, config: &HealthConfig) -> Vec<ServiceHealth> {
        let oldest = now.saturating_sub(self.window);
        let mut out = Vec::new();
        for (service, buckets) in &self.services {
            let (errors, total) = buckets
                .iter()
                .filter(|b| b.start + self.width > oldest)
                .fold((0, 0), |(e, t), b| (e + b.errors, t + b.total));
            if total == 0 {
                continue;
            }
            out.push(ServiceHealth {
                service: service.clone(),
                status: classify(errors, total, config),
                error_rate: error_rate(errors, total),
                error_count: errors,
                total_count: total,
            });
        }
        out
    }
}

/// The report as `watchpost_service_error_ratio{service}` and the state set
/// `watchpost_service_health{service,status}` (1 for the current status).
pub fn health_families(report: &[ServiceHealth]) -> Vec<MetricFamily> {
    let mut ratio = MetricFamily::new(
        "watchpost_service_error_ratio",
        "Share of failed requests and error logs per service over the health window.",
        MetricType::Gauge,
    );
    let mut state = MetricFamily::new(
        "watchpost_service_health",
        "Health status per service (1 for the current status): healthy, warning or critical.",
        MetricType::Gauge,
    );
    for health in report {
        let service = Labels::from_pairs([("service", health.service.as_str())]);
        ratio.push(service.clone(), health.error_rate);
        for status in HealthStatus::ALL {
            let value = if status == health.status { 1.0 } else { 0.0 };
            state.push(service.clone().with("status", status.as_str()), value);
        }
    }
    vec![ratio, state]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_at_their_boundaries() {
        let config = HealthConfig::default();
        assert_eq!(classify(0, 0, &config), HealthStatus::Healthy);
        assert_eq!(classify(4, 100, &config), HealthStatus::Healthy);
        assert_eq!(classify(499, 10_000, &config), HealthStatus::Healthy);
        assert_eq!(classify(5, 100, &config), HealthStatus::Warning);
        assert_eq!(classify(1, 20, &config), HealthStatus::Warning);
        assert_eq!(classify(10, 100, &config), HealthStatus::Warning);
        assert_eq!(classify(1, 10, &config), HealthStatus::Warning);
        assert_eq!(classify(1001, 10_000, &config), HealthStatus::Critical);
        assert_eq!(classify(11, 100, &config), HealthStatus::Critical);
        let strict = HealthConfig {
            warning_ratio: 0.01,
            critical_ratio: 0.02,
            ..HealthConfig::default()
        };
        assert_eq!(classify(2, 100, &strict), HealthStatus::Warning);
        assert_eq!(classify(3, 100, &strict), HealthStatus::Critical);
    }

    #[test]
    fn window_forgets_old_events() {
        let config = HealthConfig::default();
        let mut window = HealthWindow::new(300);
        for i in 0..20 {
            window.record("docker", i < 2, 1_000);
        }
        window.record("auth", false, 1_200);
        let report = window.report(1_200, &config);
        assert_eq!(report.len(), 2);
        assert_eq!(report[1].service, "docker");
        assert_eq!(report[1].status, HealthStatus::Warning);
        assert_eq!((report[1].error_count, report[1].total_count), (2, 20));
        window.prune(1_400);
        let report = window.report(1_400, &config);
        assert_eq!(report.len(), 1);
        assert_eq!(report[0].service, "auth");
        let families = health_families(&report);
        assert_eq!(families[1].samples.len(), 3);
        assert_eq!(families[1].samples[0].labels.get("status"), Some("healthy"));
        assert_eq!(families[1].samples[0].value, 1.0);
    }
}
