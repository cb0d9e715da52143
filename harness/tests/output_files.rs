//! The output directory is checked before anything is measured, and the table is
//! printed before files are written: a bad `--out` loses no measurement.

mod support;

use std::time::{Duration, Instant};

use support::{assert_fails_with, closed_port, run, text, TempDir};

#[test]
fn out_at_a_regular_file_fails_before_measuring() {
    let dir = TempDir::new("out-file");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let file = file.to_str().unwrap();
    let started = Instant::now();
    // 60 s of load: the failure must come before it.
    let out = run(&["run", "--conns", "1", "--duration", "60s", "--out", file]);
    assert_fails_with(&out, "is a file, not a directory");
    let target = closed_port().to_string();
    let out = run(&["load", "--target", &target, "--out", file]);
    assert_fails_with(&out, "is a file, not a directory");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn the_table_is_printed_even_when_a_file_cannot_be_written() {
    let dir = TempDir::new("out-blocked");
    // A directory where the JSON result should go: that one write fails.
    let blocker = dir.path().join("tokio-closed-c1-m64-r1.json");
    std::fs::create_dir(&blocker).unwrap();
    let out = run(&[
        "run",
        "--conns",
        "1",
        "--duration",
        "200ms",
        "--warmup",
        "0",
        "--out",
        dir.arg(),
    ]);
    assert_fails_with(&out, "cannot write");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("throughput"), "no table:\n{}", text(&out));
}
