//! A deliberately corrupting server: the harness reports its echoes as integrity
//! errors, exits non-zero, and still saves its results.

mod support;

use support::{run_load, test_server, text, Misbehave, TempDir};

#[test]
fn corrupted_echoes_are_integrity_errors() {
    let addr = test_server(Misbehave::Corrupt(1000)).to_string();
    let dir = TempDir::new("corrupt");
    let out = run_load(&addr, "1s", &dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let results = dir.results();
    assert_eq!(results.len(), 1, "{}", text(&out));
    let load = &results[0]["load"];
    assert!(load["errors"]["integrity"].as_u64().unwrap() >= 1, "{load}");
    assert_eq!(load["errors"]["closed"], 0);
    assert!(load["first_error"].as_str().unwrap().contains("differs"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("integrity"));
}

#[test]
fn a_faithful_server_gives_no_errors() {
    let addr = test_server(Misbehave::None).to_string();
    let dir = TempDir::new("faithful");
    let out = run_load(&addr, "500ms", &dir, &["--msg-size", "3"]);
    assert!(out.status.success(), "{}", text(&out));
    support::assert_sane(&dir.results()[0]);
}
