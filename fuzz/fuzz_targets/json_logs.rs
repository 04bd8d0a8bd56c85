//! Fuzzes the `POST /api/v1/logs` body parser: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = watchpost::collect::push::parse_json_logs(data);
});
