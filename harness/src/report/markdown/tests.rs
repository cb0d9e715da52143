//! Tests of the generated Markdown: ratios and their refusals, the balance and lag
//! columns, and replication.

use serde_json::{json, Value};

use super::findings::{findings, Replication};
use super::summary::MatrixSummary;
use super::tables::{lag_cell, series_table};
use crate::load::ErrorCounts;
use crate::metrics::{CpuTime, Percentiles};
use crate::plan::{Profile, Section};
use crate::report::fdr::Rules;
use crate::report::{Level, SeriesKey};
use crate::result::{ConnectResult, Metadata, RunResult};

/// A closed-loop result at 100 connections of 64 B.
fn result(backend: &str, repetition: u32, rps: f64, saturated: bool) -> RunResult {
    let latency = Percentiles {
        count: 1,
        p50_us: 100,
        p99_us: 200,
        p999_us: 300,
        ..Percentiles::default()
    };
    serde_json::from_value(json!({
        "schema": crate::result::SCHEMA,
        "metadata": Metadata::default(),
        "backend": backend,
        "repetition": repetition,
        "server": null,
        "load": {
            "target": "127.0.0.1:1", "mode": "closed", "conns": 100,
            "client_threads": 1, "msg_size": 64, "duration_s": 1.0, "warmup_s": 0.0,
            "rate": null, "connect": ConnectResult::default(), "window_s": 1.0,
            "requests": rps as u64, "throughput_rps": rps, "throughput_mb_s": 0.0,
            "latency": latency, "latency_uncorrected": null, "histogram": "",
            "histogram_uncorrected": null, "errors": ErrorCounts::default(),
            "error_total": 0, "first_error": null, "client_cpu": CpuTime::default(),
            "client_cpu_per_request_us": 0.0, "interrupted": false, "complete": true,
            "saturated": saturated,
        },
    }))
    .unwrap()
}

fn summary() -> MatrixSummary {
    serde_json::from_value(json!({
        "name": "t", "date": "2026-01-01", "host_tag": "2c-x", "quick": false,
        "backends": ["tokio-mt", "tokio", "mio"], "conns": [100], "sizes": [64],
        "open_levels": [], "repeat": 5, "duration_s": 1.0, "warmup_s": 0.0,
        "server_threads": 1, "client_threads": 1, "runs_planned": 15, "runs_done": 15,
        "wall_s": 1.0, "interrupted": false, "failures": [], "headline": null,
        "metadata": Metadata::default(),
    }))
    .unwrap()
}

/// The row of `backend` in a rendered table (its cell may carry a saturation mark).
fn row<'a>(table: &'a str, backend: &str) -> &'a str {
    let start = format!("| 100 | {backend} ");
    table.lines().find(|l| l.starts_with(&start)).unwrap()
}

#[test]
fn ratios_are_marked_significant_only_when_the_interval_excludes_one() {
    let noise = [1.0, 0.8, 1.2, 0.9, 1.1];
    let mut results = Vec::new();
    for (i, n) in noise.iter().enumerate() {
        let rep = i as u32;
        results.push(result("tokio-mt", rep, 100_000.0 * n, false));
        // Same distribution: within noise.
        results.push(result("tokio", rep, 100_000.0 * noise[(i + 2) % 5], false));
        // Clearly faster: twice the throughput, with the same noise.
        results.push(result("mio", rep, 200_000.0 * noise[(i + 1) % 5], false));
    }
    let key = SeriesKey {
        level: Level::Closed,
        msg_size: 64,
    };
    let table = series_table(&summary(), None, &results, key, &Rules::uncorrected());
    let tokio = row(&table, "tokio");
    assert!(
        tokio.contains("1.00× [") && tokio.contains("n.s."),
        "{table}"
    );
    assert!(!tokio.contains("**"), "{table}");
    let mio = row(&table, "mio");
    assert!(mio.contains("**2.00×** ["), "{table}");
}

#[test]
fn saturated_cells_get_no_ratio() {
    let mut results = Vec::new();
    for rep in 0..5 {
        results.push(result("tokio-mt", rep, 100_000.0, false));
        results.push(result("tokio", rep, 50_000.0, rep == 2));
        results.push(result("mio", rep, 100_000.0, false));
    }
    let key = SeriesKey {
        level: Level::Closed,
        msg_size: 64,
    };
    let table = series_table(&summary(), None, &results, key, &Rules::uncorrected());
    let tokio = row(&table, "tokio");
    assert!(tokio.contains("*saturated*"), "{table}");
    assert!(
        !tokio.contains('×'),
        "no ratio from a saturated cell: {table}"
    );
    assert!(row(&table, "mio").contains("1.00×"), "{table}");
}

/// `r` with `edit` applied to its JSON form.
fn edited(r: RunResult, edit: impl FnOnce(&mut Value)) -> RunResult {
    let mut v = serde_json::to_value(r).unwrap();
    edit(&mut v);
    serde_json::from_value(v).unwrap()
}

/// `r` served by `threads` workers of the shared profile, the busiest doing
/// `echoes_max`% of the echoes and `busy_max`% busy (the idlest the rest, and 0%).
fn served(r: RunResult, threads: usize, echoes_max: f64, busy_max: f64, commit: &str) -> RunResult {
    edited(r, |v| {
        v["profile"] = json!("shared");
        v["metadata"]["commit"] = json!(commit);
        v["server"] = json!({
            "backend": "x", "threads": threads, "accept": "single", "echoes": 100,
            "cpu": CpuTime::default(), "cpu_per_echo_us": 4.0, "workers": [],
            "balance": {
                "busy_max_pct": busy_max, "busy_min_pct": 0.0,
                "echoes_max_pct": echoes_max, "echoes_min_pct": 100.0 - echoes_max,
            },
            "other_echoes": 0, "accept_errors": 0,
        });
    })
}

const CLOSED: SeriesKey = SeriesKey {
    level: Level::Closed,
    msg_size: 64,
};

/// A generator lag with these percentiles, as a result's JSON holds it.
fn lag(p50_us: u64, p99_us: u64) -> Value {
    json!(Percentiles {
        count: 1,
        p50_us,
        p99_us,
        ..Percentiles::default()
    })
}

#[test]
fn generator_bound_cells_get_no_latency_ratio() {
    let mut results = Vec::new();
    for rep in 0..5 {
        results.push(result("tokio-mt", rep, 100_000.0, false));
        // Lag p99 50 µs against a p50 of 100 µs: over 10%, generator-bound.
        let lagging = edited(result("tokio", rep, 100_000.0, false), |v| {
            v["load"]["lag"] = lag(5, 50);
        });
        results.push(lagging);
        // Lag p99 5 µs, and the generator half busy: the latency is the server's.
        let on_time = edited(result("mio", rep, 100_000.0, false), |v| {
            v["load"]["lag"] = lag(1, 5);
            v["load"]["client_busy"] = json!(0.5);
        });
        results.push(on_time);
    }
    let table = series_table(&summary(), None, &results, CLOSED, &Rules::uncorrected());
    let tokio = row(&table, "tokio");
    assert_eq!(
        tokio.matches(" · *generator-bound*").count(),
        3,
        "p50, p99, p99.9: {table}"
    );
    assert!(
        tokio.contains("**generator-bound** in 5 of 5 runs"),
        "{table}"
    );
    // Throughput is not a latency: its ratio stays.
    assert!(tokio.contains("1.00× ["), "{table}");
    let mio = row(&table, "mio");
    assert!(!mio.contains("generator-bound"), "{table}");
    assert_eq!(
        lag_cell(
            &results
                .iter()
                .filter(|r| r.backend.as_deref() == Some("tokio"))
                .collect::<Vec<_>>()
        ),
        "5 / 50"
    );
}

#[test]
fn tables_show_the_balance_only_with_more_than_one_worker() {
    let one: Vec<RunResult> = ["tokio-mt", "tokio", "mio"]
        .iter()
        .flat_map(|b| {
            (0..5).map(move |rep| served(result(b, rep, 1e5, false), 1, 100.0, 50.0, "c"))
        })
        .collect();
    let table = series_table(&summary(), None, &one, CLOSED, &Rules::uncorrected());
    assert!(!table.contains("echoes % max/min"), "{table}");
    let two: Vec<RunResult> = one
        .into_iter()
        .map(|r| {
            let p2c = r.backend.as_deref() == Some("mio");
            served(r, 2, if p2c { 100.0 } else { 52.0 }, 37.0, "c")
        })
        .collect();
    let table = series_table(&summary(), None, &two, CLOSED, &Rules::uncorrected());
    assert!(
        table.contains("echoes % max/min · busy % max/min"),
        "{table}"
    );
    assert!(row(&table, "mio").contains("| 100/0 · 37/0 |"), "{table}");
    assert!(row(&table, "tokio").contains("| 52/48 · 37/0 |"), "{table}");
}

/// Five repeats per backend in the shared profile at 2 threads, mio at `mio_factor`
/// times tokio-mt's throughput, at `commit`.
fn twin(mio_factor: f64, commit: &str) -> Vec<RunResult> {
    let noise = [1.0, 0.98, 1.02, 0.99, 1.01];
    let mut results = Vec::new();
    for (i, n) in noise.iter().enumerate() {
        let rep = i as u32;
        results.push(served(
            result("tokio-mt", rep, 1e5 * n, false),
            2,
            50.0,
            50.0,
            commit,
        ));
        results.push(served(
            result("mio", rep, 1e5 * mio_factor * noise[(i + 1) % 5], false),
            2,
            50.0,
            50.0,
            commit,
        ));
    }
    results
}

#[test]
fn findings_replicate_only_at_the_same_commit_and_direction() {
    let sections = [Section {
        profile: Profile::Shared,
        threads: 2,
    }];
    let run = twin(2.0, "abc123");
    let status = |replicate: Option<&[RunResult]>| {
        let f = findings(&run, &sections, replicate);
        let throughput: Vec<Replication> = f
            .findings
            .iter()
            .filter(|(line, _)| line.contains("req/s"))
            .map(|&(_, rep)| rep)
            .collect();
        assert_eq!(throughput.len(), 1, "{:?}", f.findings);
        throughput[0]
    };
    assert_eq!(status(None), Replication::None);
    assert_eq!(status(Some(&twin(1.5, "abc123"))), Replication::Agrees);
    assert_eq!(status(Some(&twin(0.7, "abc123"))), Replication::Disagrees);
    assert_eq!(status(Some(&twin(2.0, "def456"))), Replication::OtherCommit);
    // A dirty tree is no commit to replicate at.
    let dirty = twin(2.0, "abc123-dirty");
    let f = findings(&dirty, &sections, Some(&dirty));
    assert!(f
        .findings
        .iter()
        .all(|(_, rep)| *rep == Replication::OtherCommit));
}

#[test]
fn a_readme_names_its_workload() {
    let echo: Vec<RunResult> = (0..5)
        .map(|rep| result("tokio-mt", rep, 1e5, false))
        .collect();
    let text = super::render_run_readme(&summary(), &echo, &[], None);
    assert!(text.starts_with("# iopool echo results:"), "{text}");
    assert!(text.contains("on a loopback TCP echo load"), "{text}");

    let http: Vec<RunResult> = echo
        .into_iter()
        .map(|mut r| {
            r.load.workload = crate::plan::Workload::Http;
            r
        })
        .collect();
    let text = super::render_run_readme(&summary(), &http, &[], None);
    assert!(text.starts_with("# iopool http results:"), "{text}");
    assert!(text.contains("HTTP/1.1 keep-alive load"), "{text}");
    assert!(!text.contains("TCP echo load"), "{text}");
}
