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

/// A bar of `len` units in the style `template`, drawn on stderr if `shown`.
fn bar(len: Option<u64>, template: &str, shown: bool) -> ProgressBar {
    let target = if shown {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let style =
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::with_draw_target(len, target).with_style(style.progress_chars("=> "))
}

impl Progress {
    /// A bar on stderr if it is a terminal; `quiet` suppresses everything.
    pub(crate) fn new(quiet: bool) -> Progress {
        let shown = !quiet && std::io::stderr().is_terminal();
        Progress {
            bar: shown.then(|| bar(None, "{prefix} [{bar:30}] {msg}", true)),
            quiet,
            overall: false,
        }
    }

    /// One bar over a whole matrix of `total` units (an ETA from the position), drawn
    /// when stderr is a terminal and hidden otherwise (it still estimates the ETA, and
    /// status lines go to stderr as plain lines).
    pub(crate) fn overall(total: u64) -> Progress {
        let template = "[{elapsed_precise}] [{bar:30}] {percent:>3}% ETA {eta} {msg}";
        Progress {
            bar: Some(bar(Some(total), template, std::io::stderr().is_terminal())),
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

#[cfg(test)]
mod tests {
    /// Off a terminal (as under `cargo test`) the matrix's bar is hidden but still
    /// gives an ETA between the first and the last unit.
    #[test]
    fn a_hidden_overall_bar_still_estimates() {
        let progress = super::Progress::overall(100);
        assert_eq!(progress.eta(), None);
        progress.set_position(50);
        assert!(progress.eta().is_some());
        progress.set_position(100);
        assert_eq!(progress.eta(), None);
    }
}
