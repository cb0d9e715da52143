//! Placement policies: each places as specified under a load the test controls.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use futures::channel::oneshot;

use super::support::{builder, recv, yield_now};
use crate::{BuildError, Handle, Placement, Runtime, RECENT_BUSY_WINDOW};

const POLICIES: [Placement; 3] = [
    Placement::RoundRobin,
    Placement::LeastLoaded,
    Placement::PowerOfTwoChoices,
];

#[track_caller]
fn placed_pool<R: Runtime>(n: usize, placement: Placement) -> R {
    builder(n)
        .placement(placement)
        .build()
        .unwrap_or_else(|e| panic!("building a {} pool placing {placement:?}: {e}", R::NAME))
}

/// A runtime with [`CHILD_AFFINITY`](crate::backend::RuntimeImpl::CHILD_AFFINITY) builds with every policy
/// and with a stall detector; any other runtime may instead refuse them with
/// [`BuildError::Unsupported`], never with another error, and always accepts the
/// default.
pub fn placement_and_stall_capability_is_consistent<R: Runtime>() {
    let check = |what: &str, built: Result<R, BuildError>| match built {
        Ok(pool) => pool.shutdown_now(),
        Err(BuildError::Unsupported { .. }) if !R::CHILD_AFFINITY => {}
        Err(e) => panic!("{}: building with {what}: {e}", R::NAME),
    };
    for placement in POLICIES {
        check(
            &format!("{placement:?}"),
            builder(2).placement(placement).build(),
        );
    }
    check(
        "a stall detector",
        builder(2).stall_detector(Duration::from_secs(1)).build(),
    );
    let default: R = builder(2)
        .placement(Placement::RoundRobin)
        .build()
        .expect("the default placement");
    default.shutdown_now();
}

/// `RoundRobin` places spawn `i` on worker `i % n`, in spawn order.
pub fn round_robin_placement_cycles<R: Runtime>() {
    const WORKERS: usize = 3;
    let pool: R = placed_pool(WORKERS, Placement::RoundRobin);
    let (tx, rx) = mpsc::channel();
    for i in 0..WORKERS * 3 {
        let tx = tx.clone();
        pool.spawn(async move { tx.send((i, R::current_worker())).unwrap() })
            .unwrap();
    }
    for _ in 0..WORKERS * 3 {
        let (i, worker) = recv(&rx, "a task's worker");
        assert_eq!(worker, Some(i % WORKERS), "spawn {i}");
    }
    pool.shutdown_on_idle();
}

/// Tasks that wait until `release` is dropped, reporting their worker when they start.
fn spawn_waiting<H: Handle, R: Runtime>(
    handle: &H,
    on: Option<usize>,
    started: &mpsc::Sender<Option<usize>>,
) -> oneshot::Sender<()> {
    let (release, wait) = oneshot::channel::<()>();
    let started = started.clone();
    let task = async move {
        started.send(R::current_worker()).unwrap();
        let _ = wait.await;
    };
    match on {
        Some(worker) => drop(handle.spawn_on(worker, task).unwrap()),
        None => drop(handle.spawn(task).unwrap()),
    }
    release
}

/// `LeastLoaded`: with worker 0 holding 5 live tasks, 8 spawns over 3 workers fill
/// workers 1 and 2 evenly (4 each) and put none on worker 0.
pub fn least_loaded_avoids_loaded_worker<R: Runtime>() {
    const HELD: usize = 5;
    const SPAWNS: usize = 8;
    let pool: R = placed_pool(3, Placement::LeastLoaded);
    let (started, rx) = mpsc::channel();
    let mut releases = Vec::new();
    for _ in 0..HELD {
        releases.push(spawn_waiting::<_, R>(pool.handle(), Some(0), &started));
    }
    for _ in 0..HELD {
        assert_eq!(recv(&rx, "a held task"), Some(0));
    }
    for _ in 0..SPAWNS {
        releases.push(spawn_waiting::<_, R>(pool.handle(), None, &started));
    }
    let mut counts = [0usize; 3];
    for _ in 0..SPAWNS {
        counts[recv(&rx, "a placed task").expect("a worker index")] += 1;
    }
    assert_eq!(counts, [0, SPAWNS / 2, SPAWNS / 2]);
    drop(releases);
    pool.shutdown_on_idle();
}

/// `PowerOfTwoChoices`: with worker 0 busy (a task that yields in a loop, never
/// parking its worker) for five [`RECENT_BUSY_WINDOW`]s and worker 1 idle, at least
/// three quarters of 20 spawns go to worker 1. (With two workers both are always
/// compared, so in a quiet run all 20 do; the margin absorbs an OS that keeps worker
/// 1's thread off the CPU for many windows on a loaded machine.)
pub fn power_of_two_choices_avoids_busy_worker<R: Runtime>() {
    const SPAWNS: usize = 20;
    let pool: R = placed_pool(2, Placement::PowerOfTwoChoices);
    let stop = Arc::new(AtomicBool::new(false));
    let (busy_tx, busy_rx) = mpsc::channel();
    let spinner = pool
        .handle()
        .spawn_on(0, {
            let stop = Arc::clone(&stop);
            async move {
                let start = Instant::now();
                let mut told = false;
                while !stop.load(Ordering::Relaxed) {
                    if !told && start.elapsed() >= 5 * RECENT_BUSY_WINDOW {
                        busy_tx.send(()).unwrap();
                        told = true;
                    }
                    yield_now().await;
                }
            }
        })
        .unwrap();
    recv(&busy_rx, "the spinner to have been busy for five windows");
    let (tx, rx) = mpsc::channel();
    for _ in 0..SPAWNS {
        let tx = tx.clone();
        pool.spawn(async move { tx.send(R::current_worker()).unwrap() })
            .unwrap();
    }
    let on_idle = (0..SPAWNS)
        .filter(|_| recv(&rx, "a placed task") == Some(1))
        .count();
    stop.store(true, Ordering::Relaxed);
    futures::executor::block_on(spinner).unwrap();
    assert!(
        on_idle * 4 >= SPAWNS * 3,
        "only {on_idle} of {SPAWNS} spawns avoided the busy worker"
    );
    pool.shutdown_on_idle();
}
