//! Open-loop pacing charges the server, not the generator (issue 11, failure 1: sends
//! woke on tokio's 1 ms timer, so at 1 connection and 10% load the corrected p50 was
//! 470 µs against an echo of 15 µs).
//!
//! The test asserts timings (lag p99 under 20 µs), which a loaded machine cannot keep:
//! it is `#[ignore]`d in CI and run by hand on a quiet machine. The logic of the
//! correction is covered by the unit tests of `load::conn::Timing`.

mod support;

use serde_json::Value;
use support::{run, text, TempDir};

/// One `harness run` of tokio, 1 connection, 1 server thread, 1 client thread, pinned
/// to different CPUs (the generator's pacing, not the scheduler's placement, is under
/// test); `rate` of `None` is the closed loop. Returns the load result.
fn one_connection(rate: Option<f64>) -> Value {
    let dir = TempDir::new("pacing");
    let rate = rate.map(|r| format!("{r:.0}"));
    let mut args = vec![
        "run",
        "--backend",
        "tokio",
        "--conns",
        "1",
        "--threads",
        "1",
        "--client-threads",
        "1",
        "--pin",
        "--duration",
        "1s",
        "--warmup",
        "300ms",
        "--out",
        dir.arg(),
    ];
    if let Some(rate) = &rate {
        args.extend(["--rate", rate]);
    }
    let out = run(&args);
    assert!(out.status.success(), "{}", text(&out));
    dir.results()[0]["load"].clone()
}

/// Runs the closed loop, then the open loop at 10% of its throughput, and returns
/// why the pacing falls short, if it does.
fn attempt() -> Result<String, String> {
    let closed = one_connection(None);
    let capacity = closed["throughput_rps"].as_f64().unwrap();
    let open = one_connection(Some(capacity / 10.0));
    let p50 = |v: &Value| v["p50_us"].as_u64().unwrap() as f64;
    let closed_p50 = p50(&closed["latency"]);
    let corrected_p50 = p50(&open["latency"]);
    let echo_p50 = p50(&open["latency_uncorrected"]);
    let lag_p99 = open["lag"]["p99_us"].as_u64().expect("lag recorded");
    let summary = format!(
        "closed p50 {closed_p50} µs at {capacity:.0} req/s; open at 10%: corrected p50 \
         {corrected_p50} µs, uncorrected p50 {echo_p50} µs, lag p99 {lag_p99} µs"
    );
    // 10%, and one step of the histograms' 1 µs resolution.
    if corrected_p50 > echo_p50 * 1.1 + 1.0 {
        return Err(format!("the generator's lateness is charged: {summary}"));
    }
    if lag_p99 >= 20 {
        return Err(format!("the generator sends late: {summary}"));
    }
    Ok(summary)
}

/// At 1 connection and 10% of capacity, the corrected p50 is within 10% of the echo's
/// own p50, and the generator's lag p99 is under 20 µs.
///
/// A timed test, which this repository otherwise leaves to benchmarks: issue 11 asks
/// for it, because a generator that charges its own lateness to the server is a bug
/// no functional test sees. The old generator fails it by far (corrected p50 of
/// hundreds of µs, on a 1 ms timer; and it measured no lag). It is made robust:
///
/// - the corrected p50 is compared with the uncorrected p50 *of the same run*: at 10%
///   load nothing queues, so any gap between the two at the median is lateness
///   charged to the server. The comparison with the closed loop's p50 is
///   printed, not asserted: on a virtual machine that halts idle vCPUs (the one this
///   was written on), a 1-connection echo costs 6 µs or 60 µs depending on whether
///   the vCPUs were awake, in either loop, from one second to the next; that is the
///   machine, not the generator;
/// - up to three attempts, so that a stall of a shared machine does not fail the
///   build. Each attempt measures over a thousand requests, enough for stable
///   percentiles. On the quiet 2-core VM this was written on, in release, 6 of 6 runs
///   passed at their first attempt (lag p99 5–16 µs); earlier variants of the pacer
///   failed 3 of 16 attempts at 22–23 µs. What is left is the kernel's 100 ms periodic
///   work on the client's CPU, which waits for that CPU to wake up and so lands in the
///   pacer's spin before a send (see `docs/open-loop.md`).
#[test]
#[ignore = "timing-sensitive (lag p99 < 20 µs): run on a quiet machine with \
            `cargo test --release -p harness --test pacing -- --ignored`"]
fn corrected_latency_at_low_load_matches_the_closed_loop() {
    let mut failures = Vec::new();
    for _ in 0..3 {
        match attempt() {
            Ok(summary) => {
                eprintln!("{summary} (after {} failed attempts)", failures.len());
                return;
            }
            Err(why) => {
                eprintln!("attempt failed: {why}");
                failures.push(why);
            }
        }
    }
    panic!("every attempt failed:\n{}", failures.join("\n"));
}
