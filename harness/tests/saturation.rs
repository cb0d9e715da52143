//! Above capacity a run still reports what it measured, and says it is saturated
//! (issue 11, failure 2: `--rate 1000000` used to print `throughput 0 req/s` and empty
//! histograms, because only requests planned after the warm-up counted, and the
//! schedule of an overloaded run never reaches the window).

mod support;

use support::{assert_sane, run, text, TempDir};

#[test]
fn above_capacity_reports_every_completed_request_and_saturation() {
    let dir = TempDir::new("saturated");
    let out = run(&[
        "run",
        "--backend",
        "tokio",
        "--conns",
        "4",
        "--threads",
        "1",
        "--client-threads",
        "1",
        "--rate",
        "1000000",
        "--duration",
        "1s",
        // Long enough that the overloaded schedule never reaches the window: the old
        // harness counted nothing here.
        "--warmup",
        "1s",
        "--out",
        dir.arg(),
    ]);
    // Saturation is a finding, not an error.
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("SATURATED"), "{stdout}");
    let results = dir.results();
    assert_eq!(results.len(), 1, "{}", text(&out));
    let r = &results[0];
    assert_sane(r);
    let load = &r["load"];
    assert_eq!(load["saturated"], true, "{load}");
    let rps = load["throughput_rps"].as_f64().unwrap();
    assert!(rps > 1000.0 && rps < 970_000.0, "{rps}");
    // Every completed request has a corrected latency; the schedule fell behind from
    // the start, so the corrected latency exceeds the echo's own.
    let corrected = &load["latency"];
    let uncorrected = &load["latency_uncorrected"];
    assert_eq!(corrected["count"], load["requests"], "{load}");
    assert_eq!(uncorrected["count"], load["requests"], "{load}");
    assert!(corrected["p50_us"].as_u64() > uncorrected["p50_us"].as_u64());
}

#[test]
fn a_closed_loop_is_never_saturated() {
    let dir = TempDir::new("closed-unsaturated");
    let out = run(&[
        "run",
        "--backend",
        "tokio",
        "--conns",
        "2",
        "--threads",
        "1",
        "--client-threads",
        "1",
        "--duration",
        "500ms",
        "--warmup",
        "0",
        "--out",
        dir.arg(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let load = &dir.results()[0]["load"];
    assert_eq!(load["saturated"], false, "{load}");
    assert!(load["lag"].is_null(), "{load}");
}
