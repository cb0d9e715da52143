//! A run limited by the load generator says so (issue 11, failure 5: with the client
//! pinned to one CPU at 100 connections, the generator used its whole core, and the
//! throughput measured the generator for every server alike).

mod support;

use support::{run, text, TempDir};

/// The client pinned to one CPU, 100 connections, closed loop, 4 KiB messages: the
/// generator fills and checks every byte of every message, the server only copies
/// them, so the generator is the bottleneck (by far in the unoptimized test build, in
/// which this runs). Its client thread is then runnable nearly all the window.
#[test]
fn a_pinned_one_cpu_client_at_100_connections_is_client_bound() {
    let dir = TempDir::new("client-bound");
    let out = run(&[
        "run",
        "--backend",
        "tokio",
        "--conns",
        "100",
        "--threads",
        "1",
        "--client-threads",
        "1",
        "--pin",
        "--msg-size",
        "4096",
        "--duration",
        "1s",
        "--warmup",
        "200ms",
        "--out",
        dir.arg(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let load = &dir.results()[0]["load"];
    let busy = load["client_busy"].as_f64().expect("client_busy recorded");
    assert!(busy >= 0.9, "client busy {busy}:\n{stdout}");
    assert_eq!(load["client_bound"], true, "{load}");
    assert!(stdout.contains("CLIENT-BOUND"), "{stdout}");
    // A closed loop offers no rate: it is client-bound, not saturated.
    assert_eq!(load["saturated"], false);
}
