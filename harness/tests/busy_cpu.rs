//! Busy % is true on every backend: at a fixed rate, the busy share a pool reports
//! for its worker ([`Handle::metrics`](pool_core::Handle::metrics)) is close to the
//! worker thread's own CPU time, as `harness serve` prints both (issue 19).
//!
//! Before issue 19 every backend counted time it ran as parked: the hand-built ones a
//! whole reactor wait (under io_uring's `DEFER_TASKRUN` the receives and sends of a
//! turn run inside it: `uring` read 5% busy at 54% CPU in a release build), tokio
//! its I/O driver. This test failed then: in this debug build, at this rate, busy
//! read 7, 6, 7 and 6% on tokio-mt, tokio, mio and uring, at 11.6, 11.3, 9.7 and
//! 11.9% CPU. Its bound is looser than the 10%, for a shared machine.

mod support;

use std::io::{BufRead, BufReader, Lines};
use std::process::{Child, ChildStdout, Command, Stdio};

use support::{harness, serve_addr, text};

/// The backends with a busy figure (the references have no pool, so no metrics).
const BACKENDS: [&str; 4] = ["tokio-mt", "tokio", "mio", "uring"];

/// The offered rate: a worker well below saturation, even in a debug build.
const RATE: &str = "8000";

/// busy % may be this far from CPU %, as a share of CPU %.
const TOLERANCE: f64 = 0.15;

/// A `harness serve` child, killed if the test fails before it stops it.
struct Serve {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Serve {
    fn start(backend: &str) -> (Serve, String) {
        let mut child = harness()
            .args(["serve", "--backend", backend, "--threads", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = serve_addr(&lines.next().unwrap().unwrap());
        (Serve { child, lines }, addr)
    }

    /// Stops the server with SIGTERM; returns what it printed after its first line.
    fn stop(mut self) -> String {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let rest: Vec<String> = self.lines.by_ref().map(Result::unwrap).collect();
        assert!(self.child.wait().unwrap().success(), "{}", rest.join("\n"));
        rest.join("\n")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `(CPU %, busy %)` of worker `srv-w1` in `harness serve`'s output: the 5th and
/// 6th cells of its row (worker, accepted, echoes, CPU s, CPU %, busy %, polls).
fn worker_shares(out: &str) -> (f64, f64) {
    assert!(
        out.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == ["worker", "accepted", "echoes", "CPU", "s", "CPU", "%", "busy", "%", "polls"]),
        "no worker table in:\n{out}"
    );
    let row: Vec<&str> = out
        .lines()
        .find(|l| l.trim_start().starts_with("srv-w1 "))
        .unwrap_or_else(|| panic!("no srv-w1 row in:\n{out}"))
        .split_whitespace()
        .collect();
    let cell = |i: usize| row[i].parse::<f64>().unwrap_or_else(|_| panic!("{out}"));
    (cell(4), cell(5))
}

/// Serves `backend` on one worker while a load process offers [`RATE`] echoes a
/// second for 3 s; returns the worker's `(CPU %, busy %)`.
fn serve_at_fixed_rate(backend: &str) -> (f64, f64) {
    let (serve, addr) = Serve::start(backend);
    let load = harness()
        .args([
            "load",
            "--target",
            &addr,
            "--conns",
            "20",
            "--client-threads",
            "1",
        ])
        .args([
            "--rate",
            RATE,
            "--duration",
            "2s",
            "--warmup",
            "0",
            "--no-files",
        ])
        .output()
        .unwrap();
    assert!(load.status.success(), "{}", text(&load));
    worker_shares(&serve.stop())
}

#[test]
fn busy_share_is_the_worker_threads_cpu_share() {
    let mut measured = Vec::new();
    for backend in BACKENDS {
        if backend == "uring" {
            if let Err(why) = backend_uring::features() {
                support::left_out(&backend, &why);
                continue;
            }
        }
        let (cpu, busy) = serve_at_fixed_rate(backend);
        // The load ran: the worker did measurable work.
        assert!(cpu >= 1.0, "{backend}: CPU {cpu}%");
        measured.push((backend, cpu, busy));
    }
    eprintln!("(backend, CPU %, busy %): {measured:?}");
    let off: Vec<_> = measured
        .iter()
        .filter(|(_, cpu, busy)| (busy - cpu).abs() > TOLERANCE * cpu)
        .collect();
    assert!(
        off.is_empty(),
        "busy % off the thread's CPU % by more than {:.0}% (backend, CPU %, busy %): {off:?} \
         of {measured:?}",
        TOLERANCE * 100.0
    );
}

#[test]
fn parses_the_serve_table() {
    let out = "per worker (balance):\n  \
               worker  accepted  echoes  CPU s  CPU %  busy %  polls\n  \
               srv-w1        20    8000   0.41   12.5    11.9  16000\n";
    assert_eq!(worker_shares(out), (12.5, 11.9));
}
