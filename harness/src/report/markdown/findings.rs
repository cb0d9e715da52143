//! What a matrix README leads with: the efficiency table (server CPU per echo at a
//! fixed rate), the significant differences against the baseline, the cells that showed
//! none, and the thread-scaling table.

use std::fmt::Write;

use super::tables::{above_reference, label, number, runs, COLUMNS};
use crate::backend::ServerKind;
use crate::plan::{Profile, Section};
use crate::report::grid::thousands;
use crate::report::{run_flags, size_name, CellKey, Figure, Level, RatioCell, Spread};
use crate::result::RunResult;

/// The runs of `section`.
pub(super) fn of_section(results: &[RunResult], section: Section) -> Vec<RunResult> {
    results
        .iter()
        .filter(|r| {
            r.profile == Some(section.profile)
                && r.server
                    .as_ref()
                    .is_some_and(|s| s.threads == section.threads)
        })
        .cloned()
        .collect()
}

/// The cells present in `results`, sorted.
fn cells(results: &[RunResult]) -> Vec<CellKey> {
    let mut cells: Vec<CellKey> = results.iter().map(CellKey::of).collect();
    cells.sort();
    cells.dedup();
    cells
}

fn backends(results: &[RunResult]) -> Vec<String> {
    crate::report::backends_of(results)
}

fn cpu(r: &RunResult) -> Option<f64> {
    (COLUMNS[4].value)(r)
}

/// The efficiency table: server CPU per echo of every server at the same offered rate
/// (the first open-loop level, a fraction of the baseline's maximum), in `section`.
pub(super) fn efficiency_table(section_results: &[RunResult], level: Level) -> String {
    let baseline = ServerKind::BASELINE.name();
    let mut o = String::from(
        "| conns | size | backend | offered req/s | server CPU µs/echo | above epoll-ref | \
         × tokio-mt | flags |\n|---:|---:|:---|---:|---:|---:|---:|:---|\n",
    );
    for cell in cells(section_results)
        .into_iter()
        .filter(|c| c.level == level)
    {
        let base = runs(section_results, cell, baseline);
        for b in backends(section_results) {
            let done = runs(section_results, cell, &b);
            let Some(s) = Spread::of(done.iter().filter_map(|r| cpu(r))) else {
                continue;
            };
            let rate = done.iter().find_map(|r| r.load.rate).unwrap_or(0.0);
            let above = match above_reference(section_results, cell, &b) {
                Some(d) if !ServerKind::is_reference_name(&b) => format!("{d:+.2}"),
                _ => "–".to_owned(),
            };
            let ratio = if b == baseline {
                "1.00×".to_owned()
            } else {
                RatioCell::of(&done, &base, cpu, Figure::Other).markdown()
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} [{}–{}] | {above} | {ratio} | {} |",
                thousands(cell.conns),
                size_name(cell.msg_size),
                label(&b),
                number(rate, 0),
                number(s.median, 2),
                number(s.min, 2),
                number(s.max, 2),
                run_flags(&done)
            );
        }
    }
    o
}

/// The differences against the baseline, over every section and cell.
#[derive(Debug, Default)]
pub(super) struct Findings {
    /// One line per significant ratio.
    pub(super) significant: Vec<String>,
    /// Cells (with their section) where no ratio was significant.
    pub(super) no_difference: Vec<String>,
    /// Cells where a run was saturated or client-bound.
    pub(super) flagged: Vec<String>,
}

/// A cell for people: `isolated-t1 · closed loop, 100 conns, 64 B`.
fn where_(section: Section, cell: CellKey) -> String {
    format!(
        "{} · {}, {} conns, {}",
        section.slug(),
        cell.level,
        thousands(cell.conns),
        size_name(cell.msg_size)
    )
}

/// Finds the significant ratios of the pool backends against the baseline.
pub(super) fn findings(results: &[RunResult], sections: &[Section]) -> Findings {
    let baseline = ServerKind::BASELINE.name();
    let mut f = Findings::default();
    for &section in sections {
        let rs = of_section(results, section);
        for cell in cells(&rs) {
            let base = runs(&rs, cell, baseline);
            let mut any = false;
            let mut flags = Vec::new();
            for b in backends(&rs) {
                let done = runs(&rs, cell, &b);
                let fl = run_flags(&done);
                if !fl.is_empty() {
                    flags.push(format!("{b}: {fl}"));
                }
                if b == baseline || ServerKind::is_reference_name(&b) {
                    continue;
                }
                for c in &COLUMNS {
                    let ratio = RatioCell::of(&done, &base, c.value, c.figure);
                    if ratio.significant() {
                        any = true;
                        f.significant.push(format!(
                            "{}: **{b}** {} {} of {baseline}'s",
                            where_(section, cell),
                            c.head,
                            ratio.markdown()
                        ));
                    }
                }
            }
            if !flags.is_empty() {
                f.flagged
                    .push(format!("{}: {}", where_(section, cell), flags.join("; ")));
            }
            if !any {
                f.no_difference.push(where_(section, cell));
            }
        }
    }
    f
}

/// The thread-scaling table: per server, closed-loop throughput and CPU per echo at
/// each isolated thread count, for the largest connection count.
pub(super) fn scaling_table(results: &[RunResult], sections: &[Section]) -> Option<String> {
    let isolated: Vec<Section> = sections
        .iter()
        .copied()
        .filter(|s| s.profile == Profile::Isolated)
        .collect();
    if isolated.len() < 2 {
        return None;
    }
    let mut o =
        String::from("| threads | conns | backend | req/s | server CPU µs/echo | flags |\n");
    o.push_str("|---:|---:|:---|---:|---:|:---|\n");
    for section in isolated {
        let rs = of_section(results, section);
        let Some(cell) = cells(&rs)
            .into_iter()
            .filter(|c| c.level == Level::Closed)
            .max_by_key(|c| (c.conns, c.msg_size))
        else {
            continue;
        };
        for b in backends(&rs) {
            let done = runs(&rs, cell, &b);
            let med = |f: &dyn Fn(&RunResult) -> Option<f64>| {
                Spread::of(done.iter().filter_map(|r| f(r))).map(|s| s.median)
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} |",
                section.threads,
                thousands(cell.conns),
                label(&b),
                med(&|r| Some(r.load.throughput_rps)).map_or("–".to_owned(), |v| number(v, 0)),
                med(&cpu).map_or("–".to_owned(), |v| number(v, 2)),
                run_flags(&done)
            );
        }
    }
    Some(o)
}
