//! `harness serve` out of file descriptors: while accept fails (EMFILE), the
//! connections already established on the accepting worker keep echoing promptly, and
//! once connections close the server accepts new ones. The accept loop waits with an
//! async sleep, never blocking its worker.
//!
//! A `harness = false` test: without util-linux's `prlimit`, the tests are reported as
//! ignored, with the reason.

mod support;

use std::io::{BufRead, BufReader, Lines, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use pool_core::conformance::runner::{run, Group};
use pool_core::test_list;
use support::harness;

/// The server's open-file limit, soft and hard: room for its own descriptors and
/// [`ESTABLISHED`] connections, not for [`EXTRA`] more.
const LIMIT: u32 = 64;
/// Connections opened and echoed on before the limit is reached.
const ESTABLISHED: usize = 20;
/// Connections opened past the limit: the kernel completes them, accept fails.
const EXTRA: usize = 100;
/// Echoes timed while accept fails.
const ECHOES: usize = 300;
/// The p99 echo round trip allowed while accept fails. An accept loop that blocked its
/// worker for 5 ms per failed accept measured a median of 654 ms here.
const P99_BOUND: Duration = Duration::from_millis(50);
const PATIENCE: Duration = Duration::from_secs(30);

struct Server {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    addr: String,
}

impl Server {
    /// `harness serve` with one worker under an open-file limit of [`LIMIT`], through
    /// util-linux's `prlimit` (so the harness cannot raise it).
    fn start(backend: &str) -> Server {
        let harness = harness();
        let mut child = Command::new("prlimit")
            .arg(format!("--nofile={LIMIT}:{LIMIT}"))
            .arg("--")
            .arg(harness.get_program())
            .args(["serve", "--backend", backend, "--threads", "1"])
            .args(["--listen", "127.0.0.1:0"])
            .env_remove("RUST_BACKTRACE")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("prlimit runs harness serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let addr = support::serve_addr(&first);
        Server { child, lines, addr }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.addr).expect("connect to harness serve");
        stream.set_nodelay(true).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream
    }

    /// Stops the server with SIGTERM; returns what it printed after its first line.
    fn stop(mut self) -> String {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let rest: Vec<String> = self.lines.by_ref().map(Result::unwrap).collect();
        assert!(self.child.wait().unwrap().success());
        rest.join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One echo of 8 bytes; returns its round trip.
fn echo(stream: &mut TcpStream, seed: u8) -> Duration {
    let sent = [seed; 8];
    let start = Instant::now();
    stream.write_all(&sent).expect("send to the server");
    let mut back = [0u8; 8];
    stream.read_exact(&mut back).expect("read the echo");
    assert_eq!(back, sent);
    start.elapsed()
}

fn accept_stall(backend: &str) {
    let server = Server::start(backend);
    let mut established: Vec<TcpStream> = (0..ESTABLISHED).map(|_| server.connect()).collect();
    for (i, stream) in established.iter_mut().enumerate() {
        echo(stream, i as u8);
    }
    // Past the limit: the kernel completes these, the server's accept fails.
    let extra: Vec<TcpStream> = (0..EXTRA).map(|_| server.connect()).collect();
    let mut round_trips: Vec<Duration> = (0..ECHOES)
        .map(|i| echo(&mut established[i % ESTABLISHED], i as u8))
        .collect();
    round_trips.sort_unstable();
    let p99 = round_trips[ECHOES * 99 / 100];
    eprintln!(
        "accept stall [{backend}]: echo p50 {:?}, p99 {p99:?}, max {:?} while accept fails",
        round_trips[ECHOES / 2],
        round_trips[ECHOES - 1]
    );
    assert!(
        p99 < P99_BOUND,
        "{backend}: echoes stall while accept fails: p99 {p99:?}"
    );

    // Free descriptors: the server accepts again, and serves a new connection.
    drop(extra);
    drop(established);
    let mut fresh = server.connect();
    echo(&mut fresh, 7);
    drop(fresh);

    let summary = server.stop();
    let errors = summary
        .lines()
        .find_map(|l| l.trim().strip_prefix("accept errors: "))
        .unwrap_or_else(|| panic!("no accept errors in the summary:\n{summary}"));
    let errors: u64 = errors.trim().parse().expect("a count of accept errors");
    assert!(
        errors > 0,
        "accept never failed, so nothing was tested:\n{summary}"
    );
}

fn accept_stall_tokio() {
    accept_stall("tokio");
}

fn accept_stall_tokio_mt() {
    accept_stall("tokio-mt");
}

fn accept_stall_mio() {
    accept_stall("mio");
}

/// Whether util-linux's `prlimit` runs here.
fn prlimit() -> Result<(), String> {
    match Command::new("prlimit").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "`prlimit --version` failed: {}",
            support::text(&out)
        )),
        Err(e) => Err(format!("util-linux's prlimit is not installed: {e}")),
    }
}

fn main() -> std::process::ExitCode {
    run([Group::new(test_list![
        accept_stall_tokio,
        accept_stall_tokio_mt,
        accept_stall_mio
    ])
    .requires(prlimit())])
}
