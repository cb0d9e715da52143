//! `harness load`: only the load generator, against any echo server.

use std::io::Write;

use anyhow::Context;

use super::limits::{check_fds, raise_nofile};
use super::progress::Progress;
use super::signals::on_signal;
use super::Outcome;
use crate::cli::LoadArgs;
use crate::load::{self, Event, LoadConfig, Stop};
use crate::report::{write_files, Metadata, Report, TableReport};
use crate::result::{LoadResult, RunResult, SCHEMA};

pub(super) fn load(args: LoadArgs) -> anyhow::Result<Outcome> {
    let limit = raise_nofile();
    check_fds(u64::from(args.load.conns), "load generator", limit)?;
    let config = LoadConfig::from_args(&args);
    let stop = Stop::new();
    on_signal({
        let stop = stop.clone();
        move || stop.stop()
    })
    .context("cannot install the SIGINT/SIGTERM handlers")?;
    let progress = Progress::new(args.events);
    let outcome = load::run(&config, &stop, |event| {
        if args.events {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", event.to_line());
            let _ = out.flush();
            return;
        }
        match event {
            Event::Connected {
                established,
                failed,
                elapsed_ms,
            } => {
                progress.status(&format!(
                    "connected {established} in {elapsed_ms:.0} ms ({failed} failed); warming up"
                ));
            }
            Event::Measuring => {
                progress.status("measuring");
                progress.phase("measure", config.duration);
            }
            Event::WindowEnd => progress.finish(),
            Event::Result { .. } => {}
        }
    });
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(load::LoadError::Interrupted) => {
            eprintln!("harness: interrupted before the measured window; no results");
            return Ok(Outcome::Interrupted);
        }
        Err(e) => return Err(e.into()),
    };
    let result = LoadResult::new(&config, &outcome)?;
    let code = if result.interrupted {
        Outcome::Interrupted
    } else if result.is_clean() {
        Outcome::Clean
    } else {
        Outcome::Errors
    };
    if args.events {
        let line = Event::Result {
            result: Box::new(result),
        }
        .to_line();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
        return Ok(code);
    }
    let run = RunResult {
        schema: SCHEMA.to_owned(),
        metadata: Metadata::collect(),
        backend: None,
        repetition: 0,
        floor: None,
        server: None,
        load: result,
        baseline_fraction: None,
    };
    print!("{}", TableReport.render(&run)?.unwrap_or_default());
    if !args.output.no_files {
        let files = write_files(&run, &args.output.out)?;
        if let Some(json) = files.first() {
            progress.status(&format!("wrote {}", json.display()));
        }
    }
    Ok(code)
}
