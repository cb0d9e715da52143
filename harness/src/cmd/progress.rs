//! Progress on stderr: an indicatif bar when stderr is a terminal, plain status lines
//! otherwise.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress reporting for one command.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    /// One bar over many runs (`harness matrix`): the runs' own phases only set the
    /// bar's message.
    overall: bool,
}

impl Progress {
    /// A bar on stderr if it is a terminal; `quiet` suppresses everything.
    pub(crate) fn new(quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{prefix} [{bar:30}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        });
        Progress {
            bar,
            quiet,
            overall: false,
        }
    }

    /// One bar over a whole matrix of `total` units (an ETA from the position), drawn
    /// when stderr is a terminal and hidden otherwise (it still estimates the ETA, and
    /// status lines go to stderr as plain lines).
    pub(crate) fn overall(total: u64) -> Progress {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        bar.set_style(
            ProgressStyle::with_template(
                "[{elapsed_precise}] [{bar:30}] {percent:>3}% ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Progress {
            bar: Some(bar),
            quiet: false,
            overall: true,
        }
    }

    /// indicatif's estimate of the time left, once some but not all units are done.
    pub(crate) fn eta(&self) -> Option<Duration> {
        let bar = self.bar.as_ref()?;
        let (done, total) = (bar.position(), bar.length()?);
        (done > 0 && done < total).then(|| bar.eta())
    }

    /// Moves the overall bar to `position` units.
    pub(crate) fn set_position(&self, position: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(position);
        }
    }

    /// A passing remark: a status line, or only the bar's message in overall mode.
    pub(crate) fn note(&self, line: &str) {
        if self.overall {
            if let Some(bar) = &self.bar {
                bar.set_message(line.to_owned());
            }
        } else {
            self.status(line);
        }
    }

    /// Prints a status line on stderr (above the bar).
    pub(crate) fn status(&self, line: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) if !bar.is_hidden() => bar.println(line),
            _ => eprintln!("{line}"),
        }
    }

    /// Starts showing progress through a phase of `total` length.
    pub(crate) fn phase(&self, name: &str, total: Duration) {
        if self.overall {
            return;
        }
        if let Some(bar) = &self.bar {
            bar.set_prefix(name.to_owned());
            bar.set_length(total.as_millis().max(1) as u64);
            bar.set_position(0);
        }
    }

    /// Shows `elapsed` of the phase.
    pub(crate) fn tick(&self, elapsed: Duration, msg: String) {
        if self.overall {
            return self.note(&msg);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(elapsed.as_millis() as u64);
            bar.set_message(msg);
        }
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
