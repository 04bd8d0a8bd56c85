//! The three JSON entry points of `PushStore`: custom metrics (counters add, gauges set,
//! histograms observe), tracked requests (`http_requests_total`,
//! `http_request_duration_seconds`) and logs (`log_entries_total`). Each turns its validated
//! items into table operations applied whole or not at all, and feeds service health.

use super::accounting::PushSource;
use super::error::PushError;
use super::json::{PushKind, PushedMetric};
use super::json_events::{LogEntry, TrackedRequest};
use super::store::{
    Applied, LOG_ENTRIES_TOTAL, Op, PushStore, REQUEST_DURATION, REQUESTS_TOTAL, unix_seconds,
};
use std::time::SystemTime;

const REQUESTS_HELP: &str = "Tracked HTTP requests by service, endpoint, method and status.";
const DURATION_HELP: &str = "Duration of tracked HTTP requests in seconds.";
const LOGS_HELP: &str = "Log entries received by service and level.";

impl PushStore {
    /// Applies a JSON metrics push (`parse_json_push` output) whole, or not at all.
    pub fn apply_metrics(
        &mut self,
        metrics: &[PushedMetric],
        now: SystemTime,
    ) -> Result<Applied, PushError> {
        let ops: Vec<Op<'_>> = metrics
            .iter()
            .enumerate()
            .map(|(index, metric)| Op {
                field: "metrics",
                index,
                name: &metric.name,
                kind: metric.kind,
                help: metric.help.as_deref().unwrap_or(""),
                labels: metric
                    .labels
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect(),
                value: metric.value,
            })
            .collect();
        self.apply_ops(PushSource::Api, &ops, unix_seconds(now))
    }

    /// Applies tracked requests whole, or not at all, and counts them for service health.
    pub fn apply_requests(
        &mut self,
        requests: &[TrackedRequest],
        now: SystemTime,
    ) -> Result<Applied, PushError> {
        let statuses: Vec<String> = requests.iter().map(|r| r.status.to_string()).collect();
        let mut ops = Vec::with_capacity(requests.len() * 2);
        for (index, (request, status)) in requests.iter().zip(&statuses).enumerate() {
            let base = [
                ("endpoint", request.endpoint.as_str()),
                ("method", request.method),
                ("service", request.service.as_str()),
            ];
            let mut with_status = base.to_vec();
            with_status.push(("status", status.as_str()));
            ops.push(Op {
                field: "requests",
                index,
                name: REQUESTS_TOTAL,
                kind: PushKind::Counter,
                help: REQUESTS_HELP,
                labels: with_status,
                value: 1.0,
            });
            ops.push(Op {
                field: "requests",
                index,
                name: REQUEST_DURATION,
                kind: PushKind::Histogram,
                help: DURATION_HELP,
                labels: base.to_vec(),
                value: request.duration_seconds,
            });
        }
        let now = unix_seconds(now);
        let applied = self.apply_ops(PushSource::Requests, &ops, now)?;
        let error_status = if self.config.health.client_errors_count {
            400
        } else {
            500
        };
        for request in requests {
            self.health
                .record(&request.service, request.status >= error_status, now);
        }
        Ok(applied)
    }

    /// Applies log entries to `log_entries_total` whole, or not at all, and counts them for
    /// service health. Storing the entries themselves is the caller's job.
    pub fn apply_logs(&mut self, logs: &[LogEntry], now: SystemTime) -> Result<Applied, PushError> {
        let ops: Vec<Op<'_>> = logs
            .iter()
            .enumerate()
            .map(|(index, log)| Op {
                field: "logs",
                index,
                name: LOG_ENTRIES_TOTAL,
                kind: PushKind::Counter,
                help: LOGS_HELP,
                labels: vec![("level", log.level.as_str()), ("service", &log.service)],
                value: 1.0,
            })
            .collect();
        let now = unix_seconds(now);
        let applied = self.apply_ops(PushSource::Logs, &ops, now)?;
        for log in logs {
            self.health.record(&log.service, log.level.is_error(), now);
        }
        Ok(applied)
    }
}
