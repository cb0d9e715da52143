//! Ctrl-C (SIGINT) saves partial results, for `harness load` and `harness run`.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use support::{harness, test_server, Misbehave, TempDir};

/// Starts `harness args`, waits for `ready` on its stderr, sends SIGINT, and returns
/// the exit code.
fn interrupt_after(args: &[&str], ready: &str) -> Option<i32> {
    interrupt_and_read(args, ready).0
}

/// As [`interrupt_after`], with the stderr lines after `ready`.
fn interrupt_and_read(args: &[&str], ready: &str) -> (Option<i32>, String) {
    let mut child = harness()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut lines = stderr.lines();
    for line in lines.by_ref() {
        if line.unwrap().contains(ready) {
            break;
        }
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    (child.wait().unwrap().code(), rest.join("\n"))
}

#[test]
fn ctrl_c_during_load_saves_partial_results() {
    let addr = test_server(Misbehave::None).to_string();
    let dir = TempDir::new("int-load");
    let code = interrupt_after(
        &[
            "load",
            "--target",
            &addr,
            "--conns",
            "2",
            "--duration",
            "60s",
            "--warmup",
            "0",
            "--out",
            dir.arg(),
        ],
        "measuring",
    );
    assert_eq!(code, Some(130));
    let results = dir.results();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["load"]["interrupted"], true);
    assert_eq!(results[0]["load"]["complete"], false);
}

#[test]
fn ctrl_c_during_run_saves_partial_results() {
    let dir = TempDir::new("int-run");
    let code = interrupt_after(
        &[
            "run",
            "--backend",
            "tokio",
            "--conns",
            "2",
            "--duration",
            "60s",
            "--warmup",
            "0",
            "--out",
            dir.arg(),
        ],
        "connected",
    );
    assert_eq!(code, Some(130));
    let results = dir.results();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["load"]["interrupted"], true);
}

#[test]
fn ctrl_c_with_no_files_claims_no_saved_files() {
    let (code, stderr) = interrupt_and_read(
        &[
            "run",
            "--backend",
            "tokio",
            "--conns",
            "2",
            "--duration",
            "60s",
            "--warmup",
            "0",
            "--no-files",
        ],
        "connected",
    );
    assert_eq!(code, Some(130), "{stderr}");
    assert!(!stderr.contains("saved"), "{stderr}");
    assert!(stderr.contains("no files written"), "{stderr}");
}
