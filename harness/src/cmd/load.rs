//! `harness load`: only the load generator, against any echo server; and the load child
//! of `harness run`, which speaks JSON events instead.

use std::io::Write;
use std::time::SystemTime;

use anyhow::Context;

use super::progress::Progress;
use super::Outcome;
use crate::load::{self, Event, Stop};
use crate::os::{check_fds, child, on_signal, raise_nofile};
use crate::plan::{LoadJob, OutputPlan};
use crate::report::{prepare_dir, write_files, Report, TableReport};
use crate::result::{LoadResult, Metadata, RunResult, SCHEMA};

/// Prints one event as a JSON line on stdout.
fn emit(event: &Event) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", event.to_line());
    let _ = out.flush();
}

/// Runs `job` until done or stopped by SIGINT/SIGTERM. `None`: stopped before the
/// window, no results.
fn measure(
    job: &LoadJob,
    on_event: impl FnMut(&Event),
) -> anyhow::Result<Option<(LoadResult, Outcome)>> {
    let limit = raise_nofile();
    check_fds(job.plan.conns as u64, "load generator", limit)?;
    let stop = Stop::new();
    on_signal({
        let stop = stop.clone();
        move || stop.stop()
    })
    .context("cannot install the SIGINT/SIGTERM handlers")?;
    let outcome = match load::run(job, &stop, on_event) {
        Ok(outcome) => outcome,
        Err(load::LoadError::Interrupted) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let result = LoadResult::new(job, &outcome)?;
    let code = if result.interrupted {
        Outcome::Interrupted
    } else if result.is_clean() {
        Outcome::Clean
    } else {
        Outcome::Errors
    };
    Ok(Some((result, code)))
}

/// The note printed when the connections are up.
fn connected_note(established: u64, failed: u64, elapsed_ms: f64, job: &LoadJob) -> String {
    let mut note = format!("connected {established} in {elapsed_ms:.0} ms ({failed} failed)");
    match job.start_at.map(|at| at.duration_since(SystemTime::now())) {
        Some(Ok(wait)) => note.push_str(&format!(
            "; the window starts at the common start, in {:.1} s",
            wait.as_secs_f64()
        )),
        _ => note.push_str("; warming up"),
    }
    note
}

pub(super) fn load(job: LoadJob, output: OutputPlan) -> anyhow::Result<Outcome> {
    if let Some(dir) = &output.dir {
        prepare_dir(dir)?;
    }
    let progress = Progress::new(false);
    let measured = measure(&job, |event| match event {
        Event::Connected {
            established,
            failed,
            elapsed_ms,
        } => progress.status(&connected_note(*established, *failed, *elapsed_ms, &job)),
        Event::Measuring => {
            progress.status("measuring");
            progress.phase("measure", job.plan.duration);
        }
        Event::WindowEnd => progress.finish(),
        Event::Result { .. } => {}
    })?;
    let Some((result, code)) = measured else {
        eprintln!("harness: interrupted before the measured window; no results");
        return Ok(Outcome::Interrupted);
    };
    let run = RunResult {
        schema: SCHEMA.to_owned(),
        metadata: Metadata::collect().pinned(None, job.cpus.clone()),
        backend: None,
        is_reference: false,
        repetition: 0,
        send_recv: None,
        profile: None,
        server: None,
        load: result,
        baseline_fraction: None,
    };
    print!("{}", TableReport.render(&run)?.unwrap_or_default());
    if let Some(dir) = &output.dir {
        let files = write_files(&run, dir)?;
        if let Some(json) = files.first() {
            progress.status(&format!("wrote {}", json.display()));
        }
    }
    Ok(code)
}

/// The load child of `harness run`: its job on stdin, JSON events on stdout.
pub(super) fn child() -> anyhow::Result<Outcome> {
    let job = child::receive_job()?;
    let Some((result, code)) = measure(&job, emit)? else {
        eprintln!("harness: interrupted before the measured window; no results");
        return Ok(Outcome::Interrupted);
    };
    emit(&Event::Result {
        result: Box::new(result),
    });
    Ok(code)
}
