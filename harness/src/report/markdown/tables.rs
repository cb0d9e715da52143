//! The tables of medians of a matrix run: one per (load level, message size), a row per
//! (connections, backend), each figure a median with its min-max spread and its ratio
//! against the baseline.

use std::fmt::Write;

use super::summary::{Failure, MatrixSummary};
use crate::backend::BackendKind;
use crate::report::grid::thousands;
use crate::report::{size_name, CellKey, Level, SeriesKey, Spread};
use crate::result::RunResult;

/// One figure of a run, and how to show it.
struct Column {
    head: &'static str,
    value: fn(&RunResult) -> Option<f64>,
    decimals: usize,
}

const COLUMNS: [Column; 5] = [
    Column {
        head: "req/s",
        value: |r| Some(r.load.throughput_rps),
        decimals: 0,
    },
    Column {
        head: "p50 µs",
        value: |r| (r.load.latency.count > 0).then_some(r.load.latency.p50_us as f64),
        decimals: 0,
    },
    Column {
        head: "p99 µs",
        value: |r| (r.load.latency.count > 0).then_some(r.load.latency.p99_us as f64),
        decimals: 0,
    },
    Column {
        head: "p99.9 µs",
        value: |r| (r.load.latency.count > 0).then_some(r.load.latency.p999_us as f64),
        decimals: 0,
    },
    Column {
        head: "server CPU µs/echo",
        value: |r| {
            r.server
                .as_ref()
                .filter(|s| s.echoes > 0)
                .map(|s| s.cpu_per_echo_us)
        },
        decimals: 2,
    },
];

fn number(v: f64, decimals: usize) -> String {
    if decimals == 0 {
        thousands(v.max(0.0).round() as u64)
    } else {
        format!("{v:.decimals$}")
    }
}

fn figure(s: Option<Spread>, base: Option<Spread>, decimals: usize, repeated: bool) -> String {
    let Some(s) = s else {
        return "–".to_owned();
    };
    let mut out = number(s.median, decimals);
    if repeated {
        let _ = write!(
            out,
            " [{}–{}]",
            number(s.min, decimals),
            number(s.max, decimals)
        );
    }
    if let Some(r) = base.and_then(|b| s.ratio(b)) {
        let _ = write!(out, " · **{r:.2}×**");
    }
    out
}

/// The runs of one backend in one cell.
fn runs<'a>(results: &'a [RunResult], cell: CellKey, backend: &str) -> Vec<&'a RunResult> {
    results
        .iter()
        .filter(|r| CellKey::of(r) == cell && r.backend.as_deref() == Some(backend))
        .collect()
}

fn errors_cell(done: &[&RunResult], failed: &[&Failure], repeat: u32) -> String {
    let errors: u64 = done.iter().map(|r| r.load.error_total).sum();
    let mut parts = Vec::new();
    if errors > 0 {
        let first = done
            .iter()
            .find_map(|r| r.load.first_error.as_deref())
            .unwrap_or("");
        parts.push(format!("{} errors ({})", thousands(errors), short(first)));
    }
    if let Some(f) = failed.first() {
        if done.is_empty() {
            parts.push(format!("**failed**: {}", short(&f.error)));
        } else {
            parts.push(format!(
                "{} of {repeat} runs failed: {}",
                failed.len(),
                short(&f.error)
            ));
        }
    }
    if parts.is_empty() {
        "0".to_owned()
    } else {
        parts.join("; ")
    }
}

/// " (saturated in 2 of 3 runs; client-bound in 3 of 3)", or nothing: the runs whose
/// figures measure an overload or the load generator.
fn limit_marks(done: &[&RunResult]) -> String {
    let count = |flag: fn(&RunResult) -> bool| done.iter().filter(|r| flag(r)).count();
    let marks: Vec<String> = [
        ("saturated", count(|r| r.load.saturated)),
        ("client-bound", count(|r| r.load.client_bound)),
    ]
    .into_iter()
    .filter(|&(_, n)| n > 0)
    .map(|(what, n)| format!("**{what}** in {n} of {} runs", done.len()))
    .collect();
    if marks.is_empty() {
        String::new()
    } else {
        format!(" ({})", marks.join("; "))
    }
}

/// One line of a cell, safe inside a Markdown table.
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").replace('|', "/");
    if line.chars().count() > 90 {
        line.chars().take(87).collect::<String>() + "..."
    } else {
        line
    }
}

/// The table of one series.
pub(super) fn series_table(s: &MatrixSummary, results: &[RunResult], key: SeriesKey) -> String {
    let baseline = BackendKind::BASELINE.name();
    let open = key.level.is_open();
    let repeated = s.repeat > 1;
    let mut out = String::from("| conns | backend |");
    if open {
        out.push_str(" rate req/s |");
    }
    for c in &COLUMNS {
        let _ = write!(out, " {} |", c.head);
    }
    out.push_str(" errors |\n|---:|:---|");
    if open {
        out.push_str("---:|");
    }
    out.push_str(&"---:|".repeat(COLUMNS.len()));
    out.push_str(":---|\n");
    for &conns in &s.conns {
        let cell = CellKey {
            level: key.level,
            msg_size: key.msg_size,
            conns,
        };
        let base_runs = runs(results, cell, baseline);
        for backend in &s.backends {
            let done = runs(results, cell, backend);
            let failed: Vec<&Failure> = s
                .failures
                .iter()
                .filter(|f| f.is_for(cell, backend))
                .collect();
            let _ = write!(
                out,
                "| {} | {backend}{} |",
                thousands(conns),
                limit_marks(&done)
            );
            if open {
                let rate = done.iter().find_map(|r| r.load.rate);
                let _ = write!(out, " {} |", rate.map_or("–".to_owned(), |r| number(r, 0)));
            }
            for c in &COLUMNS {
                let of = |rs: &[&RunResult]| Spread::of(rs.iter().filter_map(|r| (c.value)(r)));
                let base = (backend != baseline).then(|| of(&base_runs)).flatten();
                let _ = write!(out, " {} |", figure(of(&done), base, c.decimals, repeated));
            }
            let _ = writeln!(out, " {} |", errors_cell(&done, &failed, s.repeat));
        }
    }
    out
}

/// The series of a run in table order: closed loop first, then the open-loop levels;
/// each for every message size.
pub(super) fn series(s: &MatrixSummary) -> Vec<SeriesKey> {
    let mut levels = vec![Level::Closed];
    levels.extend(
        s.open_levels
            .iter()
            .map(|&p| Level::OfBaseline(f64::from(p) / 100.0)),
    );
    let mut keys = Vec::new();
    for level in levels {
        for &msg_size in &s.sizes {
            keys.push(SeriesKey { level, msg_size });
        }
    }
    keys
}

/// The heading of a series' table.
pub(super) fn heading(key: SeriesKey) -> String {
    let mut h = format!("{}, {}", key.level, size_name(key.msg_size));
    if let Some(first) = h.get(..1) {
        h = first.to_uppercase() + &h[1..];
    }
    h
}
