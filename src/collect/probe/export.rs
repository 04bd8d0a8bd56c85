//! The probe series, in blackbox_exporter's names, built from every probe's last status.
//!
//! Every series carries `probe` (the probe's name) and `target`; `probe_failure_reason` adds
//! `reason` and is a 0/1 gauge for each of `timeout|connect|tls|status|body` (all 0 after a
//! success). `probe_http_status_code` is 0 when no response arrived (as in blackbox);
//! `probe_ssl_earliest_cert_expiry` is the leaf certificate's notAfter and appears only for
//! HTTPS targets whose last attempt completed a handshake.

use super::config::ProbeKind;
use super::outcome::FailureReason;
use super::state::ProbeStatus;
use crate::metrics::Batch;

/// Appends the series of one probe to `batch`.
pub fn export_probe(batch: &mut Batch, kind: ProbeKind, status: &ProbeStatus) {
    let labels = [
        ("probe", status.name.as_str()),
        ("target", status.target.as_str()),
    ];
    batch.gauge(
        "probe_success",
        "Whether the probe is up (0 after more than `retries` consecutive failures).",
        &labels,
        if status.up { 1.0 } else { 0.0 },
    );
    batch.gauge(
        "probe_duration_seconds",
        "Returns how long the probe took to complete in seconds.",
        &labels,
        status.last_duration.as_secs_f64(),
    );
    batch.gauge(
        "probe_consecutive_failures",
        "Failed attempts in a row (0 after a success).",
        &labels,
        f64::from(status.consecutive_failures),
    );
    for reason in FailureReason::ALL {
        let failed = status.last_failure_reason == Some(reason);
        batch.gauge(
            "probe_failure_reason",
            "Why the last attempt failed: 1 for its reason, 0 for the others.",
            &[labels[0], labels[1], ("reason", reason.as_str())],
            if failed { 1.0 } else { 0.0 },
        );
    }
    if kind == ProbeKind::Http {
        batch.gauge(
            "probe_http_status_code",
            "Response HTTP status code (0 when no response arrived).",
            &labels,
            status.last_status_code.map_or(0.0, f64::from),
        );
    }
    if let Some(expiry) = status.cert_expiry {
        batch.gauge(
            "probe_ssl_earliest_cert_expiry",
            "Returns last SSL chain expiry in unixtime.",
            &labels,
            expiry as f64,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::encode_families;
    use std::time::{Duration, SystemTime};

    #[test]
    fn a_failed_https_probe_exports_every_series() {
        let status = ProbeStatus {
            name: "api".into(),
            target: "https://x/".into(),
            up: false,
            consecutive_failures: 3,
            last_duration: Duration::from_millis(250),
            last_status_code: Some(500),
            last_failure_reason: Some(FailureReason::Status),
            last_error: Some("status 500 not in [2xx]".into()),
            checked_at: SystemTime::UNIX_EPOCH,
            cert_expiry: Some(1_767_323_045),
        };
        let mut batch = Batch::new();
        export_probe(&mut batch, ProbeKind::Http, &status);
        let mut text = String::new();
        encode_families(batch.families(), &mut text);
        for line in [
            "probe_success{probe=\"api\",target=\"https://x/\"} 0\n",
            "probe_duration_seconds{probe=\"api\",target=\"https://x/\"} 0.25\n",
            "probe_consecutive_failures{probe=\"api\",target=\"https://x/\"} 3\n",
            "probe_failure_reason{probe=\"api\",reason=\"status\",target=\"https://x/\"} 1\n",
            "probe_failure_reason{probe=\"api\",reason=\"timeout\",target=\"https://x/\"} 0\n",
            "probe_http_status_code{probe=\"api\",target=\"https://x/\"} 500\n",
            "probe_ssl_earliest_cert_expiry{probe=\"api\",target=\"https://x/\"} 1767323045\n",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
    }

    #[test]
    fn tcp_probes_have_no_http_status() {
        let status = ProbeStatus::after(
            None,
            ("db", "127.0.0.1:5432"),
            0,
            crate::collect::probe::outcome::Attempt {
                duration: Duration::from_millis(1),
                status_code: None,
                cert_expiry: None,
                failure: None,
            },
            SystemTime::UNIX_EPOCH,
        );
        let mut batch = Batch::new();
        export_probe(&mut batch, ProbeKind::Tcp, &status);
        let names: Vec<&str> = batch.families().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "probe_success",
                "probe_duration_seconds",
                "probe_consecutive_failures",
                "probe_failure_reason"
            ]
        );
    }
}
