//! The `README.md` of one matrix run directory.

use std::fmt::Write;

use super::findings::{
    efficiency_table, findings, of_section, rules_of, same_commit, scaling_table, Replication,
};
use super::machine::sharing_paragraph;
use super::summary::MatrixSummary;
use super::tables::{heading, series, series_table};
use crate::backend::BackendKind;
use crate::plan::{Profile, Section};
use crate::report::fdr::{Rules, FDR, MAX_WIDTH, MIN_EFFECT};
use crate::report::grid::thousands;
use crate::report::plot::Plot;
use crate::report::significance::MIN_REPEATS;
use crate::report::{size_name, CellKey, Level};
use crate::result::{commits, RunResult};

/// A duration in seconds for people: `95 s`, `19 min 40 s`.
fn wall(secs: f64) -> String {
    let s = secs.round() as u64;
    if s < 120 {
        format!("{s} s")
    } else {
        format!("{} min {} s", s / 60, s % 60)
    }
}

fn list<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders the run directory's README: what ran, what the machine means for the
/// numbers, the tables with ratios against the baseline, the plots, the failures, the
/// machine metadata and the exact commands. `plots` are the files in `plots/`.
/// `replicate` is a second, independent matrix run of the same plan: a finding is
/// *replicated* when that run, at the same commit, agrees on its direction.
pub fn render_run_readme(
    s: &MatrixSummary,
    results: &[RunResult],
    plots: &[Plot],
    replicate: Option<(&str, &[RunResult])>,
) -> String {
    let baseline = BackendKind::BASELINE.name();
    let workload = results.first().map(|r| r.load.workload).unwrap_or_default();
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# iopool {} results: {}, {}\n",
        if workload.is_echo() {
            "echo"
        } else {
            workload.name()
        },
        s.date,
        s.host_tag
    );
    if s.quick {
        o.push_str(
            "> **Smoke run (`--quick`)**: a few repeats of short runs, to check that the \
             pipeline works end to end. Not for publication.\n\n",
        );
    }
    if s.interrupted {
        let _ = writeln!(
            o,
            "> **Interrupted** (Ctrl-C) after {} of {} runs: the tables hold what was done.\n",
            s.runs_done, s.runs_planned
        );
    }
    let levels: Vec<String> = s.open_levels.iter().map(|p| format!("{p}%")).collect();
    let _ = writeln!(
        o,
        "Backends {} (baseline **{baseline}**) on {}: {} connections; \
         messages of {}; closed loop, and open loop at {} of {baseline}'s closed-loop \
         throughput (its median, measured for the same connections and size earlier in \
         this run). Each run: {} s of warm-up (discarded), then {} s measured; backends \
         interleaved (A B C A B C), {} repeat{}. {} of {} runs produced a result; the \
         matrix took {}.\n",
        list(&s.backends),
        workload.description(),
        list(&s.conns.iter().map(|&c| thousands(c)).collect::<Vec<_>>()),
        list(&s.sizes.iter().map(|&b| size_name(b)).collect::<Vec<_>>()),
        if levels.is_empty() {
            "no level".to_owned()
        } else {
            levels.join(" and ")
        },
        s.warmup_s,
        s.duration_s,
        s.repeat,
        if s.repeat == 1 { "" } else { "s" },
        s.runs_done,
        s.runs_planned,
        wall(s.wall_s)
    );
    let sections = if s.sections.is_empty() {
        vec![Section {
            profile: Profile::Shared,
            threads: s.server_threads,
        }]
    } else {
        s.sections.clone()
    };
    let rules = rules_of(results, &sections);
    lead_section(&mut o, s, results, &sections, replicate, workload.unit());
    let _ = writeln!(
        o,
        "## The machine, and what it means for the numbers\n\n{}\n",
        sharing_paragraph(s.metadata.cores, s.server_threads, s.client_threads)
    );
    if let Some(h) = &s.headline {
        let _ = writeln!(o, "## Headline\n\n![latency distribution]({h})\n");
    }
    for &section in &sections {
        let rs = of_section(results, section);
        results_section(&mut o, s, section, &rs, plots, &rules);
    }
    scaling_section(&mut o, results, &sections, plots);
    failures_section(&mut o, s);
    machine_section(&mut o, s, results);
    commands_section(&mut o, s);
    o
}

/// The efficiency tables and the findings, which the README leads with.
fn lead_section(
    o: &mut String,
    s: &MatrixSummary,
    results: &[RunResult],
    sections: &[Section],
    replicate: Option<(&str, &[RunResult])>,
    unit: &str,
) {
    let baseline = BackendKind::BASELINE.name();
    let f = findings(results, sections, replicate.map(|r| r.1));
    // One efficiency table per section: 1 thread (the pools against a tokio-mt with
    // nothing to steal) and 2 or more (against one that can steal; on a small machine
    // only the shared profile has them).
    let efficiency = sections.to_vec();
    if let Some(&pct) = s.open_levels.first() {
        let level = Level::OfBaseline(f64::from(pct) / 100.0);
        let _ = writeln!(o, "## Efficiency: server CPU per {unit} at a fixed rate\n");
        let _ = writeln!(
            o,
            "Every server at the same offered rate, {pct}% of {baseline}'s closed-loop \
             maximum: the server's user + sys CPU time per {unit}, median [min–max] over the \
             repeats. This is the figure that is stable on small machines. *Above \
             epoll-ref* is the cost above the runtime-free reference loop measured in the \
             same run; the ratio against {baseline} carries its 95% bootstrap interval and \
             is **bold** only when it is a finding under the rules below. With one server \
             thread {baseline} has nothing to steal; the tables with more threads show \
             whether stealing pays, with each backend's per-worker balance (medians of the \
             busiest / idlest worker's share of the echoes, then of their busy time).\n"
        );
        for section in efficiency {
            let _ = writeln!(
                o,
                "### {section}\n\n{}",
                efficiency_table(&of_section(results, section), level, &f.rules)
            );
        }
    }
    findings_section(o, results, &f, replicate);
}

/// The findings, how they were judged and how they replicated.
fn findings_section(
    o: &mut String,
    results: &[RunResult],
    f: &super::findings::Findings,
    replicate: Option<(&str, &[RunResult])>,
) {
    let baseline = BackendKind::BASELINE.name();
    let r: &Rules = &f.rules;
    o.push_str("## Findings\n\n");
    let _ = writeln!(
        o,
        "Each ratio against {baseline} has a 95% bootstrap interval over the repeats \
         (ratio of medians; {MIN_REPEATS} repeats or more per side) and a bootstrap \
         p-value. This README makes **{} comparisons**; the Benjamini–Hochberg procedure \
         at a false discovery rate of {:.0}% keeps **{}** of them. Of those, a ratio \
         within {:.0}% of 1 ({} here) or with an interval wider than {MAX_WIDTH:.0}× \
         (high / low; {} here) is not a finding; {} more had an interval excluding 1 \
         but did not survive the correction. No ratio is computed from a saturated \
         cell, no throughput ratio from a client-bound one, and no latency ratio from a \
         generator-bound one (open loop: the generator's lag p99 above 10% of the p50 \
         it reports, or its threads busy 95% of the window or more).\n",
        r.comparisons,
        FDR * 100.0,
        r.discoveries,
        MIN_EFFECT * 100.0,
        f.small,
        f.wide,
        f.not_after_correction,
    );
    match replicate {
        None => o.push_str(
            "**Not replicated**: no second matrix run at this commit was given \
             (`harness readme DIR --replicate OTHER`), so no finding below is a \
             headline yet.\n\n",
        ),
        Some((name, rep)) if !same_commit(results, rep) => {
            let _ = writeln!(
                o,
                "**Not replicated**: the second run, `{name}`, is not at this run's one \
                 clean commit ({} here, {} there), so it replicates nothing.\n",
                commits(results.iter().map(|r| &r.metadata)).join(", "),
                commits(rep.iter().map(|r| &r.metadata)).join(", ")
            );
        }
        Some((name, _)) => {
            let _ = writeln!(
                o,
                "A finding is **replicated** when the second, independent matrix run at the \
                 same commit, `{name}`, gives a ratio on the same side of 1 for it.\n"
            );
        }
    }
    let group = |o: &mut String, title: &str, want: &[Replication]| {
        let lines: Vec<&String> = f
            .findings
            .iter()
            .filter(|(_, rep)| want.contains(rep))
            .map(|(line, _)| line)
            .collect();
        if lines.is_empty() {
            return;
        }
        let _ = writeln!(o, "### {title} ({})\n", lines.len());
        for line in lines {
            let _ = writeln!(o, "- {line}");
        }
        o.push('\n');
    };
    if f.findings.is_empty() {
        o.push_str("No ratio against the baseline is a finding in this run.\n\n");
    }
    group(o, "Replicated findings", &[Replication::Agrees]);
    group(
        o,
        "Findings the second run contradicts",
        &[Replication::Disagrees],
    );
    group(
        o,
        "Findings not replicated",
        &[Replication::None, Replication::OtherCommit],
    );
    if !f.no_difference.is_empty() {
        let _ = writeln!(
            o,
            "**No finding** for any backend in: {}.\n",
            f.no_difference.join("; ")
        );
    }
    if !f.flagged.is_empty() {
        o.push_str(
            "**Saturated, client-bound or generator-bound cells** (the ratios they \
             would mislead are not given):\n\n",
        );
        for line in &f.flagged {
            let _ = writeln!(o, "- {line}");
        }
        o.push('\n');
    }
}

fn scaling_section(o: &mut String, results: &[RunResult], sections: &[Section], plots: &[Plot]) {
    o.push_str("## Thread scaling\n\n");
    match scaling_table(results, sections) {
        Some(table) => {
            let _ = writeln!(
                o,
                "Closed loop at the largest connection count, isolated profile, at each \
                 server thread count (the client on the remaining CPUs):\n\n{table}"
            );
            for p in plots.iter().filter(|p| p.file.starts_with("scaling/")) {
                let _ = writeln!(o, "![{}](plots/{})\n", p.title, p.file);
            }
        }
        None => o.push_str(
            "This run measured one server thread count. On a machine with 16 or more \
             CPUs, run the scaling series, every backend at each thread count in the \
             isolated profile with the load generator on the remaining CPUs:\n\n\
             ```sh\ncargo run --release -p harness -- matrix --profiles isolated \\\n  \
             --threads 1,2,4,8 --conns-list 1000\n```\n\n\
             Keep the server's threads at most half the CPUs, so the generator is not the \
             bottleneck (the tables flag client-bound cells).\n\n",
        ),
    }
}

fn results_section(
    o: &mut String,
    s: &MatrixSummary,
    section: Section,
    results: &[RunResult],
    plots: &[Plot],
    rules: &Rules,
) {
    if results.is_empty() {
        return;
    }
    let slug = section.slug();
    let _ = writeln!(o, "## Results: {section}\n");
    let baseline = BackendKind::BASELINE.name();
    let floors: Vec<String> = s
        .send_recv
        .iter()
        .map(|f| {
            format!(
                "{:.2} µs for {}",
                f.cpu_per_op_us,
                size_name(f.msg_size as u64)
            )
        })
        .collect();
    let _ = writeln!(
        o,
        "Each figure is the median over the repeats{}, then its ratio against {baseline}'s \
         in the same cell with its 95% bootstrap interval: **bold** when significant, \
         *n.s.* when not (req/s: higher is better; latency and CPU: lower is better). \
         Latency is measured by the client: in closed loop from each send; in open loop \
         corrected for coordinated omission (from the planned send time), with the \
         generator's own lag (actual minus planned send) beside it. Server CPU per \
         echo is the server process's user + sys time over the measured window divided \
         by the echoes; *CPU above ref* subtracts the epoll-ref reference's, measured in \
         the same cell (the reference is not a pool: it is the limit of the epoll model). \
         For scale, the kernel's cost of one blocking send plus recv over loopback (not a \
         lower bound) is {}. Errors are summed over the repeats.\n",
        if s.repeat > 1 {
            " with the [min–max] spread"
        } else {
            ""
        },
        if floors.is_empty() {
            "not measured".to_owned()
        } else {
            floors.join(", ")
        }
    );
    let has = |file: &str| plots.iter().any(|p| p.file == file);
    for key in series(s) {
        let _ = writeln!(o, "### {}, {slug}\n", heading(key));
        o.push_str(&series_table(s, Some(&slug), results, key, rules));
        o.push('\n');
        for kind in ["throughput", "cpu"] {
            let file = format!("{slug}/{kind}-{}-m{}.svg", key.level.slug(), key.msg_size);
            if has(&file) {
                let _ = writeln!(o, "![{kind}](plots/{file})\n");
            }
        }
        let links: Vec<String> = s
            .conns
            .iter()
            .filter_map(|&conns| {
                let cell = CellKey {
                    level: key.level,
                    msg_size: key.msg_size,
                    conns,
                };
                let file = format!("{slug}/{}", crate::report::plot::latency::file_name(cell));
                has(&file).then(|| format!("[{} conns](plots/{file})", thousands(conns)))
            })
            .collect();
        if !links.is_empty() {
            let _ = writeln!(o, "Latency distributions: {}.\n", links.join(" · "));
        }
    }
}

fn failures_section(o: &mut String, s: &MatrixSummary) {
    if s.failures.is_empty() {
        return;
    }
    o.push_str("## Failures\n\nRuns that produced no result, and skipped cells:\n\n");
    for f in &s.failures {
        let _ = writeln!(
            o,
            "- {}, {} conns, {}, {}{}: {}",
            f.level,
            thousands(f.conns),
            size_name(f.msg_size),
            f.backend,
            f.repetition
                .map_or(String::new(), |r| format!(" (repeat {})", r + 1)),
            f.error.replace('\n', " ")
        );
    }
    o.push('\n');
}

fn or_unrecorded(v: &str) -> &str {
    if v.is_empty() {
        "not recorded"
    } else {
        v
    }
}

/// The pinned CPU lists of the runs, one entry per distinct pinning.
fn pinning(results: &[RunResult]) -> String {
    let mut seen: Vec<String> = results.iter().map(|r| r.metadata.pinning_text()).collect();
    seen.sort();
    seen.dedup();
    if results.iter().all(|r| r.metadata.commit.is_empty()) {
        return "not recorded".to_owned();
    }
    seen.join("; ")
}

fn machine_section(o: &mut String, s: &MatrixSummary, results: &[RunResult]) {
    let m = &s.metadata;
    let crates: Vec<String> = m.crates.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(
        o,
        "## Machine\n\n\
         | | |\n|:---|:---|\n\
         | commit | {} |\n\
         | build profile | {} |\n\
         | CPU | {} |\n\
         | logical CPUs | {} |\n\
         | SMT topology | {} |\n\
         | pinned CPUs | {} |\n\
         | kernel | {} |\n\
         | rustc | {} |\n\
         | harness | {} |\n\
         | crates | {} |\n\
         | io_uring | {} |\n\
         | server threads | {} |\n\
         | client threads | {} |\n",
        or_unrecorded(&m.commit),
        or_unrecorded(&m.build_profile),
        m.cpu_model,
        m.cores,
        or_unrecorded(&m.smt),
        pinning(results),
        m.kernel,
        m.rustc,
        m.harness_version,
        crates.join(", "),
        if m.io_uring.is_empty() {
            "not recorded"
        } else {
            &m.io_uring
        },
        s.server_threads,
        s.client_threads
    );
}

fn commands_section(o: &mut String, s: &MatrixSummary) {
    let _ = writeln!(
        o,
        "## Commands\n\n\
         This run (from the workspace root):\n\n```sh\n{}\n```\n\n\
         `make results` runs `cargo run --release -p harness -- matrix`, and \
         `make results QUICK=1` adds `--quick`. One cell of the matrix is the same as:\n\n\
         ```sh\ncargo run --release -p harness -- run --backend all --repeat {} \\\n  \
         --conns N --msg-size BYTES --duration {}s --warmup {}s [--rate REQ_PER_S]\n```\n\n\
         Each run's files are in `runs/` (`.json` result, `.txt` summary, `.hgrm` \
         percentile distribution, `.hist` serialized histogram; open loop adds the \
         uncorrected ones). Redraw the plots from this directory with:\n\n\
         ```sh\ncargo run --release -p harness -- plot runs --out plots\n```",
        s.metadata.command, s.repeat, s.duration_s, s.warmup_s
    );
}
