//! A throwaway test CA and a server certificate for 127.0.0.1/localhost signed by it, made at
//! test time by `tests/smtp/make_test_ca.sh` (openssl): rustls refuses a bare self-signed one.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files `make_test_ca` wrote.
pub struct TestCertificates {
    /// The CA certificate to trust.
    pub ca: PathBuf,
    /// The server certificate (SAN 127.0.0.1 and localhost).
    pub cert: PathBuf,
    /// The server certificate's private key.
    pub key: PathBuf,
}

/// Writes `ca.pem`, `server.pem` and `server.key`, valid for `days` days, into `dir`.
pub fn make_test_ca(dir: &Path, days: u32) -> TestCertificates {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/make_test_ca.sh");
    let output = Command::new("bash")
        .arg(&script)
        .arg(dir)
        .arg(days.to_string())
        .output()
        .unwrap_or_else(|error| panic!("run {}: {error}", script.display()));
    assert!(
        output.status.success(),
        "{} failed (is the openssl package installed?): {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    TestCertificates {
        ca: dir.join("ca.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
    }
}
