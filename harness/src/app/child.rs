//! The load generator child process of `harness run`: a re-exec of this binary as
//! `harness load --events`, whose stdout is a stream of [`Event`]s.

use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::cli::LoadOpts;
use crate::load::Event;

/// One line from the child.
#[derive(Debug)]
pub(crate) enum Line {
    /// A protocol event.
    Event(Event),
    /// Anything else, passed through to stderr.
    Other(String),
}

/// A running load generator process.
#[derive(Debug)]
pub(crate) struct LoadChild {
    child: std::process::Child,
    lines: mpsc::Receiver<Line>,
}

fn secs(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// This very executable. On Linux `/proc/self/exe` still runs it when the file was
/// replaced meanwhile (a rebuild during a long `harness matrix`), where the path would
/// name the new binary or nothing.
fn own_exe() -> anyhow::Result<std::path::PathBuf> {
    let proc_exe = std::path::Path::new("/proc/self/exe");
    if proc_exe.exists() {
        return Ok(proc_exe.to_owned());
    }
    std::env::current_exe().context("cannot find the harness executable to re-run")
}

impl LoadChild {
    /// Starts `harness load --events` against `target` with the given load flags.
    pub(crate) fn spawn(
        target: SocketAddr,
        o: &LoadOpts,
        cpus: &[usize],
    ) -> anyhow::Result<LoadChild> {
        let exe = own_exe()?;
        let mut cmd = Command::new(&exe);
        cmd.arg("load")
            .args(["--target", &target.to_string()])
            .args(["--conns", &o.conns.to_string()])
            .args(["--client-threads", &o.client_threads().to_string()])
            .args(["--msg-size", &o.msg_size.to_string()])
            .args(["--duration", &secs(o.duration)])
            .args(["--warmup", &secs(o.warmup)])
            .args(["--connect-timeout", &secs(o.connect_timeout)])
            .args(["--connect-concurrency", &o.connect_concurrency.to_string()])
            .args(["--events", "--no-files"]);
        if let Some(rate) = o.rate {
            cmd.args(["--rate", &rate.to_string()]);
        }
        if !cpus.is_empty() {
            let list: Vec<String> = cpus.iter().map(ToString::to_string).collect();
            cmd.args(["--cpus", &list.join(",")]);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start the load generator {}", exe.display()))?;
        let stdout = child
            .stdout
            .take()
            .context("the load generator has no stdout")?;
        let (tx, lines) = mpsc::channel();
        std::thread::Builder::new()
            .name("load-events".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let parsed = match serde_json::from_str::<Event>(&line) {
                        Ok(event) => Line::Event(event),
                        Err(_) => Line::Other(line),
                    };
                    if tx.send(parsed).is_err() {
                        return;
                    }
                }
            })
            .context("cannot start the event reader thread")?;
        Ok(LoadChild { child, lines })
    }

    /// The child's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next line, waiting at most `timeout`.
    pub(crate) fn next(&self, timeout: Duration) -> Result<Line, RecvTimeoutError> {
        self.lines.recv_timeout(timeout)
    }

    /// Waits for the child to exit.
    pub(crate) fn wait(mut self) -> io::Result<ExitStatus> {
        self.child.wait()
    }
}

/// The interrupt state of `harness run`: set by SIGINT/SIGTERM, which are forwarded to
/// the running load generator so that it stops and reports its partial results.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interrupt {
    raised: Arc<AtomicBool>,
    child: Arc<Mutex<Option<u32>>>,
}

impl Interrupt {
    /// Records the signal and forwards it to the child, if any.
    pub(crate) fn raise(&self) {
        self.raised.store(true, Ordering::SeqCst);
        self.forward();
    }

    fn forward(&self) {
        let child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pid) = *child {
            if let Ok(pid) = i32::try_from(pid) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGINT);
            }
        }
    }

    /// Whether a signal arrived.
    pub(crate) fn is_raised(&self) -> bool {
        self.raised.load(Ordering::SeqCst)
    }

    /// Sets (or clears) the child to forward signals to; forwards at once if a signal
    /// already arrived.
    pub(crate) fn set_child(&self, pid: Option<u32>) {
        *self.child.lock().unwrap_or_else(|e| e.into_inner()) = pid;
        if pid.is_some() && self.is_raised() {
            self.forward();
        }
    }
}
