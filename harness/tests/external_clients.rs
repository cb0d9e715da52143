//! Clients nobody here wrote, against `harness serve`: `wrk` on the HTTP workload of
//! every server, `sockperf ping-pong` and `sockperf under-load` on the sockperf
//! workload of one. They run when the build found `wrk` and `sockperf` on `PATH`
//! (`apt-get install wrk sockperf`; the build script sets `--cfg external_clients`);
//! otherwise the tests are reported as ignored, with that reason.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use harness::backend::ServerKind;
use support::{harness, text};

/// A `harness serve` child, stopped (SIGTERM) and reaped on drop.
struct Serve {
    child: Child,
    addr: String,
}

impl Serve {
    fn start(backend: &str, workload: &str) -> Serve {
        let mut child = harness()
            .args(["serve", "--backend", backend, "--threads", "2"])
            .args(["--workload", workload])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = support::serve_addr(&first);
        Serve { child, addr }
    }

    fn port(&self) -> &str {
        self.addr.rsplit(':').next().unwrap()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// Runs an external client; fails (never passes) if it is missing.
fn client(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (apt-get install {program}): {e}"))
}

#[test]
#[cfg_attr(
    not(external_clients),
    ignore = "wrk or sockperf is not installed (apt-get install wrk sockperf, then rebuild)"
)]
fn wrk_gets_only_2xx_and_no_socket_errors_from_every_server() {
    for &kind in ServerKind::all() {
        if let Err(why) = kind.available() {
            support::left_out(&kind, &why.to_string());
            continue;
        }
        let serve = Serve::start(kind.name(), "http");
        let url = format!("http://{}/plaintext", serve.addr);
        let out = client("wrk", &["-t1", "-c100", "-d1s", &url]);
        let all = text(&out);
        assert!(out.status.success(), "{kind}: {all}");
        assert!(!all.contains("Socket errors"), "{kind}: {all}");
        assert!(!all.contains("Non-2xx"), "{kind}: {all}");
        let requests: u64 = all
            .lines()
            .find_map(|l| l.trim().split_once(" requests in "))
            .and_then(|(n, _)| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{kind}: no request count in {all}"));
        assert!(requests > 100, "{kind}: {all}");
    }
}

/// The `ReceivedMessages` sockperf reports.
fn received(out: &Output) -> u64 {
    let all = text(out);
    assert!(!all.contains("No messages were received"), "{all}");
    all.split("ReceivedMessages=")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no ReceivedMessages in {all}"))
}

#[test]
#[cfg_attr(
    not(external_clients),
    ignore = "wrk or sockperf is not installed (apt-get install wrk sockperf, then rebuild)"
)]
fn sockperf_measures_the_sockperf_workload() {
    let serve = Serve::start("mio", "sockperf");
    let common = ["--tcp", "-i", "127.0.0.1", "-p", serve.port(), "-t", "1"];
    let ping = client("sockperf", &[&["ping-pong"][..], &common].concat());
    assert!(received(&ping) > 100, "{}", text(&ping));
    let under = client(
        "sockperf",
        &[&["under-load"][..], &common, &["--mps", "2000"]].concat(),
    );
    // under-load asks for a reply to one message in 100 (--reply-every).
    assert!(received(&under) >= 5, "{}", text(&under));
}
