//! Placement policies: each places as specified under a load the test controls.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use futures::channel::oneshot;

use super::support::{builder, recv, yield_now};
use crate::{BuildError, Handle, Placement, RECENT_BUSY_WINDOW, Runtime};

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

/// A task on worker 0 that yields in a loop, never parking its worker, until `stop`;
/// it reports on `busy` once it has been busy for five [`RECENT_BUSY_WINDOW`]s, then
/// runs `then` (on worker 0) once.
fn spin_on_worker_0<R: Runtime>(
    pool: &R,
    stop: &Arc<AtomicBool>,
    busy: mpsc::Sender<()>,
    then: impl FnOnce() + Send + 'static,
) -> crate::JoinHandle<()> {
    let stop = Arc::clone(stop);
    pool.handle()
        .spawn_on(0, async move {
            let start = Instant::now();
            let mut then = Some(then);
            while !stop.load(Ordering::Relaxed) {
                if then.is_some() && start.elapsed() >= 5 * RECENT_BUSY_WINDOW {
                    busy.send(()).unwrap();
                    (then.take().unwrap())();
                }
                yield_now().await;
            }
        })
        .unwrap()
}

/// `PowerOfTwoChoices`: with worker 0 busy (a task that yields in a loop, never
/// parking its worker) for five [`RECENT_BUSY_WINDOW`]s and worker 1 idle, at least
/// three quarters of 20 short tasks, each spawned once the previous one has run, go to
/// worker 1. (With two workers both are always compared, so in a quiet run all 20 do;
/// the margin absorbs an OS that keeps worker 1's thread off the CPU for many windows
/// on a loaded machine.) The tasks are spawned one at a time because a burst of
/// placements is bounded by live-task counts too: see
/// [`placement_uses_every_worker_in_a_burst`].
pub fn power_of_two_choices_avoids_busy_worker<R: Runtime>() {
    const SPAWNS: usize = 20;
    let pool: R = placed_pool(2, Placement::PowerOfTwoChoices);
    let stop = Arc::new(AtomicBool::new(false));
    let (busy_tx, busy_rx) = mpsc::channel();
    let spinner = spin_on_worker_0(&pool, &stop, busy_tx, || {});
    recv(&busy_rx, "the spinner to have been busy for five windows");
    let (tx, rx) = mpsc::channel();
    let mut on_idle = 0;
    for _ in 0..SPAWNS {
        let tx = tx.clone();
        let task = pool
            .spawn(async move { tx.send(R::current_worker()).unwrap() })
            .unwrap();
        if recv(&rx, "a placed task") == Some(1) {
            on_idle += 1;
        }
        futures::executor::block_on(task).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    futures::executor::block_on(spinner).unwrap();
    assert!(
        on_idle * 4 >= SPAWNS * 3,
        "only {on_idle} of {SPAWNS} spawns avoided the busy worker"
    );
    pool.shutdown_on_idle();
}

/// Every policy uses every worker under even load: 2 workers, worker 0 busy (as a
/// worker running an accept loop is during a connect burst) for five
/// [`RECENT_BUSY_WINDOW`]s, then spawning a burst of 100 long-lived tasks from worker 0
/// (the connections of the burst, through the pool's `spawn`, as an acceptor does).
/// Each task then does one equal unit of work (an echo), counted on its worker: the
/// busiest worker does at most 65% of them.
///
/// This is the harness's even-load placement run in miniature: before the live-task
/// bound, `PowerOfTwoChoices` placed every connection of the burst on the worker that
/// was not accepting, which then served 82–100% of the echoes.
pub fn placement_uses_every_worker_in_a_burst<R: Runtime>() {
    const BURST: usize = 100;
    for placement in POLICIES {
        let pool: R = placed_pool(2, placement);
        let stop = Arc::new(AtomicBool::new(false));
        let (busy_tx, busy_rx) = mpsc::channel();
        let (started, started_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<oneshot::Sender<()>>();
        let handle = pool.handle().clone();
        let spinner = spin_on_worker_0(&pool, &stop, busy_tx, move || {
            for _ in 0..BURST {
                let release = spawn_waiting::<_, R>(&handle, None, &started);
                release_tx.send(release).unwrap();
            }
        });
        recv(&busy_rx, "the acceptor to have been busy for five windows");
        let releases: Vec<_> = (0..BURST)
            .map(|_| recv(&release_rx, "a connection placed"))
            .collect();
        let mut echoes = [0usize; 2];
        for _ in 0..BURST {
            echoes[recv(&started_rx, "a connection's echo").expect("a worker index")] += 1;
        }
        drop(releases);
        stop.store(true, Ordering::Relaxed);
        futures::executor::block_on(spinner).unwrap();
        let busiest = echoes[0].max(echoes[1]);
        assert!(
            busiest * 100 <= BURST * 65,
            "{}, {placement:?}: the busiest worker did {busiest} of {BURST} echoes \
             ({echoes:?})",
            R::NAME
        );
        pool.shutdown_on_idle();
    }
}
