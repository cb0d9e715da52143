//! Fairness on one worker: a task that never waits (always-ready I/O, a yield loop, a
//! burst of runnable tasks) must not hold back I/O on another connection of the same
//! worker.
//!
//! Every test here builds a one-worker pool, loads it, and measures from a plain
//! blocking client thread the round trip of a one-byte echo served by a task on that
//! worker ([`probe_echo`]). With one worker the load and the echo share a worker on
//! every runtime, including tokio's multi-thread one, so every test applies to every
//! backend.
//!
//! The bounds are derived on [`ECHO_BOUND`] (a time, for one hot task) and on
//! [`burst_does_not_hold_back_io`] (a count of polls, for a burst).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::support::{PATIENCE, best_of_three, echo, pool, recv, yield_now};
use crate::Runtime;
use crate::net::{TcpListener, TcpStream, bind_listener};

/// The median echo round trip the kit allows next to one hot task: 2 ms.
///
/// What a worker owes a ready connection is set by two numbers of its scheduler: its
/// per-task *budget* `B` (operations a task completes per poll before its I/O futures
/// return `Pending`) and its *event interval* `K` (task polls between two turns of the
/// reactor). tokio uses `B = 128`, `K = 61`. A fair scheduler notices a ready
/// connection within `K` polls, and does not poll a task that spent its budget again
/// before its reactor has turned. So next to one hot task the echo waits for at most
/// one budget of that task, plus the echo itself, plus the client's wake-up:
///
/// - one budget: 128 one-byte `send(2)`s on loopback (the costlier of the two hot
///   loads), at most ~4 µs each in an unoptimised test build on a slow machine:
///   ~0.5 ms. Measured in a debug build: 128 writes per probe and a median echo of
///   0.06 ms (backend-mio) to 0.15 ms (tokio's current-thread runtime);
/// - one `epoll_wait`, the echo task's `recv` + `send`, the client's `send` + `recv`:
///   ~0.05 ms;
/// - scheduling noise on a shared two-core machine, where the worker spins at 100% and
///   the client thread must be woken onto the other core: up to ~1.5 ms for the
///   *median*. A high percentile can be far worse under load, so it is only printed.
///
/// A scheduler that polls a task that spent its budget again before turning its
/// reactor runs up to `128 × 128` operations between two `epoll_wait`s and answers in
/// several milliseconds (reads) to tens of milliseconds (writes): it fails.
pub const ECHO_BOUND: Duration = Duration::from_millis(2);

/// The number of runnable tasks in [`burst_does_not_hold_back_io`].
pub const BURST: usize = 10_000;

/// Probes measured per test (after [`WARM_UP`] discarded ones).
const PROBES: usize = 200;

/// Probes discarded at the start: connection set-up, first polls, a burst's spawns.
const WARM_UP: usize = 20;

/// What runs on the worker next to the echo while [`probe_echo`] measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// One task writes single bytes to a connection, without pause, while a client
    /// thread drains the other end: every write is ready at once. One op is one write.
    HotWriter,
    /// One task reads, without pause, from a connection whose peer has closed: every
    /// read returns end-of-stream at once. One op is one read.
    HotReader,
    /// One task yields in an endless loop. One op is one poll of it.
    YieldLoop,
    /// This many tasks, each yielding in an endless loop, all runnable at once. One op
    /// is one poll of any of them.
    Burst(usize),
}

/// What [`probe_echo`] measured: per probe, the echo round trip and the number of
/// load operations (see [`Load`]) that ran between the probe's send and its echo.
#[derive(Debug, Clone)]
pub struct Probes {
    /// Round trips, sorted.
    pub round_trips: Vec<Duration>,
    /// Load operations per probe, sorted.
    pub ops: Vec<u64>,
}

impl Probes {
    fn quantile<T: Copy>(sorted: &[T], q: f64) -> T {
        let i = ((sorted.len() - 1) as f64 * q).round() as usize;
        sorted[i]
    }

    /// The median round trip.
    pub fn median(&self) -> Duration {
        Self::quantile(&self.round_trips, 0.5)
    }

    /// The 90th percentile round trip.
    pub fn p90(&self) -> Duration {
        Self::quantile(&self.round_trips, 0.9)
    }

    /// The median number of load operations per probe.
    pub fn median_ops(&self) -> u64 {
        Self::quantile(&self.ops, 0.5)
    }

    /// Prints the statistics to stderr (shown with `--nocapture`).
    pub fn print<R: Runtime>(&self, what: &str) {
        eprintln!(
            "fairness [{}] {what}: echo median {:.3} ms, p90 {:.3} ms, max {:.3} ms; \
             median {} load ops per probe",
            R::NAME,
            self.median().as_secs_f64() * 1e3,
            self.p90().as_secs_f64() * 1e3,
            self.round_trips
                .last()
                .map_or(0.0, |d| d.as_secs_f64() * 1e3),
            self.median_ops(),
        );
    }
}

/// Reads and discards everything the peer sends until it closes.
fn drain(listener: std::net::TcpListener) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        use std::io::Read;
        let (mut socket, _) = listener.accept().expect("accept the hot connection");
        let mut buf = vec![0u8; 64 * 1024];
        while matches!(socket.read(&mut buf), Ok(n) if n > 0) {}
    })
}

/// Starts `load` on the pool's only worker; returns once it runs, with the drain
/// thread of [`Load::HotWriter`].
fn start_load<R: Runtime>(
    pool: &R,
    load: Load,
    ops: &Arc<AtomicU64>,
    stop: &Arc<AtomicBool>,
) -> Option<thread::JoinHandle<()>> {
    let (started_tx, started_rx) = mpsc::channel();
    let mut drainer = None;
    match load {
        Load::HotWriter => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            drainer = Some(drain(listener));
            let (ops, stop) = (Arc::clone(ops), Arc::clone(stop));
            pool.spawn(async move {
                // No TCP_NODELAY: single bytes coalesce in the send buffer, so the
                // drain thread keeps up and every write is ready at once.
                let mut stream = R::TcpStream::connect(addr).await.unwrap();
                started_tx.send(()).unwrap();
                while !stop.load(Ordering::Relaxed) {
                    if stream.write(&[0]).await.unwrap_or(0) == 0 {
                        return;
                    }
                    ops.fetch_add(1, Ordering::Relaxed);
                }
            })
            .unwrap();
        }
        Load::HotReader => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            // Accept, then close at once.
            drainer = Some(thread::spawn(move || drop(listener.accept().unwrap())));
            let (ops, stop) = (Arc::clone(ops), Arc::clone(stop));
            pool.spawn(async move {
                let mut stream = R::TcpStream::connect(addr).await.unwrap();
                let mut buf = [0u8; 16];
                // From the end of stream on, every read is ready at once.
                while stream.read(&mut buf).await.unwrap() != 0 {}
                started_tx.send(()).unwrap();
                while !stop.load(Ordering::Relaxed) {
                    assert_eq!(stream.read(&mut buf).await.unwrap(), 0);
                    ops.fetch_add(1, Ordering::Relaxed);
                }
            })
            .unwrap();
        }
        Load::YieldLoop | Load::Burst(_) => {
            let tasks = match load {
                Load::Burst(n) => n,
                _ => 1,
            };
            for _ in 0..tasks {
                let (ops, stop) = (Arc::clone(ops), Arc::clone(stop));
                pool.spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        ops.fetch_add(1, Ordering::Relaxed);
                        yield_now().await;
                    }
                })
                .unwrap();
            }
            // Queued behind every load task: runs once they all have.
            pool.spawn(async move { started_tx.send(()).unwrap() })
                .unwrap();
        }
    }
    recv(&started_rx, "the load to start");
    drainer
}

/// Spawns, on the pool's only worker, a task that accepts one connection on a fresh
/// loopback listener and echoes it; returns the listener's address.
fn start_echo<R: Runtime>(pool: &R) -> SocketAddr {
    let listener = bind_listener("127.0.0.1:0".parse().unwrap(), 8).unwrap();
    let addr = listener.local_addr().unwrap();
    let (ready_tx, ready_rx) = mpsc::channel();
    pool.spawn(async move {
        let listener = R::TcpListener::from_std(listener).unwrap();
        ready_tx.send(()).unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        // The client closing (or the pool stopping) ends the echo; neither is an error
        // of the test.
        let _ = echo(stream).await;
    })
    .unwrap();
    recv(&ready_rx, "the echo task to listen");
    addr
}

/// Builds a one-worker pool of `R`, runs `load` and an echo task on it, and measures
/// `probes` one-byte echo round trips from a blocking client thread.
///
/// Used by the fairness tests and by backends' own measurements (backend-mio's
/// `fairness_probe` example).
///
/// # Panics
///
/// If any socket operation fails or an echo takes longer than
/// [`PATIENCE`](super::support::PATIENCE).
pub fn probe_echo<R: Runtime>(load: Load, probes: usize) -> Probes {
    use std::io::{Read, Write};

    let pool: R = pool(1);
    let ops = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let addr = start_echo(&pool);
    let drainer = start_load(&pool, load, &ops, &stop);

    let mut client = std::net::TcpStream::connect(addr).expect("connect to the echo task");
    client.set_nodelay(true).unwrap();
    client.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut round_trips = Vec::with_capacity(probes);
    let mut counts = Vec::with_capacity(probes);
    let mut byte = [0u8; 1];
    for i in 0..WARM_UP + probes {
        let before = ops.load(Ordering::Relaxed);
        let sent = Instant::now();
        client.write_all(&[i as u8]).expect("send a probe");
        client.read_exact(&mut byte).expect("read the probe's echo");
        let round_trip = sent.elapsed();
        let after = ops.load(Ordering::Relaxed);
        assert_eq!(byte[0], i as u8, "the echo returned another byte");
        if i >= WARM_UP {
            round_trips.push(round_trip);
            counts.push(after - before);
        }
    }
    stop.store(true, Ordering::Relaxed);
    drop(client);
    pool.shutdown_now();
    if let Some(drainer) = drainer {
        drainer.join().expect("the drain thread");
    }
    round_trips.sort_unstable();
    counts.sort_unstable();
    Probes {
        round_trips,
        ops: counts,
    }
}

/// A task writing to a connection without pause (every write ready at once) does not
/// delay an echo on another connection of its worker: median round trip at most
/// [`ECHO_BOUND`].
///
/// The hot task never waits, so only the runtime's cooperative budget makes it yield;
/// the runtime must then turn its reactor before polling it again.
pub fn hot_connection_does_not_delay_echo<R: Runtime>() {
    let probes = best_of_three(
        || probe_echo::<R>(Load::HotWriter, PROBES),
        |p| p.median() <= ECHO_BOUND,
    );
    probes.print::<R>("hot writer");
    assert!(
        probes.median() <= ECHO_BOUND,
        "{}: a hot connection delays an echo on its worker by {:?} (median; bound \
         {ECHO_BOUND:?}, {} writes of the hot task per probe)",
        R::NAME,
        probes.median(),
        probes.median_ops(),
    );
}

/// A task reading end-of-stream without pause (every read ready at once) does not
/// delay an echo on another connection of its worker: median round trip at most
/// [`ECHO_BOUND`].
///
/// As [`hot_connection_does_not_delay_echo`], with reads, which cost less than writes:
/// each budget is shorter, so a correct runtime answers sooner.
pub fn hot_reader_does_not_delay_echo<R: Runtime>() {
    let probes = best_of_three(
        || probe_echo::<R>(Load::HotReader, PROBES),
        |p| p.median() <= ECHO_BOUND,
    );
    probes.print::<R>("hot reader");
    assert!(
        probes.median() <= ECHO_BOUND,
        "{}: a task reading end-of-stream delays an echo on its worker by {:?} (median; \
         bound {ECHO_BOUND:?}, {} reads of the hot task per probe)",
        R::NAME,
        probes.median(),
        probes.median_ops(),
    );
}

/// The polls of a yielding task the kit allows between a probe's send and its echo
/// (median): 96.
///
/// A worker that turns its reactor every `K` task polls notices the probe within `K`
/// polls of the yielding task, and runs the echo task right after: the median count is
/// about `K` (the probe lands anywhere in an interval, but the echo waits for the next
/// turn and then for the tasks queued before it). tokio's `event_interval` is `K = 61`,
/// and every runtime here counts 60 per probe. The bound is `1.5 × 64`: room for noise,
/// and below the 127 of a worker that turns its reactor only every 128 polls.
pub const YIELD_POLLS_BOUND: u64 = 96;

/// A task that yields in an endless loop does not starve I/O on its worker: median
/// echo round trip at most [`ECHO_BOUND`], after at most [`YIELD_POLLS_BOUND`] polls of
/// the yielding task (median).
///
/// A yield re-queues the task at once, so a scheduler that turns its reactor only when
/// its run queue is empty never answers; one that turns it every `K` polls answers
/// after about `K` polls of a few hundred nanoseconds each.
pub fn yield_loop_does_not_starve_io<R: Runtime>() {
    let probes = best_of_three(
        || probe_echo::<R>(Load::YieldLoop, PROBES),
        |p| p.median() <= ECHO_BOUND && p.median_ops() <= YIELD_POLLS_BOUND,
    );
    probes.print::<R>("yield loop");
    assert!(
        probes.median() <= ECHO_BOUND,
        "{}: a yielding task delays an echo on its worker by {:?} (median; bound \
         {ECHO_BOUND:?})",
        R::NAME,
        probes.median(),
    );
    assert!(
        probes.median_ops() <= YIELD_POLLS_BOUND,
        "{}: {} polls of a yielding task run before an echo on its worker (median; bound \
         {YIELD_POLLS_BOUND}): the reactor turns too rarely",
        R::NAME,
        probes.median_ops(),
    );
}

/// [`BURST`] runnable tasks (each yielding in an endless loop) do not hold back an
/// echo on their worker beyond one round of the run queue: at most `2 × BURST` polls
/// of the burst between a probe's send and its echo (median).
///
/// Derivation: the reactor sees the probe's bytes within `K ≤ 128` polls; the echo
/// task is then queued behind at most `BURST` tasks (first in, first out); add the
/// polls that run while the client thread wakes up to read the echo (tens of
/// microseconds at well under a microsecond per poll: a few hundred). `2 × BURST`
/// leaves room for all of it, and is still far below "never" (a scheduler that turns
/// its reactor only when idle does not answer at all). Counting polls rather than time
/// keeps the bound independent of the machine's speed.
pub fn burst_does_not_hold_back_io<R: Runtime>() {
    let bound = 2 * BURST as u64;
    let probes = best_of_three(
        || probe_echo::<R>(Load::Burst(BURST), PROBES / 4),
        |p| p.median_ops() <= bound,
    );
    probes.print::<R>("burst of 10,000 tasks");
    assert!(
        probes.median_ops() <= bound,
        "{}: a burst of {BURST} runnable tasks delays an echo on its worker by {} polls \
         ({:?}; median; bound {bound} polls)",
        R::NAME,
        probes.median_ops(),
        probes.median(),
    );
}

/// The median lateness of 100 sleeps of 1 ms on a one-worker pool running `load`.
fn timer_lateness<R: Runtime>(load: Load) -> Duration {
    const SLEEP: Duration = Duration::from_millis(1);
    let pool: R = pool(1);
    let ops = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let drainer = start_load(&pool, load, &ops, &stop);
    let (tx, rx) = mpsc::channel();
    pool.spawn(async move {
        let mut late = Vec::with_capacity(100);
        for _ in 0..100 {
            let start = Instant::now();
            R::sleep(SLEEP).await;
            late.push(start.elapsed().saturating_sub(SLEEP));
        }
        tx.send(late).unwrap();
    })
    .unwrap();
    let mut late = recv(&rx, "100 sleeps next to the load");
    stop.store(true, Ordering::Relaxed);
    pool.shutdown_now();
    if let Some(drainer) = drainer {
        drainer.join().expect("the drain thread");
    }
    late.sort_unstable();
    late[late.len() / 2]
}

/// A timer next to a task reading end-of-stream without pause fires late by at most
/// [`ECHO_BOUND`] (median): the worker looks at its timers after each budget of the hot
/// task, as it looks at its sockets.
pub fn timers_fire_next_to_a_hot_task<R: Runtime>() {
    let late = best_of_three(
        || timer_lateness::<R>(Load::HotReader),
        |late| *late <= ECHO_BOUND,
    );
    eprintln!(
        "fairness [{}] timers next to a hot reader: median lateness {late:?}",
        R::NAME
    );
    assert!(
        late <= ECHO_BOUND,
        "{}: a hot task delays timers on its worker by {late:?} (median; bound {ECHO_BOUND:?})",
        R::NAME
    );
}

/// A timer next to a task yielding in an endless loop fires late by at most
/// [`ECHO_BOUND`] (median): the worker fires due timers every `K` polls.
pub fn timers_fire_next_to_a_yield_loop<R: Runtime>() {
    let late = best_of_three(
        || timer_lateness::<R>(Load::YieldLoop),
        |late| *late <= ECHO_BOUND,
    );
    eprintln!(
        "fairness [{}] timers next to a yield loop: median lateness {late:?}",
        R::NAME
    );
    assert!(
        late <= ECHO_BOUND,
        "{}: a yielding task delays timers on its worker by {late:?} (median; bound \
         {ECHO_BOUND:?})",
        R::NAME
    );
}
