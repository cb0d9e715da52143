//! The load child of `harness run`: a re-exec of this binary as `harness load-child`.
//! Both ends of the protocol live here: the parent writes the child's [`LoadJob`] as
//! JSON on its stdin; the child writes [`Event`]s, one JSON object per line, on its
//! stdout. The child's stderr is relayed line by line, so that a failure can quote it.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use anyhow::Context;
use nix::sys::signal::Signal;

use crate::load::Event;
use crate::plan::LoadJob;

/// The largest job the child reads from stdin.
const MAX_JOB_BYTES: u64 = 1 << 20;

/// One line from the child.
#[derive(Debug)]
pub enum Line {
    /// A protocol event on stdout.
    Event(Event),
    /// Any other line on stdout.
    Other(String),
    /// A line on stderr.
    Stderr(String),
}

/// A running load generator process.
#[derive(Debug)]
pub struct LoadChild {
    child: std::process::Child,
    lines: mpsc::Receiver<Line>,
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

/// Forwards the lines of `from` to `tx`, each mapped by `line`.
fn relay(
    name: &str,
    from: impl Read + Send + 'static,
    tx: mpsc::Sender<Line>,
    line: fn(String) -> Line,
) -> io::Result<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            for text in BufReader::new(from).lines().map_while(Result::ok) {
                if tx.send(line(text)).is_err() {
                    return;
                }
            }
        })
        .map(drop)
}

fn stdout_line(text: String) -> Line {
    match serde_json::from_str::<Event>(&text) {
        Ok(event) => Line::Event(event),
        Err(_) => Line::Other(text),
    }
}

impl LoadChild {
    /// Starts `harness load-child` and hands it `job`.
    ///
    /// # Errors
    ///
    /// If the process cannot be started or given its job.
    pub fn spawn(job: &LoadJob) -> anyhow::Result<LoadChild> {
        let exe = own_exe()?;
        let mut child = Command::new(&exe)
            .arg("load-child")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start the load generator {}", exe.display()))?;
        let (tx, lines) = mpsc::channel();
        let pipes = (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let (Some(mut stdin), Some(stdout), Some(stderr)) = pipes else {
            let _ = child.kill();
            let _ = child.wait();
            anyhow::bail!("the load generator has no stdin, stdout or stderr");
        };
        let started = relay("load-events", stdout, tx.clone(), stdout_line)
            .and_then(|()| relay("load-stderr", stderr, tx, Line::Stderr))
            .context("cannot start the threads that read the load generator");
        let sent = started.and_then(|()| {
            serde_json::to_writer(&mut stdin, job)?;
            Ok(stdin.write_all(b"\n")?)
        });
        // Closing stdin tells the child the job is complete.
        drop(stdin);
        if let Err(e) = sent {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e.context("cannot hand the load generator its job"));
        }
        Ok(LoadChild { child, lines })
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next line, waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// On timeout, or once the child closed both stdout and stderr.
    pub fn next(&self, timeout: Duration) -> Result<Line, RecvTimeoutError> {
        self.lines.recv_timeout(timeout)
    }

    /// Waits for the child to exit.
    ///
    /// # Errors
    ///
    /// If waiting fails.
    pub fn wait(mut self) -> io::Result<ExitStatus> {
        self.child.wait()
    }
}

/// Why a child that reported no result ended: its signal, or its exit status and last
/// message.
pub fn describe_failure(status: io::Result<ExitStatus>, last_message: Option<&str>) -> String {
    let status = match status {
        Ok(status) => status,
        Err(e) => return format!("the load generator could not be waited for: {e}"),
    };
    if let Some(signal) = status.signal() {
        let name = Signal::try_from(signal).map_or_else(|_| signal.to_string(), |s| s.to_string());
        return format!(
            "the load generator was killed by signal {name} before it reported a result"
        );
    }
    match last_message {
        Some(message) => format!("the load generator failed ({status}): {message}"),
        None => format!("the load generator failed ({status}) without a message"),
    }
}

/// In the child: reads the job its parent wrote on stdin.
///
/// # Errors
///
/// If stdin does not hold a [`LoadJob`] in JSON (the child was started by hand).
pub fn receive_job() -> anyhow::Result<LoadJob> {
    let mut text = String::new();
    io::stdin()
        .take(MAX_JOB_BYTES)
        .read_to_string(&mut text)
        .context("cannot read the load job on stdin")?;
    serde_json::from_str(&text).context(
        "`harness load-child` expects the JSON job `harness run` writes on its stdin; \
         to drive a server yourself, use `harness load --target ADDR`",
    )
}
