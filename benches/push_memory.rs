//! Heap bytes per pushed series, part by part (a counting allocator; no criterion).
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, SystemTime};
use watchpost::collect::push::{PushConfig, PushStore, parse_json_push, PushSource};
use watchpost::metrics::{History, Registry};

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
#[global_allocator]
static GLOBAL: Counting = Counting;
fn live() -> isize { LIVE.load(Ordering::Relaxed) }

const SERIES: usize = 100_000;

fn main() {
    let mut config = PushConfig::default();
    config.limits.max_series = 1_000_000;
    config.limits.max_series_per_metric = 1_000_000;
    let bodies: Vec<Vec<u8>> = (0..SERIES / 1000).map(|b| {
        let metrics: Vec<String> = (0..1000).map(|i| {
            let n = b * 1000 + i;
            format!(r#"{{"name":"bench.metric_{}","type":"gauge","value":{},"labels":{{"series":"{}","source":"bench"}}}}"#, n % 10, i, n / 10)
        }).collect();
        format!(r#"{{"metrics":[{}]}}"#, metrics.join(",")).into_bytes()
    }).collect();
    let now = SystemTime::now();
    let start = live();
    let mut store = PushStore::new(config);
    for body in &bodies {
        let metrics = parse_json_push(body).unwrap();
        store.apply_metrics(&metrics, now).unwrap();
    }
    let after_store = live();
    let history = Arc::new(History::new(Duration::from_secs(300)));
    let registry = Registry::with_history(history.clone());
    let before_publish = live();
    store.publish(&registry, &[PushSource::Api], now);
    let after_publish = live();
    let snap = registry.snapshot(PushSource::Api.registry_name()).unwrap();
    let encoded = snap.encoded.capacity() as isize;
    let per = |b: isize| b as f64 / SERIES as f64;
    println!("store: {:.0} B/series", per(after_store - start));
    println!("publish total: {:.0} B/series (encoded text {:.0})", per(after_publish - before_publish), per(encoded));
    let stats = history.stats();
    println!("history stats {:?}", stats);
    drop(snap);
    let reg2 = Registry::new();
    let b = live();
    store.publish(&reg2, &[PushSource::Api], now);
    println!("publish without history: {:.0} B/series", per(live() - b));
}
