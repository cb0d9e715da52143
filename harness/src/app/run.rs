//! `harness run`: every chosen backend, interleaved and repeated, in-process server
//! against a load generator child process.

use std::time::Duration;

use anyhow::Context;

use super::child::Interrupt;
use super::limits::{check_fds, raise_nofile};
use super::pinning::{self, CpuPlan};
use super::progress::Progress;
use super::run_once::RunOnce;
use super::signals::on_signal;
use super::Outcome;
use crate::cli::RunArgs;
use crate::metrics::floor;
use crate::report::{render_comparison, write_files, Report, TableReport};

/// How long the floor is measured.
const FLOOR_BUDGET: Duration = Duration::from_millis(300);

pub(super) fn run(args: RunArgs) -> anyhow::Result<Outcome> {
    let limit = raise_nofile();
    check_fds(u64::from(args.load.conns), "server", limit)?;
    let progress = Progress::new(false);
    let cpus = if args.pin {
        match pinning::plan(args.server.threads(), args.load.client_threads()) {
            Ok(plan) => {
                progress.status(&format!(
                    "pinning: server workers on CPUs {:?}, load generator on CPUs {:?}",
                    plan.server.as_deref().unwrap_or_default(),
                    plan.client
                ));
                plan
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
        "measuring the floor: send+recv of {} B over loopback",
        args.load.msg_size
    ));
    let floor = floor::measure(args.load.msg_size, FLOOR_BUDGET)
        .context("cannot measure the loopback floor")?;
    progress.status(&format!(
        "floor: {:.2} µs CPU per send+recv",
        floor.cpu_per_op_us
    ));

    let kinds = args.backend.kinds();
    let mut results = Vec::new();
    let mut outcome = Outcome::Clean;
    'runs: for repetition in 0..args.repeat {
        for &kind in &kinds {
            if interrupt.is_raised() {
                break 'runs;
            }
            progress.status(&format!(
                "{kind}: run {} of {}",
                repetition + 1,
                args.repeat
            ));
            let run = kind.with(RunOnce {
                args: &args,
                cpus: &cpus,
                floor,
                repetition,
                interrupt: &interrupt,
                progress: &progress,
            });
            let result = match run {
                Ok(result) => result,
                Err(e) if interrupt.is_raised() => {
                    progress.status(&format!("{kind}: {e:#}"));
                    break 'runs;
                }
                Err(e) => return Err(e),
            };
            if !args.output.no_files {
                let files = write_files(&result, &args.output.out)?;
                if let Some(json) = files.first() {
                    progress.status(&format!("wrote {}", json.display()));
                }
            }
            let this = if result.load.interrupted {
                Outcome::Interrupted
            } else if result.load.is_clean() {
                Outcome::Clean
            } else {
                Outcome::Errors
            };
            outcome = outcome.worst(this);
            if results.is_empty() && kinds.len() == 1 && args.repeat == 1 {
                print!("{}", TableReport.render(&result)?.unwrap_or_default());
            }
            results.push(result);
        }
    }
    progress.finish();
    if results.len() > 1 {
        let table = render_comparison(&results);
        print!("{table}");
        if !args.output.no_files {
            let path = args.output.out.join("summary.txt");
            std::fs::write(&path, &table)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    if interrupt.is_raised() {
        outcome = Outcome::Interrupted;
        eprintln!("harness: interrupted; {} run(s) saved", results.len());
    }
    Ok(outcome)
}
