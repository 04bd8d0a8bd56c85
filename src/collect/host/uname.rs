//! The `uname` collector: `node_uname_info{sysname,release,version,machine,nodename,domainname}`
//! from the uname(2) system call (via `rustix`).

use crate::collect::{CollectError, Collector};
use crate::metrics::Batch;

/// The six uname fields, as strings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnameInfo {
    /// Kernel name (`Linux`).
    pub sysname: String,
    /// Kernel release.
    pub release: String,
    /// Kernel build version.
    pub version: String,
    /// Hardware name (`x86_64`).
    pub machine: String,
    /// Host name.
    pub nodename: String,
    /// NIS domain name (`(none)` when unset).
    pub domainname: String,
}

/// Asks the kernel.
pub fn read_uname() -> UnameInfo {
    let u = rustix::system::uname();
    let text = |c: &std::ffi::CStr| c.to_string_lossy().into_owned();
    UnameInfo {
        sysname: text(u.sysname()),
        release: text(u.release()),
        version: text(u.version()),
        machine: text(u.machine()),
        nodename: text(u.nodename()),
        domainname: text(u.domainname()),
    }
}

/// Writes the info series for `info`.
pub fn write_uname(info: &UnameInfo, batch: &mut Batch) {
    batch.gauge(
        "node_uname_info",
        "Labeled system information as provided by the uname system call.",
        &[
            ("sysname", &info.sysname),
            ("release", &info.release),
            ("version", &info.version),
            ("machine", &info.machine),
            ("nodename", &info.nodename),
            ("domainname", &info.domainname),
        ],
        1.0,
    );
}

/// Exports `node_uname_info`.
#[derive(Default)]
pub struct UnameCollector;

impl Collector for UnameCollector {
    fn name(&self) -> &'static str {
        "uname"
    }

    fn collect(&mut self, batch: &mut Batch) -> Result<(), CollectError> {
        write_uname(&read_uname(), batch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_six_labels_and_value_one() {
        let info = UnameInfo {
            sysname: "Linux".into(),
            release: "6.1.0".into(),
            version: "#1 SMP".into(),
            machine: "x86_64".into(),
            nodename: "web-1".into(),
            domainname: "(none)".into(),
        };
        let mut batch = Batch::new();
        write_uname(&info, &mut batch);
        let sample = &batch.families()[0].samples[0];
        assert_eq!(sample.labels.len(), 6);
        assert_eq!(sample.labels.get("nodename"), Some("web-1"));
        assert_eq!(sample.value, 1.0);
    }

    #[test]
    fn the_kernel_says_linux() {
        assert_eq!(read_uname().sysname, "Linux");
    }
}
