//! `harness plot`: result files in, one SVG per plot kind out, a line per backend;
//! bad input gives a clear error that names the path, never a panic.

mod support;

use std::path::Path;

use harness::backend::ServerKind;

use support::{assert_fails_with, run, text, TempDir};

/// Small result files (one per backend) from one quick `harness run`.
fn results(dir: &TempDir) {
    let out = run(&[
        "run",
        "--backend",
        "all",
        "--conns",
        "2",
        "--duration",
        "200ms",
        "--warmup",
        "0",
        "--out",
        dir.arg(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
}

fn svg(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn draws_every_kind_with_a_line_per_backend() {
    let data = TempDir::new("plot-data");
    results(&data);
    let jsons: Vec<String> = std::fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    // Every server that runs here (io_uring may be refused: `all` leaves it out).
    let backends: Vec<&ServerKind> = ServerKind::all()
        .iter()
        .filter(|k| k.available().is_ok())
        .collect();
    assert_eq!(jsons.len(), backends.len(), "one result per backend");
    let plots = TempDir::new("plot-out");
    let mut args = vec!["plot", "--out", plots.arg()];
    args.extend(jsons.iter().map(String::as_str));
    let out = run(&args);
    assert!(out.status.success(), "{}", text(&out));

    let latency = svg(plots.path(), "latency-closed-c2-m64.svg");
    for label in ["50%", "90%", "99%", "percentile", "latency (µs"] {
        assert!(latency.contains(label), "latency plot lacks `{label}`");
    }
    let throughput = svg(plots.path(), "throughput-closed-m64.svg");
    assert!(throughput.contains("requests per second"));
    let cpu = svg(plots.path(), "cpu-closed-m64.svg");
    assert!(
        cpu.contains("kernel: one blocking send+recv"),
        "the CPU plot shows the kernel's send+recv"
    );
    for plot in [&latency, &throughput, &cpu] {
        assert!(plot.starts_with("<svg"));
        for b in &backends {
            // plotters writes each text on a line of its own.
            assert!(plot.contains(&format!("\n{b}\n")), "no line for {b}");
        }
    }
}

#[test]
fn reads_a_directory_of_results() {
    let data = TempDir::new("plot-dir");
    results(&data);
    let plots = TempDir::new("plot-dir-out");
    let out = run(&["plot", data.arg(), "--out", plots.arg()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(plots.path().join("latency-closed-c2-m64.svg").exists());
}

#[test]
fn needs_files() {
    assert_fails_with(&run(&["plot"]), "FILES");
}

#[test]
fn names_a_missing_file() {
    let out = run(&["plot", "/nonexistent/run.json"]);
    assert_fails_with(&out, "cannot read /nonexistent/run.json");
}

#[test]
fn names_a_file_that_is_not_a_result() {
    let dir = TempDir::new("plot-bad");
    let path = dir.path().join("other.json");
    std::fs::write(&path, r#"{"hello": "world"}"#).unwrap();
    let out = run(&["plot", path.to_str().unwrap(), "--out", dir.arg()]);
    assert_fails_with(
        &out,
        &format!("{} is not a harness result file", path.display()),
    );
}

#[test]
fn names_a_directory_without_results() {
    let dir = TempDir::new("plot-empty");
    let out = run(&["plot", dir.arg()]);
    assert_fails_with(&out, &format!("{} holds no result files", dir.arg()));
}
