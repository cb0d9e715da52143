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
        "## Findings",
        "This README makes **",
        "**Not replicated**",
        "### Closed loop, 64 B, shared-t2",
        "### Open loop at 50% of tokio-mt's closed-loop max, 64 B, shared-t2",
        // Two server workers: every table shows the balance; open loop, the lag.
        "| conns | backend | req/s | p50 µs | p99 µs | p99.9 µs | server CPU µs/echo | CPU above ref µs/echo | echoes % max/min · busy % max/min | errors |",
        "| echoes % max/min · busy % max/min | generator lag p50 / p99 µs | errors |",
        "| 4 | tokio |",
        "| 4 | epoll-ref *(reference)* |",
        "![throughput](plots/shared-t2/throughput-closed-m64.svg)",
        "## Thread scaling",
        "## The machine, and what it means for the numbers",
        "## Machine",
        "rustc",
        "| commit |",
        "| build profile |",
        "| SMT topology |",
        "| pinned CPUs |",
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

    // Every result records the commit and the build profile.
    assert!(open.contains("\"commit\": \""), "{open}");
    assert!(open.contains("\"build_profile\": \""), "{open}");

    // `harness readme` regenerates the README from the run's files, and the same
    // run as its own replicate (one commit) marks findings as replicated or not.
    std::fs::remove_file(dir.join("README.md")).unwrap();
    let dir_arg = dir.to_str().unwrap();
    let out = run(&["readme", dir_arg]);
    assert!(out.status.success(), "{}", text(&out));
    let again = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert_eq!(again.lines().count(), readme.lines().count(), "{again}");
    let out = run(&["readme", dir_arg, "--replicate", dir_arg]);
    assert!(out.status.success(), "{}", text(&out));
    let replicated = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(!replicated.contains("no second matrix run"), "{replicated}");

    // The index links the run and shows its headline plot, with its commit.
    let index = std::fs::read_to_string(root.path().join("README.md")).unwrap();
    assert!(
        index.contains("| run | date | commit | status |"),
        "{index}"
    );
    assert!(index.contains("[tiny](tiny/README.md)"), "{index}");
    assert!(
        index.contains("](tiny/plots/shared-t2/latency-closed-c4-m64.svg)"),
        "{index}"
    );
}
