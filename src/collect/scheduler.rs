//! Runs every collector on its own interval with its own deadline and publishes its batches.
//!
//! Each collector gets a tokio task that ticks on the collector's interval and runs `collect` on
//! a blocking thread. A run that misses its deadline is reported as `timeout` and left to finish
//! in the background (a stuck NFS `statfs` cannot be cancelled); while it is still stuck, later
//! ticks are reported as `skipped` instead of piling up threads. In every failure case the last
//! good snapshot stays in the registry, so `/metrics` keeps serving it.

use super::{CollectError, Collector};
use crate::metrics::self_metrics::SelfMetrics;
use crate::metrics::{Batch, Registry};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A collector with its schedule.
pub struct CollectorTask {
    /// The collector.
    pub collector: Box<dyn Collector>,
    /// How often it runs.
    pub interval: Duration,
    /// How long one run may take.
    pub timeout: Duration,
}

/// What a blocking run hands back: the collector (so it keeps its state), the result, the time.
type RunOutput = (Box<dyn Collector>, Result<Batch, CollectError>, Duration);

/// Starts and tracks the collector tasks.
pub struct Scheduler {
    registry: Registry,
    metrics: SelfMetrics,
    first_round_remaining: Arc<AtomicUsize>,
    ready_tx: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

impl Scheduler {
    /// A scheduler publishing into `registry` and recording into `metrics`.
    pub fn new(registry: Registry, metrics: SelfMetrics) -> Self {
        Self::with_readiness(registry, metrics, watch::channel(false).0)
    }

    /// Like `new`, but reporting readiness on an existing channel (kept across reloads: once
    /// ready, a reloaded set of collectors does not make watchpost unready again).
    pub fn with_readiness(
        registry: Registry,
        metrics: SelfMetrics,
        ready_tx: watch::Sender<bool>,
    ) -> Self {
        Self {
            registry,
            metrics,
            first_round_remaining: Arc::new(AtomicUsize::new(0)),
            ready_tx,
            handles: Vec::new(),
        }
    }

    /// A receiver that turns `true` once every collector has finished its first run.
    pub fn ready(&self) -> watch::Receiver<bool> {
        self.ready_tx.subscribe()
    }

    /// Spawns one task per collector; they stop when `shutdown` turns `true`.
    pub fn spawn(&mut self, tasks: Vec<CollectorTask>, shutdown: watch::Receiver<bool>) {
        self.first_round_remaining
            .fetch_add(tasks.len(), Ordering::SeqCst);
        if tasks.is_empty() {
            self.ready_tx.send_replace(true);
        }
        for task in tasks {
            let runner = TaskRunner {
                registry: self.registry.clone(),
                metrics: self.metrics.clone(),
                first_round_remaining: self.first_round_remaining.clone(),
                ready_tx: self.ready_tx.clone(),
            };
            self.handles
                .push(tokio::spawn(runner.run(task, shutdown.clone())));
        }
    }

    /// Stops every task (used on reload and shutdown).
    pub fn abort_all(&mut self) {
        for handle in self.handles.drain(..) {
            handle.abort();
        }
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        self.abort_all();
    }
}

/// Runs each collector once, in order, on the current thread; for `watchpost metrics`.
///
/// A failing collector is reported through `metrics` and leaves nothing in the registry.
pub fn collect_once(tasks: Vec<CollectorTask>, registry: &Registry, metrics: &SelfMetrics) {
    for mut task in tasks {
        let name = task.collector.name();
        let start = Instant::now();
        let mut batch = Batch::new();
        let result = task.collector.collect(&mut batch);
        let elapsed = start.elapsed().as_secs_f64();
        match result {
            Ok(()) => {
                registry.publish(name, batch.into_families(), SystemTime::now());
                metrics.record_collector_run(name, "success", elapsed);
            }
            Err(error) => {
                tracing::warn!(collector = name, %error, "collector failed");
                metrics.record_collector_run(name, "error", elapsed);
            }
        }
    }
}

struct TaskRunner {
    registry: Registry,
    metrics: SelfMetrics,
    first_round_remaining: Arc<AtomicUsize>,
    ready_tx: watch::Sender<bool>,
}

impl TaskRunner {
    async fn run(self, task: CollectorTask, mut shutdown: watch::Receiver<bool>) {
        let name = task.collector.name();
        let mut idle: Option<Box<dyn Collector>> = Some(task.collector);
        let mut stuck: Option<JoinHandle<RunOutput>> = None;
        let mut ticker = tokio::time::interval(task.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut first = true;
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = shutdown.changed() => return,
            }
            if let Some(handle) = stuck.take() {
                if !handle.is_finished() {
                    stuck = Some(handle);
                    self.metrics.record_collector_run(name, "skipped", 0.0);
                    continue;
                }
                // The late result is stale by now; only the collector (and its state) is kept.
                match handle.await {
                    Ok((collector, _, _)) => idle = Some(collector),
                    Err(error) => {
                        tracing::error!(collector = name, %error, "collector panicked; stopping it");
                        return;
                    }
                }
            }
            let Some(collector) = idle.take() else { return };
            let mut handle = tokio::task::spawn_blocking(move || run_blocking(collector));
            match tokio::time::timeout(task.timeout, &mut handle).await {
                Ok(Ok((collector, result, elapsed))) => {
                    idle = Some(collector);
                    self.record(name, result, elapsed);
                }
                Ok(Err(error)) => {
                    tracing::error!(collector = name, %error, "collector panicked; stopping it");
                    self.metrics.record_collector_run(name, "error", 0.0);
                    self.first_round_done(&mut first);
                    return;
                }
                Err(_) => {
                    tracing::warn!(collector = name, timeout = ?task.timeout, "collector missed its deadline");
                    self.metrics
                        .record_collector_run(name, "timeout", task.timeout.as_secs_f64());
                    stuck = Some(handle);
                }
            }
            self.first_round_done(&mut first);
        }
    }

    fn record(&self, name: &str, result: Result<Batch, CollectError>, elapsed: Duration) {
        match result {
            Ok(batch) => {
                self.registry
                    .publish(name, batch.into_families(), SystemTime::now());
                self.metrics
                    .record_collector_run(name, "success", elapsed.as_secs_f64());
            }
            Err(error) => {
                tracing::warn!(collector = name, %error, "collector failed; keeping its last good series");
                self.metrics
                    .record_collector_run(name, "error", elapsed.as_secs_f64());
            }
        }
    }

    fn first_round_done(&self, first: &mut bool) {
        if std::mem::take(first) && self.first_round_remaining.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.ready_tx.send_replace(true);
        }
    }
}

fn run_blocking(mut collector: Box<dyn Collector>) -> RunOutput {
    let start = Instant::now();
    let mut batch = Batch::new();
    let result = collector.collect(&mut batch).map(|()| batch);
    (collector, result, start.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counting(u32);

    impl Collector for Counting {
        fn name(&self) -> &'static str {
            "counting"
        }
        fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
            self.0 += 1;
            if self.0 == 2 {
                return Err(CollectError::Other("second run fails".into()));
            }
            batch.counter("runs_total", "Runs.", &[], f64::from(self.0));
            Ok(())
        }
    }

    fn encoded(registry: &Registry) -> String {
        let mut out = String::new();
        registry.encode_into(&mut out);
        out
    }

    #[tokio::test]
    async fn failed_run_keeps_last_good_snapshot_and_reports_zero() {
        let registry = Registry::new();
        let metrics = SelfMetrics::new("test", "test").unwrap();
        let mut scheduler = Scheduler::new(registry.clone(), metrics.clone());
        let mut ready = scheduler.ready();
        let (_stop_tx, stop_rx) = watch::channel(false);
        scheduler.spawn(
            vec![CollectorTask {
                collector: Box::new(Counting(0)),
                interval: Duration::from_millis(20),
                timeout: Duration::from_secs(5),
            }],
            stop_rx,
        );
        ready.wait_for(|r| *r).await.unwrap();
        assert!(encoded(&registry).contains("runs_total 1\n"));
        // Wait until the second (failing) run has been recorded.
        let failures = || {
            metrics
                .collector_runs
                .with_label_values(&["counting", "error"])
                .get()
        };
        while failures() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(encoded(&registry).contains("runs_total 1\n"));
        assert_eq!(
            metrics
                .collector_success
                .with_label_values(&["counting"])
                .get(),
            0.0
        );
    }
}
