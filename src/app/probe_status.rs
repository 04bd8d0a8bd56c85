//! Feeds the probes' last results into the JSON API (`/api/v1/health/detailed`).

use crate::api::context::{ProbeStatus, ProbeStatusSource};
use crate::collect::probe::ProbeHandle;

/// The probes runtime's read handle, seen through the API's probe-status seam.
pub struct ProbeStatuses(pub ProbeHandle);

impl ProbeStatusSource for ProbeStatuses {
    fn probe_statuses(&self) -> Vec<ProbeStatus> {
        let mut statuses: Vec<ProbeStatus> = self
            .0
            .statuses()
            .into_iter()
            .map(|status| ProbeStatus {
                name: status.name,
                target: status.target,
                up: status.up,
                duration_seconds: status.last_duration.as_secs_f64(),
                failure_reason: status
                    .last_failure_reason
                    .map(|reason| reason.as_str().to_owned()),
            })
            .collect();
        statuses.sort_by(|a, b| a.name.cmp(&b.name));
        statuses
    }
}
