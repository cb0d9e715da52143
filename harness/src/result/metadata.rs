//! Machine metadata every result records: CPU model, cores, kernel, toolchain, crate
//! versions and the exact command.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

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

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// This machine's host name, or `unknown`.
pub(crate) fn hostname() -> String {
    read_trimmed("/proc/sys/kernel/hostname")
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Quotes one argument for a POSIX shell when it needs it.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
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
            kernel: format!(
                "{} {}",
                read_trimmed("/proc/sys/kernel/osrelease"),
                read_trimmed("/proc/sys/kernel/version")
            ),
            hostname: hostname(),
            rustc: env!("HARNESS_RUSTC_VERSION").to_owned(),
            crates,
            io_uring: match backend_uring::features() {
                Ok(features) => features.describe(),
                Err(why) => format!("unavailable: {why}"),
            },
            command: std::env::args()
                .map(|a| shell_quote(&a))
                .collect::<Vec<_>>()
                .join(" "),
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
        assert_eq!(shell_quote("--conns"), "--conns");
        assert_eq!(shell_quote("a b"), "'a b'");
        let m = Metadata::collect();
        assert!(m.cores >= 1);
        assert!(m.rustc.starts_with("rustc"));
    }
}
