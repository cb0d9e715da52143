//! Fairness: a connection that is always ready cannot starve the other tasks or the
//! timers of its worker, thanks to the per-poll I/O budget and the deferral of a task
//! that spent it. (The I/O side is in the conformance kit's `fairness` tests.)

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use backend_mio::{MioPool, TcpStream};
use pool_core::conformance::ECHO_BOUND;
use pool_core::net::TcpStream as _;
use pool_core::Runtime;
use support::{pool, recv};
use tokio::io::AsyncReadExt;

#[test]
fn a_hot_connection_does_not_starve_its_neighbours() {
    let pool = pool(1);
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        // Accept, then close at once: reads at the other end return 0 forever, so the
        // socket is always ready.
        drop(server.accept().unwrap());
    });
    let (tx, rx) = mpsc::channel();
    pool.spawn(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 16];
        // Wait for the end of stream: from here on every read returns 0 at once.
        while stream.read(&mut buf).await.unwrap() != 0 {}
        let stop = Arc::new(AtomicBool::new(false));
        let neighbour_stop = Arc::clone(&stop);
        // The neighbour runs only if the hot loop below yields.
        MioPool::spawn_local(async move { neighbour_stop.store(true, Ordering::SeqCst) }).unwrap();
        let mut reads = 0u64;
        // Never awaits anything that is not ready: without a budget this never ends.
        while !stop.load(Ordering::SeqCst) {
            let n = stream.read(&mut buf).await.unwrap();
            assert_eq!(n, 0);
            reads += 1;
        }
        tx.send(reads).unwrap();
    })
    .unwrap();
    let reads = recv(&rx, "the neighbour to run while the hot loop spins");
    assert!(reads >= 1);
    peer.join().unwrap();
    pool.shutdown_on_idle();
}

/// A task that never waits, next to a timer on the same worker.
#[derive(Clone, Copy)]
enum Hot {
    /// Reads end-of-stream without pause: every read is ready at once.
    Reader,
    /// Yields in an endless loop.
    YieldLoop,
}

/// Spawns `hot` on the pool's only worker and returns once it runs.
fn start_hot(pool: &MioPool, hot: Hot, stop: &Arc<AtomicBool>) {
    let (started_tx, started_rx) = mpsc::channel();
    let stop = Arc::clone(stop);
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    std::thread::spawn(move || drop(server.accept().unwrap()));
    pool.spawn(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 16];
        while stream.read(&mut buf).await.unwrap() != 0 {}
        started_tx.send(()).unwrap();
        while !stop.load(Ordering::Relaxed) {
            match hot {
                Hot::Reader => assert_eq!(stream.read(&mut buf).await.unwrap(), 0),
                Hot::YieldLoop => pool_core::conformance::support::yield_now().await,
            }
        }
    })
    .unwrap();
    recv(&started_rx, "the hot task to start");
}

/// The median lateness of 100 one-millisecond sleeps on a worker next to `hot`.
fn timer_lateness(hot: Hot) -> Duration {
    const SLEEP: Duration = Duration::from_millis(1);
    let pool = pool(1);
    let stop = Arc::new(AtomicBool::new(false));
    start_hot(&pool, hot, &stop);
    let (tx, rx) = mpsc::channel();
    pool.spawn(async move {
        let mut late = Vec::with_capacity(100);
        for _ in 0..100 {
            let start = Instant::now();
            backend_mio::sleep(SLEEP).await;
            late.push(start.elapsed().saturating_sub(SLEEP));
        }
        tx.send(late).unwrap();
    })
    .unwrap();
    let mut late = recv(&rx, "the sleeps");
    stop.store(true, Ordering::Relaxed);
    pool.shutdown_now();
    late.sort_unstable();
    late[late.len() / 2]
}

/// A timer next to a task reading end-of-stream without pause fires late by at most
/// the kit's `ECHO_BOUND` (median), for the same reason: the worker looks at its timers
/// after each budget of the hot task, not after 128 of them.
#[test]
fn timers_fire_next_to_a_hot_reader() {
    let late = timer_lateness(Hot::Reader);
    eprintln!("fairness [mio] timers next to a hot reader: median lateness {late:?}");
    assert!(late <= ECHO_BOUND, "a hot reader delays timers by {late:?}");
}

/// A timer next to a task yielding in an endless loop fires late by at most the kit's
/// `ECHO_BOUND` (median): the worker fires due timers every 61 polls.
#[test]
fn timers_fire_next_to_a_yield_loop() {
    let late = timer_lateness(Hot::YieldLoop);
    eprintln!("fairness [mio] timers next to a yield loop: median lateness {late:?}");
    assert!(late <= ECHO_BOUND, "a yield loop delays timers by {late:?}");
}
