//! The tables of medians of a matrix run: one per (load level, message size), a row per
//! (connections, backend), each figure a median with its min-max spread and its ratio
//! against the baseline with a 95% interval (bold when significant), or the reason
//! there is none (a saturated or client-bound cell).

use std::fmt::Write;

use super::summary::{Failure, MatrixSummary};
use crate::backend::BackendKind;
use crate::report::fdr::Rules;
use crate::report::grid::thousands;
use crate::report::{
    is_reference, size_name, CellKey, Figure, Level, RatioCell, SeriesKey, Spread,
};
use crate::result::RunResult;
use crate::serve::REFERENCE_NAME;

/// One figure of a run, and how to show it.
pub(super) struct Column {
    pub(super) head: &'static str,
    pub(super) value: fn(&RunResult) -> Option<f64>,
    pub(super) decimals: usize,
    pub(super) figure: Figure,
}

pub(super) const COLUMNS: [Column; 5] = [
    Column {
        head: "req/s",
        value: |r| Some(r.load.throughput_rps),
        decimals: 0,
        figure: Figure::Throughput,
    },
    Column {
        head: "p50 µs",
        value: |r| (r.load.latency.count > 0).then_some(r.load.latency.p50_us as f64),
        decimals: 0,
        figure: Figure::Latency,
    },
    Column {
        head: "p99 µs",
        value: |r| (r.load.latency.count > 0).then_some(r.load.latency.p99_us as f64),
        decimals: 0,
        figure: Figure::Latency,
    },
    Column {
        head: "p99.9 µs",
        value: |r| (r.load.latency.count > 0).then_some(r.load.latency.p999_us as f64),
        decimals: 0,
        figure: Figure::Latency,
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
        figure: Figure::Other,
    },
];

pub(super) fn number(v: f64, decimals: usize) -> String {
    if decimals == 0 {
        thousands(v.max(0.0).round() as u64)
    } else {
        format!("{v:.decimals$}")
    }
}

fn figure(
    s: Option<Spread>,
    ratio: Option<RatioCell>,
    decimals: usize,
    repeated: bool,
    rules: &Rules,
) -> String {
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
    if let Some(r) = ratio.filter(|r| *r != RatioCell::Missing) {
        let _ = write!(out, " · {}", r.markdown(rules));
    }
    out
}

/// The runs of one backend in one cell.
pub(super) fn runs<'a>(
    results: &'a [RunResult],
    cell: CellKey,
    backend: &str,
) -> Vec<&'a RunResult> {
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

/// "**saturated** in 2 of 3 runs; **client-bound** in 3 of 3 runs", or nothing: the
/// runs whose figures measure an overload or the load generator.
fn limit_marks(done: &[&RunResult]) -> String {
    let count = |flag: fn(&RunResult) -> bool| done.iter().filter(|r| flag(r)).count();
    let marks: Vec<String> = [
        ("saturated", count(|r| r.load.saturated)),
        ("client-bound", count(|r| r.load.client_bound)),
        ("generator-bound", count(|r| r.load.generator_bound())),
    ]
    .into_iter()
    .filter(|&(_, n)| n > 0)
    .map(|(what, n)| format!("**{what}** in {n} of {} runs", done.len()))
    .collect();
    marks.join("; ")
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

/// The median server CPU per echo of `backend` in `cell` minus the reference's.
pub(super) fn above_reference(results: &[RunResult], cell: CellKey, backend: &str) -> Option<f64> {
    let cpu = |b: &str| {
        Spread::of(
            runs(results, cell, b)
                .iter()
                .filter_map(|r| (COLUMNS[4].value)(r)),
        )
    };
    Some(cpu(backend)?.median - cpu(REFERENCE_NAME)?.median)
}

/// A backend's name in a table; the reference is marked as one.
pub(super) fn label(results: &[RunResult], backend: &str) -> String {
    if is_reference(results, backend) {
        format!("{backend} *(reference)*")
    } else {
        backend.to_owned()
    }
}

/// The median of `f` over `runs`, formatted with no decimals, or `–`.
fn median_of(runs: &[&RunResult], f: impl Fn(&RunResult) -> Option<f64>) -> Option<f64> {
    Spread::of(runs.iter().filter_map(|r| f(r))).map(|s| s.median)
}

/// `52/48 · 61/57`: the medians over the repeats of the busiest and the idlest
/// worker's echo share, then of their busy share (percent; `–` where not measured).
pub(super) fn balance_cell(runs: &[&RunResult]) -> String {
    let balance = |f: fn(&crate::result::Balance) -> Option<f64>| {
        median_of(runs, |r| r.server.as_ref()?.balance.as_ref().and_then(f))
            .map_or("–".to_owned(), |v| format!("{v:.0}"))
    };
    format!(
        "{}/{} · {}/{}",
        balance(|b| Some(b.echoes_max_pct)),
        balance(|b| Some(b.echoes_min_pct)),
        balance(|b| b.busy_max_pct),
        balance(|b| b.busy_min_pct)
    )
}

/// `3 / 138`: the medians over the repeats of the generator's lag p50 and p99 (µs).
pub(super) fn lag_cell(runs: &[&RunResult]) -> String {
    let lag = |f: fn(&crate::metrics::Percentiles) -> u64| {
        median_of(runs, |r| r.load.lag.as_ref().map(|l| f(l) as f64))
            .map_or("–".to_owned(), |v| number(v, 0))
    };
    format!("{} / {}", lag(|l| l.p50_us), lag(|l| l.p99_us))
}

/// Whether any run of `results` had more than one server worker: then the tables show
/// the per-worker balance.
pub(super) fn multi_worker(results: &[RunResult]) -> bool {
    results
        .iter()
        .any(|r| r.server.as_ref().is_some_and(|s| s.threads > 1))
}

/// The table of one series of one section (`results` hold that section's runs only),
/// its ratios judged by `rules`. With more than one server worker it shows the
/// per-worker balance; in open loop, the generator's lag.
pub(super) fn series_table(
    s: &MatrixSummary,
    section: Option<&str>,
    results: &[RunResult],
    key: SeriesKey,
    rules: &Rules,
) -> String {
    let baseline = BackendKind::BASELINE.name();
    let open = key.level.is_open();
    let balance = multi_worker(results);
    let repeated = s.repeat > 1;
    let mut out = String::from("| conns | backend |");
    if open {
        out.push_str(" rate req/s |");
    }
    for c in &COLUMNS {
        let _ = write!(out, " {} |", c.head);
    }
    out.push_str(" CPU above ref µs/echo |");
    if balance {
        out.push_str(" echoes % max/min · busy % max/min |");
    }
    if open {
        out.push_str(" generator lag p50 / p99 µs |");
    }
    out.push_str(" errors |\n|---:|:---|");
    if open {
        out.push_str("---:|");
    }
    out.push_str(&"---:|".repeat(COLUMNS.len() + 1));
    if balance {
        out.push_str("---:|");
    }
    if open {
        out.push_str("---:|");
    }
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
                .filter(|f| f.is_for(section, cell, backend))
                .collect();
            let _ = write!(
                out,
                "| {} | {} |",
                thousands(conns),
                label(results, backend)
            );
            if open {
                let rate = done.iter().find_map(|r| r.load.rate);
                let _ = write!(out, " {} |", rate.map_or("–".to_owned(), |r| number(r, 0)));
            }
            for c in &COLUMNS {
                let of = |rs: &[&RunResult]| Spread::of(rs.iter().filter_map(|r| (c.value)(r)));
                let ratio = (backend != baseline)
                    .then(|| RatioCell::of(&done, &base_runs, c.value, c.figure));
                let _ = write!(
                    out,
                    " {} |",
                    figure(of(&done), ratio, c.decimals, repeated, rules)
                );
            }
            let above = match above_reference(results, cell, backend) {
                Some(d) if !is_reference(results, backend) => format!("{d:+.2}"),
                _ => "–".to_owned(),
            };
            let _ = write!(out, " {above} |");
            if balance {
                let _ = write!(out, " {} |", balance_cell(&done));
            }
            if open {
                let _ = write!(out, " {} |", lag_cell(&done));
            }
            let mut errors = errors_cell(&done, &failed, s.repeat);
            let marks = limit_marks(&done);
            if !marks.is_empty() {
                errors = format!("{errors}; {marks}");
            }
            let _ = writeln!(out, " {errors} |");
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
