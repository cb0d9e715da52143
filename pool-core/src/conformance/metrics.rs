//! Worker metrics and bounded shutdown.

use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use futures::executor::block_on;

use super::support::{DropFlag, PATIENCE, pool, recv, yield_now};
use crate::{BuildError, Builder, Handle, Runtime, WorkerMetrics};

fn worker(metrics: &crate::PoolMetrics, i: usize) -> &WorkerMetrics {
    &metrics.workers[i]
}

/// Per-thread pools count, per worker, the tasks spawned there, their polls and the
/// live ones.
pub fn metrics_count_tasks_per_worker<R: Runtime>() {
    let pool: R = pool(2);
    let handle = pool.handle().clone();
    let before = handle.metrics();
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            handle
                .spawn_on(1, async {
                    yield_now().await;
                })
                .unwrap()
        })
        .collect();
    for task in tasks {
        block_on(task).unwrap();
    }
    pool.shutdown_on_idle();
    let after = handle.metrics();
    let spawned = |m: &crate::PoolMetrics, i| worker(m, i).spawned.expect("spawned");
    let polls = |m: &crate::PoolMetrics, i| worker(m, i).polls.expect("polls");
    assert_eq!(spawned(&after, 1) - spawned(&before, 1), 10);
    assert_eq!(spawned(&after, 0), spawned(&before, 0));
    assert!(polls(&after, 1) - polls(&before, 1) >= 20, "{after:?}");
    for w in &after.workers {
        assert_eq!(w.live_tasks, Some(0), "{w:?}");
    }
    assert_eq!(after.live_tasks, 0);
}

/// Per-thread pools report the tasks queued for a worker.
pub fn metrics_show_queue_depth<R: Runtime>() {
    let pool: R = pool(1);
    let handle = pool.handle().clone();
    let depth = pool.block_on(async move {
        // This task holds the only worker, so the spawns below wait in its queue.
        let queued: Vec<_> = (0..100)
            .map(|_| handle.spawn_on(0, async {}).unwrap())
            .collect();
        let depth = handle.metrics().workers[0].queue_depth;
        for task in queued {
            task.await.unwrap();
        }
        depth
    });
    let depth = depth.expect("a per-thread pool reports its queue depth");
    assert!(depth >= 100, "queue depth {depth}, with 100 tasks queued");
    pool.shutdown_on_idle();
}

/// Every runtime measures busy time and parks: a worker that works then idles has
/// more of both, and no more busy time than time passed.
pub fn metrics_measure_busy_and_parks<R: Runtime>() {
    let pool: R = pool(1);
    let started = Instant::now();
    let before = pool.handle().metrics();
    pool.block_on(async {
        for _ in 0..2_000 {
            yield_now().await;
        }
    });
    // Idle a while: the worker parks (after its spin window, if it spins). A park is
    // counted when it ends, so each round ends with a wake-up; on a loaded machine a
    // spinning worker may see its timer due before its window ends, hence the rounds.
    let mut after = pool.handle().metrics();
    for _ in 0..50 {
        if worker(&after, 0).parks > worker(&before, 0).parks {
            break;
        }
        pool.block_on(R::sleep(Duration::from_millis(20)));
        after = pool.handle().metrics();
    }
    let (b, a) = (worker(&before, 0), worker(&after, 0));
    let busy = a.busy.expect("busy time") - b.busy.expect("busy time");
    let parks = a.parks.expect("parks") - b.parks.expect("parks");
    assert!(busy > Duration::ZERO, "no busy time: {a:?}");
    assert!(
        a.busy.unwrap() <= started.elapsed() + pool_age_slack(),
        "{a:?}"
    );
    assert!(parks >= 1, "the worker never parked: {a:?}");
    pool.shutdown_on_idle();
}

/// Busy time counts from the worker's start, a little before `build` returned.
fn pool_age_slack() -> Duration {
    Duration::from_secs(1)
}

/// `shutdown_timeout` waits for a task that finishes in time, and returns 0.
pub fn shutdown_timeout_waits_for_idle<R: Runtime>() {
    let pool: R = pool(1);
    let task = pool
        .spawn(async {
            R::sleep(Duration::from_millis(5)).await;
            3
        })
        .unwrap();
    assert_eq!(pool.shutdown_timeout(PATIENCE), 0);
    assert_eq!(block_on(task).unwrap(), 3);
}

/// `shutdown_timeout` stops what is still running at the deadline, says how much
/// that was, and cancels it.
pub fn shutdown_timeout_stops_stuck_tasks<R: Runtime>() {
    let pool: R = pool(2);
    let (dropped, guard) = DropFlag::new();
    let (started_tx, started_rx) = mpsc::channel();
    let stuck = pool
        .spawn(async move {
            let _guard = guard;
            started_tx.send(()).unwrap();
            std::future::pending::<()>().await;
        })
        .unwrap();
    let quick = pool.spawn(async { 1 }).unwrap();
    recv(&started_rx, "the stuck task to start");
    let start = Instant::now();
    let live = pool.shutdown_timeout(Duration::from_millis(50));
    let took = start.elapsed();
    assert_eq!(live, 1, "one task was stuck");
    assert!(
        took >= Duration::from_millis(50),
        "returned before the deadline"
    );
    assert!(took < PATIENCE, "took {took:?}");
    assert!(
        dropped.load(Ordering::SeqCst),
        "the stuck task was not dropped"
    );
    assert!(block_on(stuck).unwrap_err().is_cancelled());
    assert_eq!(block_on(quick).unwrap(), 1);
}

/// `from_config` checks the configuration itself: an invalid one is a
/// [`BuildError`], not a panic.
pub fn from_config_rejects_invalid_config<R: Runtime>() {
    let mut config = Builder::new().config().clone();
    config.pool_size = 0;
    assert!(matches!(
        R::from_config(config),
        Err(BuildError::ZeroPoolSize)
    ));
}
