//! watchpost's own metrics (`watchpost_*`), kept in a `prometheus` crate registry.
//!
//! These are updated in place by the subsystems (atomic counters and gauges), unlike the
//! snapshot registry, and encoded at scrape time.

use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, Opts, TextEncoder,
};

/// Handles to watchpost's self-metrics.
#[derive(Clone)]
pub struct SelfMetrics {
    registry: prometheus::Registry,
    /// `watchpost_scrape_collector_success{collector}`.
    pub collector_success: GaugeVec,
    /// `watchpost_scrape_collector_duration_seconds{collector}`.
    pub collector_duration: GaugeVec,
    /// node_exporter's `node_scrape_collector_success{collector}`, for its dashboards.
    pub node_collector_success: GaugeVec,
    /// node_exporter's `node_scrape_collector_duration_seconds{collector}`.
    pub node_collector_duration: GaugeVec,
    /// `watchpost_scrape_collector_runs_total{collector,result}`.
    pub collector_runs: IntCounterVec,
    /// `watchpost_http_request_duration_seconds{handler,code}` for watchpost's own endpoints.
    pub http_duration: HistogramVec,
    /// `watchpost_config_last_reload_successful`.
    pub config_last_reload_successful: GaugeVec,
    /// `watchpost_rule_evaluation_duration_seconds{rule_group}`.
    pub rule_evaluation_duration: HistogramVec,
    /// `watchpost_push_rejected_total{reason}`.
    pub push_rejected: IntCounterVec,
    /// `watchpost_notifications_total{receiver,integration,result}` (one per attempt).
    pub notifications: IntCounterVec,
    /// `watchpost_notification_latency_seconds{receiver,integration}`: enqueue to delivery.
    pub notification_latency: HistogramVec,
    /// `watchpost_outbox_pending`.
    pub outbox_pending: GaugeVec,
    /// `watchpost_notifications_dead_total{receiver,integration}`.
    pub notifications_dead: IntCounterVec,
}

impl std::fmt::Debug for SelfMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SelfMetrics")
    }
}

impl SelfMetrics {
    /// Creates and registers every self-metric; `version` and `revision` go into build_info.
    pub fn new(version: &str, revision: &str) -> Result<Self, prometheus::Error> {
        let registry = prometheus::Registry::new();
        let gauge =
            |name: &str, help: &str, labels: &[&str]| -> Result<GaugeVec, prometheus::Error> {
                let metric = GaugeVec::new(Opts::new(name, help), labels)?;
                registry.register(Box::new(metric.clone()))?;
                Ok(metric)
            };
        let build_info = gauge(
            "watchpost_build_info",
            "A metric with a constant '1' value labeled by version and revision of watchpost.",
            &["version", "revision"],
        )?;
        build_info.with_label_values(&[version, revision]).set(1.0);
        let collector_success = gauge(
            "watchpost_scrape_collector_success",
            "Whether the collector's last run succeeded within its deadline (1) or not (0).",
            &["collector"],
        )?;
        let collector_duration = gauge(
            "watchpost_scrape_collector_duration_seconds",
            "Duration of the collector's last run.",
            &["collector"],
        )?;
        let node_collector_success = gauge(
            "node_scrape_collector_success",
            "node_exporter: Whether a collector succeeded.",
            &["collector"],
        )?;
        let node_collector_duration = gauge(
            "node_scrape_collector_duration_seconds",
            "node_exporter: Duration of a collector scrape.",
            &["collector"],
        )?;
        let config_last_reload_successful = gauge(
            "watchpost_config_last_reload_successful",
            "Whether the last configuration reload attempt was successful.",
            &[],
        )?;
        config_last_reload_successful
            .with_label_values(&[] as &[&str])
            .set(1.0);
        let collector_runs = IntCounterVec::new(
            Opts::new(
                "watchpost_scrape_collector_runs_total",
                "Collector runs by result (success, error, timeout, skipped).",
            ),
            &["collector", "result"],
        )?;
        registry.register(Box::new(collector_runs.clone()))?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "watchpost_http_request_duration_seconds",
                "Latency of watchpost's own HTTP endpoints.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
            ]),
            &["handler", "code"],
        )?;
        registry.register(Box::new(http_duration.clone()))?;
        let rule_evaluation_duration = HistogramVec::new(
            HistogramOpts::new(
                "watchpost_rule_evaluation_duration_seconds",
                "The duration of rule group evaluations.",
            )
            .buckets(vec![
                0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0,
            ]),
            &["rule_group"],
        )?;
        registry.register(Box::new(rule_evaluation_duration.clone()))?;
        let push_rejected = IntCounterVec::new(
            Opts::new(
                "watchpost_push_rejected_total",
                "Pushes rejected whole, by reason (the limit or the kind of bad input).",
            ),
            &["reason"],
        )?;
        registry.register(Box::new(push_rejected.clone()))?;
        let notifications = IntCounterVec::new(
            Opts::new(
                "watchpost_notifications_total",
                "Notification delivery attempts, by receiver, integration and result.",
            ),
            &["receiver", "integration", "result"],
        )?;
        registry.register(Box::new(notifications.clone()))?;
        let notification_latency = HistogramVec::new(
            HistogramOpts::new(
                "watchpost_notification_latency_seconds",
                "Time from a notification entering the outbox to its receiver accepting it.",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 300.0,
            ]),
            &["receiver", "integration"],
        )?;
        registry.register(Box::new(notification_latency.clone()))?;
        let outbox_pending = GaugeVec::new(
            Opts::new(
                "watchpost_outbox_pending",
                "Notifications in the outbox not yet accepted by their receiver.",
            ),
            &[],
        )?;
        registry.register(Box::new(outbox_pending.clone()))?;
        let notifications_dead = IntCounterVec::new(
            Opts::new(
                "watchpost_notifications_dead_total",
                "Notifications given up on (dead-lettered), by receiver and integration.",
            ),
            &["receiver", "integration"],
        )?;
        registry.register(Box::new(notifications_dead.clone()))?;
        Ok(Self {
            registry,
            collector_success,
            collector_duration,
            node_collector_success,
            node_collector_duration,
            collector_runs,
            http_duration,
            config_last_reload_successful,
            rule_evaluation_duration,
            push_rejected,
            notifications,
            notification_latency,
            outbox_pending,
            notifications_dead,
        })
    }

    /// The underlying registry, for subsystems that register their own self-metrics.
    pub fn registry(&self) -> &prometheus::Registry {
        &self.registry
    }

    /// Records the outcome of one collector run.
    pub fn record_collector_run(&self, collector: &str, result: &str, seconds: f64) {
        let success = if result == "success" { 1.0 } else { 0.0 };
        self.collector_success
            .with_label_values(&[collector])
            .set(success);
        self.node_collector_success
            .with_label_values(&[collector])
            .set(success);
        self.collector_duration
            .with_label_values(&[collector])
            .set(seconds);
        self.node_collector_duration
            .with_label_values(&[collector])
            .set(seconds);
        self.collector_runs
            .with_label_values(&[collector, result])
            .inc();
    }

    /// Appends the self-metrics in the text format to `out`.
    pub fn encode_into(&self, out: &mut String) {
        let mut buffer = Vec::new();
        // Encoding into a Vec cannot fail on I/O; a malformed family is skipped by the encoder.
        if TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .is_ok()
        {
            out.push_str(&String::from_utf8_lossy(&buffer));
        }
    }
}
