//! `harness serve` prints its address, serves until SIGTERM, then prints CPU per echo
//! and the per-worker balance; `harness load --target` drives it.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use support::{harness, run_load, text, TempDir};

#[test]
fn serve_then_load_then_sigterm() {
    let mut server = harness()
        .args(["serve", "--backend", "tokio", "--threads", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = support::serve_addr(&first);

    let dir = TempDir::new("serve");
    let out = run_load(&addr, "500ms", &dir, &[]);
    assert!(out.status.success(), "{}", text(&out));
    support::assert_sane(&dir.results()[0]);

    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let status = server.wait().unwrap();
    assert!(status.success());
    let rest = rest.join("\n");
    assert!(rest.contains("server CPU per echo"), "{rest}");
    assert!(rest.contains("srv-w2"), "{rest}");
}
