//! "Garbage in" tests: a few hundred pseudo-random byte strings (a tiny xorshift, no crate)
//! through every parser and into a store, asserting only that nothing panics and that a
//! refused push leaves the store as it was.

use super::*;
use std::time::{Duration, SystemTime};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Fragments that reach deep parser states, mixed with raw random bytes.
const TEXT_PIECES: &[&str] = &[
    "# HELP ",
    "# TYPE ",
    "counter",
    "histogram",
    "summary",
    " ",
    "\n",
    "x",
    "x_bucket",
    "x_sum",
    "_count",
    "{",
    "}",
    "le=",
    "quantile=",
    "\"",
    "\\",
    "\\n",
    ",",
    "=",
    "1",
    "+Inf",
    "NaN",
    "-",
    "1e309",
    "a",
    "__",
    "é",
    "\r",
    "\t",
];

const JSON_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"metrics\"",
    "\"requests\"",
    "\"logs\"",
    ":",
    ",",
    "\"name\"",
    "\"value\"",
    "\"type\"",
    "\"counter\"",
    "\"histogram\"",
    "\"labels\"",
    "\"a.b\"",
    "1",
    "-1",
    "1e400",
    "null",
    "\"status\"",
    "\"duration_ms\"",
    "\"level\"",
    "\"service\"",
    "\"endpoint\"",
    "\"method\"",
    "\"message\"",
    "\"/api/1\"",
    "\"error\"",
    "\"x\"",
];

fn garbage(rng: &mut XorShift, pieces: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(40) {
        if rng.below(4) == 0 {
            out.push(rng.next() as u8);
        } else {
            out.extend_from_slice(pieces[rng.below(pieces.len())].as_bytes());
        }
    }
    out
}

fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

#[test]
fn text_garbage_never_panics_and_refusals_change_nothing() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut store = PushStore::new(PushConfig::default());
    let group = GroupingKey::new("fuzz", &[]).unwrap_or_else(|e| panic!("{e}"));
    let mut accepted = 0;
    for round in 0..400 {
        let body = garbage(&mut rng, TEXT_PIECES);
        let Ok(families) = parse_text(&body) else {
            continue;
        };
        accepted += 1;
        let before = store.snapshot();
        if store
            .push_group(&group, PushMethod::Post, families, at(round))
            .is_err()
        {
            assert_eq!(store.snapshot(), before);
        }
    }
    assert!(
        accepted > 0,
        "no random body parsed; the test reaches too little"
    );
    store.expire(at(100_000));
    assert_eq!(store.series_count(), 0);
}

#[test]
fn json_garbage_never_panics_and_refusals_change_nothing() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    let mut store = PushStore::new(PushConfig::default());
    for round in 0..400 {
        let body = garbage(&mut rng, JSON_PIECES);
        let before = store.snapshot();
        if let Ok(metrics) = parse_json_push(&body)
            && store.apply_metrics(&metrics, at(round)).is_err()
        {
            assert_eq!(store.snapshot(), before);
        }
        if let Ok(requests) = parse_json_requests(&body) {
            let _ = store.apply_requests(&requests, at(round));
        }
        if let Ok(logs) = parse_json_logs(&body) {
            let _ = store.apply_logs(&logs, at(round));
        }
        let text = String::from_utf8_lossy(&body);
        let _ = GroupingKey::from_path(&text);
        let _ = endpoint::normalize_endpoint(&text);
    }
    let _ = store.service_health(at(500));
}

#[test]
fn valid_bodies_survive_random_truncation() {
    let text =
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\",a=\"x\\\"y\"} 1\nh_sum 1\nh_count 1\n";
    let json = r#"{"metrics":[{"name":"a.b","type":"counter","value":1,"labels":{"k":"v"}}]}"#;
    for cut in 0..text.len() {
        let _ = parse_text(&text.as_bytes()[..cut]);
    }
    for cut in 0..json.len() {
        let result = parse_json_push(&json.as_bytes()[..cut]);
        assert!(result.is_err(), "a truncated body parsed: {cut}");
    }
    assert!(parse_text(text.as_bytes()).is_ok());
    assert!(parse_json_push(json.as_bytes()).is_ok());
}
