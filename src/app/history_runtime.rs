//! The metric history task: at every minute boundary it takes the minute's per-service stats
//! from `LogsHandle` and the host CPU/memory usage from the registry's `cpu` and `meminfo`
//! snapshots, saves them as the minute that just ended (rebuilding its hour and day rows in the
//! same transaction), and applies `storage.retention` once an hour and at start.
//!
//! Stats are gathered in memory during the minute; a crash loses the current minute only.

use super::host_usage::{CpuTimes, cpu_percent, cpu_times, memory_percent};
use super::logs_runtime::LogsHandle;
use crate::metrics::Registry;
use crate::store::{HostUsage, to_millis};
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// Samples the host and saves the minute that started at `minute_start` (blocking).
struct Sampler {
    logs: LogsHandle,
    registry: Registry,
    last_cpu: Option<CpuTimes>,
    last_retention: i64,
}

impl Sampler {
    fn host_usage(&mut self) -> HostUsage {
        let mut usage = HostUsage::default();
        if let Some(snapshot) = self.registry.snapshot("cpu") {
            let now = cpu_times(&snapshot.families);
            if let (Some(earlier), Some(later)) = (self.last_cpu, now)
                && let Some(percent) = cpu_percent(earlier, later)
            {
                usage.cpu_percent_sum = percent;
                usage.cpu_samples = 1;
            }
            self.last_cpu = now.or(self.last_cpu);
        }
        if let Some(percent) = self
            .registry
            .snapshot("meminfo")
            .and_then(|s| memory_percent(&s.families))
        {
            usage.mem_percent_sum = percent;
            usage.mem_samples = 1;
        }
        usage
    }

    fn save(&mut self, minute_start: i64) {
        let services = self.logs.take_minute();
        let host = self.host_usage();
        let retention = self.logs.storage().retention.clone();
        let due = minute_start - self.last_retention >= 3600;
        let result = self.logs.read(|store| {
            store.save_minute(minute_start, &services, &host)?;
            if due {
                store.apply_history_retention(minute_start, &retention)?;
            }
            Ok(())
        });
        match result {
            Ok(()) if due => self.last_retention = minute_start,
            Ok(()) => {}
            Err(error) => tracing::error!(%error, "saving metric history failed"),
        }
    }
}

fn unix_seconds(time: SystemTime) -> i64 {
    to_millis(time).div_euclid(1000)
}

/// Spawns the history task; it stops when `shutdown` turns true.
pub fn spawn_history(
    logs: LogsHandle,
    registry: Registry,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut sampler = Some(Sampler {
            logs,
            registry,
            last_cpu: None,
            last_retention: i64::MIN / 2,
        });
        loop {
            let now = unix_seconds(SystemTime::now());
            let next = now - now.rem_euclid(60) + 60;
            let wait = Duration::from_secs(u64::try_from(next - now).unwrap_or(60));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
            let Some(mut owned) = sampler.take() else {
                return;
            };
            match tokio::task::spawn_blocking(move || {
                owned.save(next - 60);
                owned
            })
            .await
            {
                Ok(back) => sampler = Some(back),
                Err(error) => {
                    tracing::error!(%error, "metric history task failed");
                    return;
                }
            }
        }
    })
}
