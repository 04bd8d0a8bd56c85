//! Fuzzes the Pushgateway text-exposition parser: any bytes give families or an error, never a
//! panic; accepted families encode back to text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(families) = watchpost::collect::push::parse_text(data) {
        let mut out = String::new();
        watchpost::metrics::encode_families(&families, &mut out);
    }
});
