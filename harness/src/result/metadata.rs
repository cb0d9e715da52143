//! Machine metadata every result records: CPU model, cores, kernel, toolchain, crate
//! versions and the exact command.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use procfs::Current;
use serde::{Deserialize, Serialize};

/// Where and how a result was produced.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Metadata {
    /// The harness version.
    pub harness_version: String,
    /// CPU model name, from `/proc/cpuinfo`.
    pub cpu_model: String,
    /// Logical CPUs.
    pub cores: usize,
    /// Kernel release and version.
    pub kernel: String,
    /// Host name.
    pub hostname: String,
    /// `rustc -V` of the compiler that built the harness.
    pub rustc: String,
    /// Versions of the crates that shape the measurement, from `Cargo.lock`.
    pub crates: BTreeMap<String, String>,
    /// The io_uring paths `uring` takes on this kernel (`backend_uring::Features`), or
    /// why io_uring is unavailable. Empty in results written before it was recorded.
    #[serde(default)]
    pub io_uring: String,
    /// The exact command line.
    pub command: String,
    /// When the result was written, seconds since the Unix epoch.
    pub timestamp_unix: u64,
}

/// Host name and kernel from `uname(2)`, `unknown` where it fails.
fn uname() -> (String, String) {
    let Ok(u) = nix::sys::utsname::uname() else {
        return ("unknown".to_owned(), "unknown".to_owned());
    };
    let text = |s: &std::ffi::OsStr| s.to_string_lossy().into_owned();
    let kernel = format!("{} {}", text(u.release()), text(u.version()));
    (text(u.nodename()), kernel)
}

/// This machine's host name, or `unknown`.
pub(crate) fn hostname() -> String {
    uname().0
}

fn cpu_model() -> String {
    procfs::CpuInfo::current()
        .ok()
        .and_then(|info| info.model_name(0).map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

impl Metadata {
    /// Collects the metadata of this machine and process.
    pub fn collect() -> Metadata {
        let crates = env!("HARNESS_CRATE_VERSIONS")
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Metadata {
            harness_version: env!("CARGO_PKG_VERSION").to_owned(),
            cpu_model: cpu_model(),
            cores: num_cpus::get(),
            kernel: uname().1,
            hostname: hostname(),
            rustc: env!("HARNESS_RUSTC_VERSION").to_owned(),
            crates,
            io_uring: match backend_uring::features() {
                Ok(features) => features.describe(),
                Err(why) => format!("unavailable: {why}"),
            },
            command: shell_words::join(std::env::args()),
            timestamp_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(shell_words::join(["--conns", "a b"]), "--conns 'a b'");
        let m = Metadata::collect();
        assert!(m.cores >= 1);
        assert!(m.rustc.starts_with("rustc"));
        // Other architectures' /proc/cpuinfo may have no `model name`.
        if cfg!(target_arch = "x86_64") {
            assert_ne!(m.cpu_model, "unknown");
        }
        assert_ne!(m.hostname, "unknown");
        for tracked in ["pool-core", "uring-ref", "tokio"] {
            assert!(m.crates.contains_key(tracked), "{tracked}: {:?}", m.crates);
        }
    }
}
