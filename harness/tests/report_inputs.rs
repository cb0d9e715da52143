//! `harness report` reads inputs with a size limit, tells their type from their
//! content, and explains a bad one without Rust debug text.

mod support;

use std::time::{Duration, Instant};

use harness::metrics::histogram;
use support::{assert_fails_with, run, text, TempDir};

/// Asserts no Rust debug formatting reached the user.
fn assert_no_debug_text(out: &std::process::Output) {
    let all = text(out);
    for debug in ["Error {", "kind:", "IoError(", "UnexpectedEof"] {
        assert!(!all.contains(debug), "debug text `{debug}` in:\n{all}");
    }
}

#[test]
fn an_endless_file_is_refused_at_the_size_limit() {
    let started = Instant::now();
    let out = run(&["report", "/dev/zero"]);
    assert_fails_with(&out, "/dev/zero is larger than 16 MiB");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn garbage_json_is_called_what_it_is() {
    let dir = TempDir::new("report-garbage");
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"schema\": ").unwrap();
    let out = run(&["report", broken.to_str().unwrap()]);
    assert_fails_with(&out, "is not a harness result file (the JSON ends early");
    assert_no_debug_text(&out);

    let other = dir.path().join("other.json");
    std::fs::write(&other, "{\"hello\": 1}").unwrap();
    let out = run(&["report", other.to_str().unwrap()]);
    assert_fails_with(&out, "is not a harness result file (missing field");
    assert_no_debug_text(&out);

    let prose = dir.path().join("prose.json");
    std::fs::write(&prose, "hello, world").unwrap();
    let out = run(&["report", prose.to_str().unwrap()]);
    assert_fails_with(&out, "neither a harness result file");
}

#[test]
fn a_truncated_histogram_is_a_clear_error() {
    let dir = TempDir::new("report-truncated");
    let mut h = histogram::new();
    h.record(100).unwrap();
    let full = histogram::encode(&h).unwrap();
    let cut = dir.path().join("cut.hist");
    std::fs::write(&cut, &full[..16]).unwrap();
    let out = run(&["report", cut.to_str().unwrap()]);
    assert_fails_with(&out, "not an HdrHistogram V2 histogram");
    assert_no_debug_text(&out);
}

#[test]
fn the_type_comes_from_the_content_not_the_name() {
    let dir = TempDir::new("report-content");
    let mut h = histogram::new();
    h.record(100).unwrap();
    let misnamed = dir.path().join("really-a-histogram.json");
    std::fs::write(&misnamed, histogram::encode(&h).unwrap()).unwrap();
    let out = run(&["report", misnamed.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
}
