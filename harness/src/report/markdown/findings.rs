//! What a matrix README leads with: the efficiency tables (server CPU per echo at a
//! fixed rate), the findings against the baseline under the [`Rules`] (false
//! discovery rate, effect size, precision) and their replication, the cells that
//! showed none, and the thread-scaling table.

use std::fmt::Write;

use super::tables::{above_reference, balance_cell, label, multi_worker, number, runs, COLUMNS};
use crate::backend::ServerKind;
use crate::plan::{Profile, Section};
use crate::report::fdr::{Rules, Verdict};
use crate::report::grid::thousands;
use crate::report::significance::RatioCi;
use crate::report::{
    is_reference, run_flags, size_name, CellKey, Figure, Level, RatioCell, Spread,
};
use crate::result::{commits, is_clean_commit, RunResult};

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
/// (the first open-loop level, a fraction of the baseline's maximum), in `section`,
/// its ratios judged by `rules`. With more than one server worker it shows the
/// per-worker balance.
pub(super) fn efficiency_table(
    section_results: &[RunResult],
    level: Level,
    rules: &Rules,
) -> String {
    let baseline = ServerKind::BASELINE.name();
    let balance = multi_worker(section_results);
    let mut o = String::from(
        "| conns | size | backend | offered req/s | server CPU µs/echo | above epoll-ref | \
         × tokio-mt |",
    );
    o.push_str(if balance {
        " echoes % max/min · busy % max/min | flags |\n|---:|---:|:---|---:|---:|---:|---:|---:|:---|\n"
    } else {
        " flags |\n|---:|---:|:---|---:|---:|---:|---:|:---|\n"
    });
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
                Some(d) if !is_reference(section_results, &b) => format!("{d:+.2}"),
                _ => "–".to_owned(),
            };
            let ratio = if b == baseline {
                "1.00×".to_owned()
            } else {
                RatioCell::of(&done, &base, cpu, Figure::Other).markdown(rules)
            };
            let balance = if balance {
                format!(" {} |", balance_cell(&done))
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} [{}–{}] | {above} | {ratio} |{balance} {} |",
                thousands(cell.conns),
                size_name(cell.msg_size),
                label(section_results, &b),
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

/// One ratio against the baseline that a README reports.
#[derive(Debug)]
struct Comparison {
    section: Section,
    cell: CellKey,
    backend: String,
    column: usize,
    ci: RatioCi,
}

/// How a finding fares in the replicate run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Replication {
    /// No replicate run was given.
    None,
    /// The replicate run is at another commit (or a dirty or unknown one).
    OtherCommit,
    /// The replicate's ratio is on the same side of 1.
    Agrees,
    /// The replicate's ratio is on the other side of 1, or it has none.
    Disagrees,
}

/// The differences against the baseline, over every section and cell.
#[derive(Debug)]
pub(super) struct Findings {
    /// The rules over this README's comparisons.
    pub(super) rules: Rules,
    /// One line per finding under the rules, with how it replicated.
    pub(super) findings: Vec<(String, Replication)>,
    /// Ratios whose interval excludes 1 but that are not findings, by reason.
    pub(super) small: usize,
    /// See `small`.
    pub(super) wide: usize,
    /// See `small`.
    pub(super) not_after_correction: usize,
    /// Cells (with their section) where no ratio was significant.
    pub(super) no_difference: Vec<String>,
    /// Cells where a run was saturated, client-bound or generator-bound.
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

/// Every ratio with an interval of the pool backends against the baseline, and the
/// flagged cells.
fn comparisons(results: &[RunResult], sections: &[Section]) -> (Vec<Comparison>, Vec<String>) {
    let baseline = ServerKind::BASELINE.name();
    let mut all = Vec::new();
    let mut flagged = Vec::new();
    for &section in sections {
        let rs = of_section(results, section);
        for cell in cells(&rs) {
            let base = runs(&rs, cell, baseline);
            let mut flags = Vec::new();
            for b in backends(&rs) {
                let done = runs(&rs, cell, &b);
                let fl = run_flags(&done);
                if !fl.is_empty() {
                    flags.push(format!("{b}: {fl}"));
                }
                if b == baseline || is_reference(&rs, &b) {
                    continue;
                }
                for (column, c) in COLUMNS.iter().enumerate() {
                    if let Some(ci) = RatioCell::of(&done, &base, c.value, c.figure).interval() {
                        all.push(Comparison {
                            section,
                            cell,
                            backend: b.clone(),
                            column,
                            ci,
                        });
                    }
                }
            }
            if !flags.is_empty() {
                flagged.push(format!("{}: {}", where_(section, cell), flags.join("; ")));
            }
        }
    }
    (all, flagged)
}

/// The rules over the comparisons `results` make in `sections`.
pub(super) fn rules_of(results: &[RunResult], sections: &[Section]) -> Rules {
    let (all, _) = comparisons(results, sections);
    Rules::over(&all.iter().map(|c| c.ci).collect::<Vec<_>>())
}

/// How `c` fares in `replicate`.
fn replicated(c: &Comparison, replicate: Option<&[RunResult]>, same_commit: bool) -> Replication {
    let Some(replicate) = replicate else {
        return Replication::None;
    };
    if !same_commit {
        return Replication::OtherCommit;
    }
    let rs = of_section(replicate, c.section);
    let column = &COLUMNS[c.column];
    let again = RatioCell::of(
        &runs(&rs, c.cell, &c.backend),
        &runs(&rs, c.cell, ServerKind::BASELINE.name()),
        column.value,
        column.figure,
    );
    let ratio = match again {
        RatioCell::Interval(ci) => ci.ratio,
        RatioCell::Plain(r) => r,
        _ => return Replication::Disagrees,
    };
    if (ratio > 1.0) == (c.ci.ratio > 1.0) && ratio != 1.0 {
        Replication::Agrees
    } else {
        Replication::Disagrees
    }
}

/// Whether `a` and `b` were measured at one clean commit.
pub(super) fn same_commit(a: &[RunResult], b: &[RunResult]) -> bool {
    let ca = commits(a.iter().map(|r| &r.metadata));
    let cb = commits(b.iter().map(|r| &r.metadata));
    ca.len() == 1 && ca == cb && is_clean_commit(&ca[0])
}

/// Judges the ratios of the pool backends against the baseline under the [`Rules`]
/// over all of them, and checks each finding against `replicate` (a second matrix run
/// of the same plan), if given.
pub(super) fn findings(
    results: &[RunResult],
    sections: &[Section],
    replicate: Option<&[RunResult]>,
) -> Findings {
    let baseline = ServerKind::BASELINE.name();
    let (all, flagged) = comparisons(results, sections);
    let rules = Rules::over(&all.iter().map(|c| c.ci).collect::<Vec<_>>());
    let same = replicate.is_some_and(|r| same_commit(results, r));
    let mut f = Findings {
        rules,
        findings: Vec::new(),
        small: 0,
        wide: 0,
        not_after_correction: 0,
        no_difference: Vec::new(),
        flagged,
    };
    let mut with_finding = std::collections::BTreeSet::new();
    for c in &all {
        match rules.verdict(&c.ci) {
            Verdict::Finding => {
                with_finding.insert((c.section.slug(), c.cell));
                let line = format!(
                    "{}: **{}** {} {} of {baseline}'s",
                    where_(c.section, c.cell),
                    c.backend,
                    COLUMNS[c.column].head,
                    RatioCell::Interval(c.ci).markdown(&rules)
                );
                f.findings.push((line, replicated(c, replicate, same)));
            }
            Verdict::Small => f.small += 1,
            Verdict::Wide => f.wide += 1,
            Verdict::NotAfterCorrection => f.not_after_correction += 1,
            Verdict::NotSignificant => {}
        }
    }
    for &section in sections {
        for cell in cells(&of_section(results, section)) {
            if !with_finding.contains(&(section.slug(), cell)) {
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
                label(&rs, &b),
                med(&|r| Some(r.load.throughput_rps)).map_or("–".to_owned(), |v| number(v, 0)),
                med(&cpu).map_or("–".to_owned(), |v| number(v, 2)),
                run_flags(&done)
            );
        }
    }
    Some(o)
}
