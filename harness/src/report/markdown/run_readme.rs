//! The `README.md` of one matrix run directory.

use std::fmt::Write;

use super::machine::sharing_paragraph;
use super::summary::MatrixSummary;
use super::tables::{heading, series, series_table};
use crate::backend::BackendKind;
use crate::report::grid::thousands;
use crate::report::plot::Plot;
use crate::report::{size_name, CellKey};
use crate::result::RunResult;

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
pub fn render_run_readme(s: &MatrixSummary, results: &[RunResult], plots: &[Plot]) -> String {
    let baseline = BackendKind::BASELINE.name();
    let mut o = String::new();
    let _ = writeln!(o, "# iopool echo results: {}, {}\n", s.date, s.host_tag);
    if s.quick {
        o.push_str(
            "> **Smoke run (`--quick`)**: one repeat of short runs, to check that the \
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
        "Backends {} (baseline **{baseline}**) on a loopback TCP echo load: {} connections; \
         messages of {}; closed loop, and open loop at {} of {baseline}'s closed-loop \
         throughput (its median, measured for the same connections and size earlier in \
         this run). Each run: {} s of warm-up (discarded), then {} s measured; backends \
         interleaved (A B C A B C), {} repeat{}. {} of {} runs produced a result; the \
         matrix took {}.\n",
        list(&s.backends),
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
    let _ = writeln!(
        o,
        "## The machine, and what it means for the numbers\n\n{}\n",
        sharing_paragraph(s.metadata.cores, s.server_threads, s.client_threads)
    );
    if let Some(h) = &s.headline {
        let _ = writeln!(o, "## Headline\n\n![latency distribution]({h})\n");
    }
    results_section(&mut o, s, results, plots);
    failures_section(&mut o, s);
    machine_section(&mut o, s);
    commands_section(&mut o, s);
    o
}

fn results_section(o: &mut String, s: &MatrixSummary, results: &[RunResult], plots: &[Plot]) {
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
        "## Results\n\n\
         Each figure is the median over the repeats{}, and **ratio×** is that median \
         against {baseline}'s in the same cell (req/s: higher is better; latency and CPU: \
         lower is better). Latency is measured by the client: in closed loop from each \
         send; in open loop corrected for coordinated omission (from the planned send \
         time). Server CPU per echo is the server process's user + sys time over the \
         measured window divided by the echoes; the floor, the kernel's own cost of one \
         blocking send plus recv over loopback, is {}. Errors are summed over the repeats.\n",
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
        let _ = writeln!(o, "### {}\n", heading(key));
        o.push_str(&series_table(s, results, key));
        o.push('\n');
        for kind in ["throughput", "cpu"] {
            let file = format!("{kind}-{}-m{}.svg", key.level.slug(), key.msg_size);
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
                let file = crate::report::plot::latency::file_name(cell);
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

fn machine_section(o: &mut String, s: &MatrixSummary) {
    let m = &s.metadata;
    let crates: Vec<String> = m.crates.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(
        o,
        "## Machine\n\n\
         | | |\n|:---|:---|\n\
         | CPU | {} |\n\
         | logical CPUs | {} |\n\
         | kernel | {} |\n\
         | rustc | {} |\n\
         | harness | {} |\n\
         | crates | {} |\n\
         | server threads | {} |\n\
         | client threads | {} |\n",
        m.cpu_model,
        m.cores,
        m.kernel,
        m.rustc,
        m.harness_version,
        crates.join(", "),
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
