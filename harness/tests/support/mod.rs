//! Helpers shared by the harness integration tests: running the binary, temporary
//! directories, and small std-thread echo servers that misbehave on purpose.
#![allow(dead_code, unreachable_pub)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

pub mod http;
pub mod netns;

/// Whether io_uring works here, for both the backend and the reference (refused by
/// `kernel.io_uring_disabled` or a seccomp profile such as Docker's, or switched off by
/// `IOPOOL_URING_FORCE_UNAVAILABLE`). For `runner::Group::requires`.
pub fn io_uring() -> Result<(), String> {
    backend_uring::features()?;
    uring_ref::probe().map(drop).map_err(|why| why.to_string())
}

/// Notes on stderr that a test left `what` out (a server that cannot run here), or,
/// with `IOPOOL_TEST_REQUIRE_ALL` set (CI, where every precondition holds), fails the
/// test: the rest of the test still runs elsewhere, but no part of it passes unseen.
pub fn left_out(what: &dyn std::fmt::Display, why: &str) {
    let strict = std::env::var_os(pool_core::conformance::runner::REQUIRE_ALL_ENV)
        .is_some_and(|v| !v.is_empty() && v != "0");
    assert!(
        !strict,
        "{what}: precondition missing (IOPOOL_TEST_REQUIRE_ALL is set): {why}"
    );
    eprintln!("{what}: skipped: {why}");
}

/// A `harness` command.
pub fn harness() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_harness"));
    cmd.env_remove("RUST_BACKTRACE");
    cmd
}

/// Runs `harness` with `args`; returns its output.
pub fn run(args: &[&str]) -> Output {
    harness().args(args).output().expect("harness runs")
}

/// Runs `harness load` with 4 connections and no warm-up against `addr` for
/// `duration`, writing results into `out`, plus any `extra` flags.
pub fn run_load(addr: &str, duration: &str, out: &TempDir, extra: &[&str]) -> Output {
    let mut args = vec![
        "load",
        "--target",
        addr,
        "--conns",
        "4",
        "--duration",
        duration,
        "--warmup",
        "0",
        "--out",
        out.arg(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// stdout and stderr as one string, for messages.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts a failed run that says `needle` and shows no panic.
pub fn assert_fails_with(out: &Output, needle: &str) {
    let all = text(out);
    assert!(
        !out.status.success(),
        "expected failure, got success:\n{all}"
    );
    assert!(
        all.to_lowercase().contains(&needle.to_lowercase()),
        "expected `{needle}` in:\n{all}"
    );
    assert!(
        !all.contains("panicked"),
        "a panic reached the user:\n{all}"
    );
}

/// A temporary directory, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "harness-test-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn arg(&self) -> &str {
        self.0.to_str().unwrap()
    }

    /// Every `.json` result file (not summaries), parsed, sorted by name.
    pub fn results(&self) -> Vec<Value> {
        TempDir::results_in(&self.0)
    }

    /// Every `.json` result file of `dir`, parsed, sorted by name.
    pub fn results_in(dir: &Path) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How a test server misbehaves.
#[derive(Clone, Copy, Debug)]
pub enum Misbehave {
    /// Echo faithfully.
    None,
    /// Flip one bit of every `n`-th echoed byte (counted per connection).
    Corrupt(usize),
    /// Echo `n` bytes per connection, then close it.
    DieAfter(usize),
}

/// Starts a std-thread echo server (one thread per connection) that misbehaves as
/// told; returns its address. The threads end when their peers close.
pub fn test_server(mode: Misbehave) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            std::thread::spawn(move || serve(stream, mode));
        }
    });
    addr
}

fn serve(mut stream: TcpStream, mode: Misbehave) {
    let _ = stream.set_nodelay(true);
    let mut buf = [0_u8; 4096];
    let mut total = 0_usize;
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let mut n = n;
        match mode {
            Misbehave::None => {}
            Misbehave::Corrupt(every) => {
                for (i, b) in buf[..n].iter_mut().enumerate() {
                    if (total + i + 1).is_multiple_of(every) {
                        *b ^= 0x01;
                    }
                }
            }
            Misbehave::DieAfter(limit) => {
                if total + n >= limit {
                    n = limit.saturating_sub(total);
                    let _ = stream.write_all(&buf[..n]);
                    return;
                }
            }
        }
        total += n;
        if stream.write_all(&buf[..n]).is_err() {
            return;
        }
    }
}

/// An address on which nothing listens: bound, then closed.
pub fn closed_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// Checks the fields every clean result must have, with sane values.
pub fn assert_sane(result: &Value) {
    let load = &result["load"];
    assert_eq!(result["schema"], "iopool-harness/1");
    assert!(load["requests"].as_u64().unwrap() > 0, "{load}");
    assert_eq!(load["error_total"].as_u64(), Some(0), "{load}");
    assert_eq!(load["complete"], true);
    assert_eq!(load["interrupted"], false);
    let lat = &load["latency"];
    let p = |k: &str| {
        lat[k]
            .as_u64()
            .unwrap_or_else(|| panic!("latency.{k} in {lat}"))
    };
    assert!(p("p50_us") <= p("p90_us"));
    assert!(p("p90_us") <= p("p99_us"));
    assert!(p("p99_us") <= p("p999_us"));
    assert!(p("p999_us") <= p("p9999_us"));
    assert!(p("p9999_us") <= p("max_us"));
    assert!(p("p50_us") >= 1);
    assert!(load["throughput_rps"].as_f64().unwrap() > 0.0);
    assert!(load["throughput_mb_s"].as_f64().unwrap() > 0.0);
    assert!(load["histogram"].as_str().unwrap().len() > 10);
    assert_eq!(load["connect"]["established"], load["conns"]);
    for key in ["cpu_model", "cores", "kernel", "rustc", "crates", "command"] {
        assert!(!result["metadata"][key].is_null(), "metadata.{key}");
    }
}

/// The address `harness serve` prints on its first line (`listening on ADDR (...)`).
///
/// # Panics
///
/// If the line is not that.
#[track_caller]
pub fn serve_addr(first_line: &str) -> String {
    first_line
        .strip_prefix("listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {first_line}"))
        .to_owned()
}
