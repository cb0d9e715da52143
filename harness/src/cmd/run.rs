//! `harness run`: every chosen backend, interleaved and repeated, in-process server
//! against a load generator child process.

use anyhow::Context;

use super::progress::Progress;
use super::run_once::RunOnce;
use super::Outcome;
use crate::metrics::send_recv;
use crate::os::pinning::{self, CpuPlan};
use crate::os::{check_fds, on_signal, raise_nofile, Interrupt};
use crate::plan::{defaults, RunPlan};
use crate::report::{prepare_dir, render_comparison, write_files, Report, TableReport};
use crate::result::RunResult;

/// The outcome of one run, from its result.
fn outcome_of(result: &RunResult) -> Outcome {
    if result.load.interrupted {
        Outcome::Interrupted
    } else if result.load.is_clean() {
        Outcome::Clean
    } else {
        Outcome::Errors
    }
}

pub(super) fn run(plan: RunPlan) -> anyhow::Result<Outcome> {
    let limit = raise_nofile();
    check_fds(plan.load.conns as u64, "server", limit)?;
    if let Some(dir) = &plan.output.dir {
        prepare_dir(dir)?;
    }
    let progress = Progress::new(false);
    let cpus = if plan.pin {
        match pinning::plan(plan.server.threads, plan.load.threads) {
            Ok(cpus) => {
                progress.status(&format!(
                    "pinning: server workers on CPUs {:?}, load generator on CPUs {:?}",
                    cpus.server.as_deref().unwrap_or_default(),
                    cpus.client
                ));
                cpus
            }
            Err(why) => {
                progress.status(&format!("warning: {why}"));
                CpuPlan::default()
            }
        }
    } else {
        CpuPlan::default()
    };
    let interrupt = Interrupt::default();
    on_signal({
        let interrupt = interrupt.clone();
        move || interrupt.raise()
    })
    .context("cannot install the SIGINT/SIGTERM handlers")?;

    progress.status(&format!(
        "measuring the kernel's blocking send+recv of {} B over loopback",
        plan.load.msg_size
    ));
    let pair = send_recv::measure(plan.load.msg_size, defaults::SEND_RECV_BUDGET)
        .context("cannot measure a blocking send+recv over loopback")?;
    progress.status(&format!(
        "kernel: {:.2} µs CPU per blocking send+recv",
        pair.cpu_per_op_us
    ));

    let (targets, notes) = plan.targets();
    for note in notes {
        progress.status(&format!("note: {note}"));
    }
    let single = targets.len() == 1 && plan.repeat == 1;
    let mut results = Vec::new();
    let mut outcome = Outcome::Clean;
    // The first file error; later runs are still measured and printed.
    let mut write_error = None;
    'runs: for repetition in 0..plan.repeat {
        for &target in &targets {
            if interrupt.is_raised() {
                break 'runs;
            }
            progress.status(&format!(
                "{target}: run {} of {}",
                repetition + 1,
                plan.repeat
            ));
            let run = target.kind.serve(RunOnce {
                target,
                plan: &plan,
                cpus: &cpus,
                send_recv: pair,
                repetition,
                interrupt: &interrupt,
                progress: &progress,
            });
            let result = match run {
                Ok(result) => result,
                Err(e) if interrupt.is_raised() => {
                    progress.status(&format!("{target}: {e:#}"));
                    break 'runs;
                }
                Err(e) => return Err(e),
            };
            outcome = outcome.worst(outcome_of(&result));
            if single {
                progress.finish();
                print!("{}", TableReport.render(&result)?.unwrap_or_default());
            }
            if let (Some(dir), None) = (&plan.output.dir, &write_error) {
                match write_files(&result, dir) {
                    Ok(files) => {
                        if let Some(json) = files.first() {
                            progress.status(&format!("wrote {}", json.display()));
                        }
                    }
                    Err(e) => write_error = Some(e),
                }
            }
            results.push(result);
        }
    }
    progress.finish();
    if results.len() > 1 {
        let table = render_comparison(&results);
        print!("{table}");
        if let (Some(dir), None) = (&plan.output.dir, &write_error) {
            let path = dir.join("summary.txt");
            if let Err(e) = std::fs::write(&path, &table) {
                write_error =
                    Some(anyhow::Error::new(e).context(format!("cannot write {}", path.display())));
            }
        }
    }
    if let Some(e) = write_error {
        return Err(e);
    }
    if interrupt.is_raised() {
        outcome = Outcome::Interrupted;
        match &plan.output.dir {
            Some(dir) => eprintln!(
                "harness: interrupted; {} run(s) saved in {}",
                results.len(),
                dir.display()
            ),
            None => eprintln!(
                "harness: interrupted after {} run(s); no files written (--no-files)",
                results.len()
            ),
        }
    }
    Ok(outcome)
}
