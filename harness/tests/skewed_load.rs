//! The skewed load end to end (`--work-us`, `--hot-fraction`, `--conn-requests`): hot
//! requests cost the server what they should, on a pool backend and on the reference;
//! churned connections reconnect with every byte still verified; the per-worker
//! balance shows in the JSON and the tables.

mod support;

use serde_json::Value;
use support::{assert_sane, run, text, TempDir};

/// The work of a hot request in these tests, µs: large against an echo's own cost
/// (a few µs to a few tens in a debug build), so the margins can be wide.
const WORK_US: f64 = 400.0;

/// Runs `harness run` with `extra` flags into a fresh directory; returns stdout and
/// the results.
fn skewed_run(extra: &[&str]) -> (String, Vec<Value>) {
    let dir = TempDir::new("skew");
    let mut args = vec![
        "run",
        "--threads",
        "2",
        "--client-threads",
        "1",
        "--conns",
        "4",
        "--warmup",
        "100ms",
        "--out",
        dir.arg(),
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}", text(&out));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        dir.results(),
    )
}

/// Checks that one run's hot requests cost the server their work: the server's CPU per
/// echo is at least the hot share of the echoes times the work (less a wide margin for
/// the clock-tick resolution of CPU times), and not much more; and that the server
/// counted about as many hot requests as the client sent.
fn assert_hot_requests_cost_their_work(r: &Value) {
    assert_sane(r);
    let server = &r["server"];
    let workers = server["workers"].as_array().unwrap();
    let server_hot: u64 = workers
        .iter()
        .map(|w| w["hot_echoes"].as_u64().unwrap())
        .sum();
    let echoes = server["echoes"].as_u64().unwrap();
    let client_hot = r["load"]["skew"]["hot_requests"].as_u64().unwrap();
    let requests = r["load"]["requests"].as_u64().unwrap();
    assert!(server_hot > 0 && client_hot > 0, "{server}");
    assert!(
        server_hot < echoes,
        "cold connections were charged: {server}"
    );
    // The server's window is bracketed by the client's events, not identical to it.
    let close = |a: u64, b: u64| a.abs_diff(b) as f64 <= 0.2 * a.max(b) as f64 + 5.0;
    assert!(
        close(server_hot, client_hot) && close(echoes, requests),
        "server {server_hot} hot of {echoes}, client {client_hot} of {requests}"
    );
    let expected = WORK_US * server_hot as f64 / echoes as f64;
    let cpu = server["cpu_per_echo_us"].as_f64().unwrap();
    assert!(
        cpu >= 0.7 * expected && cpu <= 1.3 * expected + 60.0,
        "server CPU per echo {cpu:.1} µs, expected about {expected:.1} µs plus the echo"
    );
    assert_eq!(server["work_us"].as_f64(), Some(WORK_US));
    let balance = &server["balance"];
    for key in [
        "echoes_max_pct",
        "echoes_min_pct",
        "hot_max_pct",
        "hot_min_pct",
    ] {
        assert!(balance[key].as_f64().is_some(), "balance.{key}: {balance}");
    }
    assert!(
        balance["hot_max_pct"].as_f64() >= balance["hot_min_pct"].as_f64(),
        "{balance}"
    );
}

#[test]
fn hot_requests_cost_a_pool_its_work() {
    let (stdout, results) = skewed_run(&[
        "--backend",
        "tokio",
        "--duration",
        "800ms",
        "--work-us",
        "400",
        "--hot-fraction",
        "0.5",
    ]);
    assert_eq!(results.len(), 1);
    assert_hot_requests_cost_their_work(&results[0]);
    assert!(
        stdout.contains("skew: 50% of conns hot, 400 µs server work per hot request"),
        "{stdout}"
    );
    assert!(stdout.contains("busiest/idlest worker: busy"), "{stdout}");
    let header = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("worker"))
        .unwrap_or_else(|| panic!("no worker table:\n{stdout}"));
    assert!(header.trim_end().ends_with("hot"), "{header}");
}

#[test]
fn hot_requests_cost_the_reference_its_work_in_open_loop() {
    // Open loop: every connection sends at the same rate, so the hot share of the
    // requests is the hot share of the connections (2 of 4 here).
    let (_, results) = skewed_run(&[
        "--backend",
        "epoll-ref",
        "--duration",
        "800ms",
        "--rate",
        "400",
        "--work-us",
        "400",
        "--hot-fraction",
        "0.5",
    ]);
    let r = &results[0];
    assert_hot_requests_cost_their_work(r);
    let hot = r["load"]["skew"]["hot_requests"].as_f64().unwrap();
    let share = hot / r["load"]["requests"].as_f64().unwrap();
    assert!((0.4..=0.6).contains(&share), "hot share {share}");
}

#[test]
fn churned_connections_reconnect_and_verify_every_byte() {
    // Two repetitions of one backend: the comparison table, with its balance lines.
    let (stdout, results) = skewed_run(&[
        "--backend",
        "mio",
        "--repeat",
        "2",
        "--duration",
        "300ms",
        "--conn-requests",
        "10",
        "--work-us",
        "50",
        "--hot-fraction",
        "0.5",
    ]);
    assert_eq!(results.len(), 2);
    for r in &results {
        // assert_sane: no errors of any kind, every byte of every echo verified.
        assert_sane(r);
        let load = &r["load"];
        let reconnects = load["reconnects"].as_u64().unwrap();
        let requests = load["requests"].as_u64().unwrap();
        assert_eq!(load["conn_requests"].as_u64(), Some(10));
        // Each connection reconnects after 10 requests, warm-up included.
        assert!(
            reconnects >= requests / 10 - 4,
            "{reconnects} reconnects for {requests} requests"
        );
        let accepted: u64 = r["server"]["workers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["accepted"].as_u64().unwrap())
            .sum();
        assert!(
            accepted >= 4 + reconnects / 2,
            "the server accepted {accepted} for {reconnects} reconnects"
        );
        // Reconnected connections still send their header: the server computed for
        // hot requests on them too.
        let server_hot: u64 = r["server"]["workers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["hot_echoes"].as_u64().unwrap())
            .sum();
        assert!(server_hot > 0, "{}", r["server"]);
    }
    assert!(
        stdout.contains("churn: reconnect every 10 requests"),
        "{stdout}"
    );
    assert!(
        stdout.contains("balance, busiest/idlest server worker"),
        "{stdout}"
    );
    let balance_line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("mio "))
        .unwrap_or_else(|| panic!("no balance line:\n{stdout}"));
    assert!(
        balance_line.contains("echoes") && balance_line.contains("hot"),
        "{balance_line}"
    );
}

#[test]
fn each_placement_policy_is_a_target_of_its_own() {
    let (stdout, results) = skewed_run(&[
        "--backend",
        "mio",
        "--placement",
        "round-robin,least-loaded,p2c",
        "--duration",
        "200ms",
        "--conn-requests",
        "20",
        "--work-us",
        "50",
    ]);
    let labels: Vec<&str> = results
        .iter()
        .map(|r| r["backend"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["mio", "mio-least-loaded", "mio-p2c"]);
    for r in &results {
        assert_sane(r);
        assert!(r["load"]["reconnects"].as_u64().unwrap() > 0);
    }
    for label in labels {
        assert!(stdout.contains(label), "{label} not in:\n{stdout}");
    }
}
