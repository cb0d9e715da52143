//! Machine metadata every result records: the commit and build profile of the binary,
//! CPU model, cores, SMT topology, the CPUs the run was pinned to, kernel, toolchain,
//! crate versions and the exact command.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use procfs::Current;
use serde::{Deserialize, Serialize};

/// Where and how a result was produced.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Metadata {
    /// The harness version.
    pub harness_version: String,
    /// `git describe --always --dirty` of the workspace the binary was built from,
    /// captured at build time (`-dirty`: uncommitted changes); `unknown` without git.
    /// Empty in results written before it was recorded.
    #[serde(default)]
    pub commit: String,
    /// The cargo profile the binary was built with (`release`, `debug`). Empty in
    /// results written before it was recorded.
    #[serde(default)]
    pub build_profile: String,
    /// Hardware threads per core, sockets and cores (`1 thread/core, 2 cores, 1
    /// socket`), from sysfs. Empty in results written before it was recorded.
    #[serde(default)]
    pub smt: String,
    /// The CPUs the server's workers were pinned to; `None`: not pinned (or not
    /// recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_cpus: Option<Vec<usize>>,
    /// The CPUs the load generator's threads were pinned to; empty: not pinned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_cpus: Vec<usize>,
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

/// The distinct commits `metadata` records, sorted; results written before commits were
/// recorded count as `unrecorded`.
pub fn commits<'a>(metadata: impl IntoIterator<Item = &'a Metadata>) -> Vec<String> {
    let set: std::collections::BTreeSet<String> = metadata
        .into_iter()
        .map(|m| {
            if m.commit.is_empty() {
                "unrecorded".to_owned()
            } else {
                m.commit.clone()
            }
        })
        .collect();
    set.into_iter().collect()
}

/// Whether `commit` names one clean, known commit: not `-dirty`, `unknown` or
/// `unrecorded`. Only such runs can replicate each other.
pub fn is_clean_commit(commit: &str) -> bool {
    !commit.is_empty()
        && !commit.ends_with("-dirty")
        && commit != "unknown"
        && commit != "unrecorded"
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
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

/// `1 thread/core, 2 cores, 1 socket`: the SMT topology of the online CPUs, from
/// `/sys/devices/system/cpu/cpu*/topology`; `unknown` where sysfs does not say.
///
/// Hand-read, on purpose: procfs covers `/proc` only, and `/proc/cpuinfo`'s `core id`
/// and `physical id` exist on x86 alone, while sysfs has the topology on every
/// architecture (sysinfo's `physical_core_count` gives cores, not sockets, for a new
/// dependency; hwloc bindings need the C library).
fn smt() -> String {
    let Ok(entries) = std::fs::read_dir("/sys/devices/system/cpu") else {
        return "unknown".to_owned();
    };
    let mut cores = std::collections::BTreeSet::new();
    let mut packages = std::collections::BTreeSet::new();
    let mut cpus = 0usize;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_cpu = name
            .strip_prefix("cpu")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        let topology = entry.path().join("topology");
        if !is_cpu || !topology.is_dir() {
            continue;
        }
        let read = |file: &str| read_trimmed(&topology.join(file).to_string_lossy());
        let package = read("physical_package_id");
        cores.insert((package.clone(), read("core_id")));
        packages.insert(package);
        cpus += 1;
    }
    if cores.is_empty() {
        return "unknown".to_owned();
    }
    format!(
        "{} thread{}/core, {} cores, {} socket{}",
        cpus / cores.len(),
        if cpus / cores.len() == 1 { "" } else { "s" },
        cores.len(),
        packages.len(),
        if packages.len() == 1 { "" } else { "s" }
    )
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
            commit: env!("HARNESS_GIT_COMMIT").to_owned(),
            build_profile: env!("HARNESS_BUILD_PROFILE").to_owned(),
            smt: smt(),
            server_cpus: None,
            client_cpus: Vec::new(),
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

    /// This metadata with the CPUs the server and the client were pinned to.
    pub fn pinned(self, server: Option<Vec<usize>>, client: Vec<usize>) -> Metadata {
        Metadata {
            server_cpus: server,
            client_cpus: client,
            ..self
        }
    }

    /// `server 0, client 1` or `not pinned`: the pinned CPU lists for people.
    pub fn pinning_text(&self) -> String {
        let list = |cpus: &[usize]| {
            cpus.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        match (&self.server_cpus, self.client_cpus.is_empty()) {
            (None, true) => "not pinned".to_owned(),
            (server, _) => format!(
                "server {}, client {}",
                server.as_deref().map_or("not pinned".to_owned(), list),
                if self.client_cpus.is_empty() {
                    "not pinned".to_owned()
                } else {
                    list(&self.client_cpus)
                }
            ),
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

    #[test]
    fn records_the_build_and_the_pinning() {
        let m = Metadata::collect();
        assert!(!m.commit.is_empty(), "a commit or `unknown`");
        // The tests run a debug build unless `--release`; either way a known profile.
        assert!(
            ["debug", "release"].contains(&m.build_profile.as_str()),
            "{}",
            m.build_profile
        );
        assert!(m.smt.contains("core") || m.smt == "unknown", "{}", m.smt);
        assert_eq!(m.pinning_text(), "not pinned");
        let m = m.pinned(Some(vec![0, 1]), vec![2]);
        assert_eq!(m.pinning_text(), "server 0,1, client 2");
        // Older results, without these fields, still read.
        let old: Metadata = serde_json::from_str(
            r#"{"harness_version":"0.1.0","cpu_model":"x","cores":2,"kernel":"k",
                "hostname":"h","rustc":"r","crates":{},"command":"c","timestamp_unix":1}"#,
        )
        .unwrap();
        assert_eq!((old.commit.as_str(), old.server_cpus), ("", None));
    }
}
