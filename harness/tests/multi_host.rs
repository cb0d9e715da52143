//! The multi-host path: `harness serve` on one "host" and two `harness load` processes
//! on two others, each host a network namespace joined to the server's by a veth pair.
//! The two loads share a common start (`--start-at`); `harness report` merges them into
//! the sum of the parts, and the server's own echo count agrees.
//!
//! Needs root and `ip netns`. A `harness = false` test: where either is missing, it
//! is reported as ignored, with the reason.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pool_core::conformance::runner::{run, Group};
use pool_core::test_list;
use serde_json::Value;
use support::netns::{self, Namespaces};
use support::{text, TempDir};

/// Connections per load process.
const CONNS: u64 = 4;
/// How far ahead the common start is: time to start both processes and connect.
const LEAD: Duration = Duration::from_secs(3);

const HARNESS: &str = env!("CARGO_BIN_EXE_harness");

/// The number in `served N s: ECHOES echoes of ...`.
fn served_echoes(lines: &[String]) -> u64 {
    lines
        .iter()
        .find_map(|l| {
            let rest = l.strip_prefix("served ")?;
            let (_, after) = rest.split_once(": ")?;
            after.split_whitespace().next()?.parse().ok()
        })
        .unwrap_or_else(|| panic!("no echo count in {lines:?}"))
}

fn two_load_hosts_merge_into_the_sum_of_their_parts() {
    let mut ns = Namespaces::new(&["srv", "la", "lb"]).expect("network namespaces");
    // One private /24, cut into two /30 links, assigned inside the namespaces only.
    ns.link(0, "10.213.7.1/30", 1, "10.213.7.2/30").unwrap();
    ns.link(0, "10.213.7.5/30", 2, "10.213.7.6/30").unwrap();

    let server = ns.adopt(
        ns.command(
            0,
            HARNESS,
            &[
                "serve",
                "--backend",
                "tokio",
                "--threads",
                "2",
                "--listen",
                "0.0.0.0:0",
            ],
        )
        .stdout(Stdio::piped())
        .spawn()
        .unwrap(),
    );
    let server_pid = server.id();
    let mut server_out = BufReader::new(server.stdout.take().unwrap()).lines();
    let first = server_out
        .next()
        .expect("the server says where it listens")
        .unwrap();
    let port = first
        .strip_prefix("listening on 0.0.0.0:")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();

    let dir = TempDir::new("multi-host");
    let start_at = (SystemTime::now() + LEAD)
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        .to_string();
    let loads: Vec<_> = [(1, "10.213.7.1", "a"), (2, "10.213.7.5", "b")]
        .into_iter()
        .map(|(host, server_ip, out)| {
            let target = format!("{server_ip}:{port}");
            let out = dir.path().join(out);
            let conns = CONNS.to_string();
            let args = [
                "load",
                "--target",
                &target,
                "--conns",
                &conns,
                "--client-threads",
                "1",
                "--duration",
                "1s",
                "--warmup",
                "0",
                "--start-at",
                &start_at,
                "--out",
                out.to_str().unwrap(),
            ];
            ns.command(host, HARNESS, &args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut parts = Vec::new();
    for load in loads {
        let out = load.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
    for out in ["a", "b"] {
        let results = TempDir::results_in(&dir.path().join(out));
        assert_eq!(results.len(), 1);
        parts.push(results.into_iter().next().unwrap());
    }

    // The server's own count, over its whole life: stop it and read its summary.
    let term = std::process::Command::new("kill")
        .args(["-TERM", &server_pid.to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let rest: Vec<String> = server_out.map_while(Result::ok).collect();
    let echoes = served_echoes(&rest);

    let merged_dir = dir.path().join("merged");
    let out = support::run(&[
        "report",
        dir.path().join("a").to_str().unwrap(),
        dir.path().join("b").to_str().unwrap(),
        "--out",
        merged_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("warning"), "{}", text(&out));
    let merged: Value =
        serde_json::from_str(&std::fs::read_to_string(merged_dir.join("merged.json")).unwrap())
            .unwrap();

    let requests: Vec<u64> = parts
        .iter()
        .map(|p| p["load"]["requests"].as_u64().unwrap())
        .collect();
    let sum: u64 = requests.iter().sum();
    assert!(requests.iter().all(|&r| r > 0), "{requests:?}");
    assert_eq!(merged["requests"], sum);
    assert_eq!(merged["count"], sum);
    assert_eq!(merged["warnings"], Value::Array(Vec::new()));
    // Two processes, each naming its host and pid, over the same window.
    assert_ne!(parts[0]["load"]["pid"], parts[1]["load"]["pid"]);
    let starts: Vec<f64> = parts
        .iter()
        .map(|p| p["load"]["window_start_unix_s"].as_f64().unwrap())
        .collect();
    assert!((starts[0] - starts[1]).abs() < 0.05, "{starts:?}");
    // The server echoed every counted request, plus at most the one in flight on each
    // connection when the window closed (sent inside it, echoed after it). With no
    // warm-up, nothing was sent before the window.
    let conns = 2 * CONNS;
    assert!(
        (sum..=sum + conns).contains(&echoes),
        "server echoed {echoes}, clients counted {sum} over {conns} connections"
    );
}

fn main() -> std::process::ExitCode {
    run([
        Group::new(test_list![two_load_hosts_merge_into_the_sum_of_their_parts])
            .requires(netns::available()),
    ])
}
