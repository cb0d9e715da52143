//! `harness matrix` in a tiny configuration: the run directory with its results, plots,
//! summary and README, and the regenerated index.

mod support;

use support::{run, text, TempDir};

#[test]
fn writes_the_run_directory_and_the_index() {
    let root = TempDir::new("matrix");
    let out = run(&[
        "matrix",
        "--out",
        root.arg(),
        "--name",
        "tiny",
        "--conns-list",
        "1,4",
        "--sizes",
        "64",
        "--open-levels",
        "50",
        "--duration",
        "200ms",
        "--warmup",
        "0",
        "--repeat",
        "1",
        "--profiles",
        "shared",
        "--shared-threads",
        "2",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let dir = root.path().join("tiny");

    // Every run's files, open loop marked with its fraction of the baseline.
    let open = std::fs::read_to_string(dir.join("runs/shared-t2/tokio-mt-open50-c4-m64-r1.json"))
        .expect("an open-loop result");
    assert!(open.contains("\"baseline_fraction\": 0.5"));
    assert!(dir
        .join("runs/shared-t2/tokio-closed-c1-m64-r1.hgrm")
        .exists());

    // Plots of every kind.
    for file in [
        "latency-closed-c4-m64.svg",
        "latency-open50-c1-m64.svg",
        "throughput-closed-m64.svg",
        "cpu-open50-m64.svg",
    ] {
        assert!(dir.join("plots/shared-t2").join(file).exists(), "{file}");
    }

    // The README: table with ratios, plots, machine, commands.
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for needle in [
        "## Efficiency: server CPU per echo at a fixed rate",
        "## Significant findings",
        "**No difference**",
        "### Closed loop, 64 B, shared-t2",
        "### Open loop at 50% of tokio-mt's closed-loop max, 64 B, shared-t2",
        "| conns | backend | req/s | p50 µs | p99 µs | p99.9 µs | server CPU µs/echo | CPU above ref µs/echo | errors |",
        "| 4 | tokio |",
        "| 4 | epoll-ref *(reference)* |",
        "![throughput](plots/shared-t2/throughput-closed-m64.svg)",
        "## Thread scaling",
        "## The machine, and what it means for the numbers",
        "## Machine",
        "rustc",
        "## Commands",
        "harness matrix",
    ] {
        assert!(
            readme.contains(needle),
            "README lacks `{needle}`:\n{readme}"
        );
    }
    assert!(dir.join("matrix.json").exists());
    for gone in ["x floor", "runtime overhead"] {
        assert!(!readme.contains(gone), "README still says `{gone}`");
    }

    // The index links the run and shows its headline plot.
    let index = std::fs::read_to_string(root.path().join("README.md")).unwrap();
    assert!(index.contains("[tiny](tiny/README.md)"), "{index}");
    assert!(
        index.contains("](tiny/plots/shared-t2/latency-closed-c4-m64.svg)"),
        "{index}"
    );
}
