//! A server that dies mid-run: the load generator exits non-zero and saves partial
//! results.

mod support;

use support::{run_load, test_server, text, Misbehave, TempDir};

#[test]
fn server_death_saves_partial_results() {
    // Each connection is closed after 200 echoes of 64 B.
    let addr = test_server(Misbehave::DieAfter(64 * 200)).to_string();
    let dir = TempDir::new("death");
    let out = run_load(&addr, "30s", &dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let results = dir.results();
    assert_eq!(results.len(), 1, "{}", text(&out));
    let load = &results[0]["load"];
    // The server closes each connection; a close that races with data in flight reaches
    // the client as a reset instead of an end of stream. Either way, each is counted once.
    let closed = load["errors"]["closed"].as_u64().unwrap();
    let reset = load["errors"]["reset"].as_u64().unwrap();
    assert_eq!(closed + reset, 4, "{load}");
    assert_eq!(load["error_total"], 4, "{load}");
    assert_eq!(load["complete"], false);
    assert!(load["requests"].as_u64().unwrap() > 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("partial"));
}
