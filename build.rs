//! Embeds the git revision as `WATCHPOST_REVISION` (for `watchpost_build_info` and `version`).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=WATCHPOST_REVISION");
    println!("cargo:rerun-if-changed=.git/HEAD");
    if std::env::var_os("WATCHPOST_REVISION").is_some() {
        return;
    }
    let revision = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty());
    if let Some(revision) = revision {
        println!("cargo:rustc-env=WATCHPOST_REVISION={revision}");
    }
}
