//! `harness run` end to end at small scale: every backend, closed and open loop, both
//! accept strategies; the JSON results are present and sane.

mod support;

use harness::backend::ServerKind;
use support::{assert_sane, run, text, TempDir};

/// Every server `--backend all` runs here: the backends and the references, less
/// those that cannot run on this machine (io_uring refused).
fn backends() -> Vec<String> {
    ServerKind::all()
        .iter()
        .filter(|k| k.available().is_ok())
        .map(|k| k.name().to_owned())
        .collect()
}

/// Checks that `--backend all` left out, each with a note, every server that cannot
/// run here.
fn assert_unavailable_noted(all: &str) {
    for kind in ServerKind::all() {
        if kind.available().is_err() {
            let note = format!("{}: skipped: ", kind.name());
            assert!(all.contains(&note), "no `{note}` note:\n{all}");
        }
    }
}

fn check_run(extra: &[&str], expect_open: bool) {
    let dir = TempDir::new("run");
    let mut args = vec![
        "run",
        "--backend",
        "all",
        "--conns",
        "8",
        "--threads",
        "2",
        "--client-threads",
        "1",
        // Short: six servers run one after another; a few thousand echoes each
        // are plenty for what is checked here.
        "--duration",
        "300ms",
        "--warmup",
        "100ms",
        "--out",
        dir.arg(),
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let results = dir.results();
    assert_eq!(results.len(), backends().len(), "{}", text(&out));
    assert_unavailable_noted(&text(&out));
    for name in backends() {
        assert!(stdout.contains(&name), "table lacks {name}:\n{stdout}");
        let r = results
            .iter()
            .find(|r| r["backend"] == name.as_str())
            .unwrap_or_else(|| panic!("no result for {name}"));
        assert_sane(r);
        let server = &r["server"];
        assert!(server["echoes"].as_u64().unwrap() > 0);
        assert!(server["cpu_per_echo_us"].as_f64().unwrap() > 0.0);
        assert_eq!(server["workers"].as_array().unwrap().len(), 2);
        assert!(r["send_recv"]["cpu_per_op_us"].as_f64().unwrap() > 0.0);
        assert_eq!(r["load"]["latency_uncorrected"].is_null(), !expect_open);
        let stem = format!(
            "{name}-{}-c8-m{}-r1",
            if expect_open {
                "open-2000rps"
            } else {
                "closed"
            },
            r["load"]["msg_size"]
        );
        for ext in ["hgrm", "hist", "txt"] {
            assert!(
                dir.path().join(format!("{stem}.{ext}")).exists(),
                "{stem}.{ext}"
            );
        }
    }
    assert!(stdout.contains("x mt"), "no ratio column:\n{stdout}");
    // The reference runs with the backends, labelled as what it is; the old "floor"
    // figures, which servers beat, are gone.
    assert!(
        stdout.contains("epoll-ref (reference)"),
        "no labelled reference row:\n{stdout}"
    );
    assert!(
        stdout.contains("above ref"),
        "no CPU above the reference:\n{stdout}"
    );
    for gone in ["x floor", "runtime overhead", "floor "] {
        assert!(
            !stdout.contains(gone),
            "`{gone}` is still printed:\n{stdout}"
        );
    }
    assert!(dir.path().join("summary.txt").exists());
}

#[test]
fn closed_loop_every_backend() {
    check_run(&[], false);
}

#[test]
fn open_loop_every_backend() {
    check_run(&["--rate", "2000", "--msg-size", "1KiB"], true);
}

#[test]
fn reuseport_every_backend() {
    check_run(&["--accept", "reuseport"], false);
}

#[test]
fn single_backend_prints_the_detailed_table() {
    let dir = TempDir::new("single");
    let out = run(&[
        "--backend",
        "tokio",
        "--conns",
        "4",
        "--duration",
        "500ms",
        "--warmup",
        "0",
        "--out",
        dir.arg(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "throughput",
        "latency µs",
        "server CPU",
        "kernel:",
        "per worker",
        "srv-w1",
    ] {
        assert!(stdout.contains(needle), "`{needle}` missing:\n{stdout}");
    }
    for gone in ["x floor", "runtime overhead"] {
        assert!(
            !stdout.contains(gone),
            "`{gone}` is still printed:\n{stdout}"
        );
    }
    let results = dir.results();
    assert_eq!(results.len(), 1);
    assert_sane(&results[0]);
    let hgrm = std::fs::read_to_string(dir.path().join("tokio-closed-c4-m64-r1.hgrm")).unwrap();
    assert!(hgrm.contains("Value     Percentile TotalCount 1/(1-Percentile)"));
}

#[test]
fn park_policies_run_as_targets_of_their_own_with_a_spinning_client() {
    let dir = TempDir::new("park");
    let out = run(&[
        "run",
        "--backend",
        "all",
        "--park",
        "immediate,spin:50us",
        "--client-spin",
        "--rate",
        "2000",
        "--conns",
        "4",
        "--threads",
        "1",
        "--client-threads",
        "1",
        "--duration",
        "500ms",
        "--warmup",
        "100ms",
        "--out",
        dir.arg(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let all = text(&out);
    // The backends that park at once only say so, and still run.
    assert!(
        all.contains("tokio-mt: cannot honour park spin:50us"),
        "{all}"
    );
    let results = dir.results();
    let mut labels: Vec<&str> = results
        .iter()
        .map(|r| r["backend"].as_str().unwrap())
        .collect();
    labels.sort_unstable();
    let io_uring = backends().len() == ServerKind::all().len();
    let expected: Vec<&str> = [
        "epoll-ref",
        "mio",
        "mio-spin50us",
        "tokio",
        "tokio-mt",
        "uring",
        "uring-ref",
        "uring-spin50us",
    ]
    .into_iter()
    .filter(|l| io_uring || !l.starts_with("uring"))
    .collect();
    assert_eq!(labels, expected);
    assert_unavailable_noted(&all);
    for r in &results {
        assert_sane(r);
        assert_eq!(r["load"]["client_spin"], true, "{r}");
        // A spinning client never sleeps: its thread is runnable (on a CPU, or queued
        // behind a CPU hog) the whole window, and that time is split between work
        // (`client_busy`) and idle spinning (`client_idle_spin`): 0.999 to 1.0 measured,
        // quiet or under a CPU hog on each core. A client that sleeps in epoll between
        // echoes, as it does without the spinner, measured 0.27 to 0.69 (the pacer's
        // last-microseconds spin included) under the same hog. How much of the window
        // was idle spinning depends on the CPUs, not on the feature: 0.8 or more on a
        // quiet machine, 0.02 for a client beside a spinning server under the hog (the
        // server takes the client's CPU at each `sched_yield`; echoes arrive meanwhile,
        // so the gap counts as work). Some of it must be idle spinning, counted apart.
        let busy = r["load"]["client_busy"].as_f64().unwrap();
        let spun = r["load"]["client_idle_spin"].as_f64().unwrap();
        assert!(
            busy + spun > 0.9,
            "client runnable {busy} + {spun} of the window for {}",
            r["backend"]
        );
        assert!(spun > 0.0, "no idle spin counted for {}", r["backend"]);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("client threads spin"), "{stdout}");
}
