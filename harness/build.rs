//! Records build facts for the machine metadata every result carries: the rustc version,
//! the versions of the crates that shape the measurements (read from `Cargo.lock`), the
//! build profile, and the commit (`git describe --always --dirty`) the binary was built
//! from, so that a result says which code it measured even when the binary runs outside
//! the checkout.

use std::path::Path;
use std::process::Command;

// The crate's own read-only git helper (it uses nothing else of the crate).
#[path = "src/os/git.rs"]
mod git;

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
    profile_and_commit();
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

/// Records the build profile and the commit.
fn profile_and_commit() {
    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=HARNESS_BUILD_PROFILE={profile}");
    commit();
}

/// The workspace directories whose sources a result depends on: a change in any of them
/// makes the recorded commit `-dirty` (or moves it), so the build script reruns on it.
const SOURCES: &[&str] = &[
    "pool-core",
    "pool-exec",
    "backend-tokio",
    "backend-mio",
    "backend-uring",
    "uring-ref",
    "harness/src",
    "harness/build.rs",
    "Cargo.toml",
    "Cargo.lock",
];

/// Sets `HARNESS_GIT_COMMIT` to `git describe --always --dirty` of the workspace, or to
/// `HARNESS_GIT_COMMIT` from the environment (a build from a source tarball), or to
/// `unknown` without git.
fn commit() {
    println!("cargo:rerun-if-env-changed=HARNESS_GIT_COMMIT");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let git = |args: &[&str]| git::git(&root, args);
    let described = std::env::var("HARNESS_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["describe", "--always", "--dirty", "--abbrev=12"]))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=HARNESS_GIT_COMMIT={described}");
    // Rerun when HEAD moves (a commit, a checkout) or the index changes, and when a
    // measured source changes (it may make the tree dirty, or clean again).
    let watch_git_path = |file: &str| {
        if let Some(path) = git(&["rev-parse", "--git-path", file]) {
            // Relative paths are relative to `root`, where git ran.
            println!("cargo:rerun-if-changed={}", root.join(path).display());
        }
    };
    watch_git_path("HEAD");
    watch_git_path("index");
    if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch_git_path(&head_ref);
    }
    for source in SOURCES {
        println!("cargo:rerun-if-changed={}", root.join(source).display());
    }
}
