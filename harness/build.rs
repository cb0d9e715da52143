//! Records build facts for the machine metadata every result carries: the rustc version
//! and the versions of the crates that shape the measurements (read from `Cargo.lock`).

use std::path::Path;
use std::process::Command;

/// Crates whose versions go into every result.
const TRACKED: &[&str] = &[
    "pool-core",
    "backend-tokio",
    "backend-mio",
    "backend-uring",
    "pool-exec",
    "uring-ref",
    "io-uring",
    "harness",
    "tokio",
    "mio",
    "hdrhistogram",
];

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=HARNESS_RUSTC_VERSION={version}");

    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    println!("cargo:rerun-if-changed=build.rs");
    // A missing or unreadable lock file records no versions rather than failing the build.
    let found: Vec<String> = cargo_lock::Lockfile::load(&lock)
        .map(|lock| lock.packages)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| TRACKED.contains(&p.name.as_str()))
        .map(|p| format!("{}={}", p.name, p.version))
        .collect();
    println!("cargo:rustc-env=HARNESS_CRATE_VERSIONS={}", found.join(","));
    external_clients();
}

/// The clients `tests/external_clients.rs` runs: with all of them on `PATH`, the build
/// sets `--cfg external_clients` and the test runs; otherwise it is reported as
/// ignored, with the reason.
const EXTERNAL_CLIENTS: &[&str] = &["wrk", "sockperf"];

fn external_clients() {
    println!("cargo:rustc-check-cfg=cfg(external_clients)");
    println!("cargo:rerun-if-env-changed=PATH");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<_> = std::env::split_paths(&path)
        .filter(|d| d.is_dir())
        .collect();
    let found: Vec<_> = EXTERNAL_CLIENTS
        .iter()
        .filter_map(|name| dirs.iter().map(|d| d.join(name)).find(|p| p.is_file()))
        .collect();
    if found.len() == EXTERNAL_CLIENTS.len() {
        println!("cargo:rustc-cfg=external_clients");
        for p in &found {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    } else {
        // An install adds a file to one of these directories.
        for d in &dirs {
            println!("cargo:rerun-if-changed={}", d.display());
        }
    }
}
