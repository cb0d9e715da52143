//! The stall detector: a blocked worker is reported once and counted; short polls and
//! pools without a detector count nothing.

use std::sync::{Mutex, mpsc};
use std::time::Duration;

use super::support::{PATIENCE, builder, pool, recv, yield_now};
use crate::{Handle, Runtime, StallReport};

/// A pool of `n` workers whose stall reports arrive on the returned receiver.
fn watched_pool<R: Runtime>(n: usize, threshold: Duration) -> (R, mpsc::Receiver<StallReport>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let pool = builder(n)
        .stall_detector(threshold)
        .on_stall(move |report| {
            let _ = tx.lock().unwrap().send(report.clone());
        })
        .build()
        .unwrap_or_else(|e| panic!("building a {} pool with a stall detector: {e}", R::NAME));
    (pool, rx)
}

/// A task that blocks worker 1 for 200 ms (`std::thread::sleep`, deliberately: the one
/// place the kit blocks a worker) under a 50 ms threshold is reported once, with the
/// right worker and an elapsed time of at least the threshold, and counted once in
/// worker 1's metrics; worker 0 counts none.
///
/// The task keeps blocking after its 200 ms until the report has arrived, so a
/// watchdog thread that a loaded machine keeps off the CPU cannot make it miss.
pub fn stall_is_reported_and_counted<R: Runtime>() {
    const THRESHOLD: Duration = Duration::from_millis(50);
    let (pool, reports) = watched_pool::<R>(2, THRESHOLD);
    let (seen_tx, seen_rx) = mpsc::channel::<()>();
    let blocker = pool
        .handle()
        .spawn_on(1, async move {
            std::thread::sleep(Duration::from_millis(200));
            // Not a synchronisation sleep: the stall itself. Keep it until seen.
            let _ = seen_rx.recv_timeout(PATIENCE);
        })
        .unwrap();
    let report = recv(&reports, "a stall report");
    seen_tx.send(()).unwrap();
    futures::executor::block_on(blocker).unwrap();
    assert_eq!(report.worker, 1);
    assert_eq!(report.thread_name, "kit-2");
    assert_eq!(report.threshold, THRESHOLD);
    assert!(report.elapsed >= THRESHOLD, "{report}");
    assert!(report.elapsed < PATIENCE, "{report}");
    assert!(report.to_string().contains("worker 1"), "{report}");
    let metrics = pool.metrics();
    assert_eq!(metrics.workers[1].stalls, Some(1));
    assert_eq!(metrics.workers[0].stalls, Some(0));
    // The stalled poll has ended: no second report for it can come.
    assert!(reports.try_recv().is_err(), "a stall reported twice");
    pool.shutdown_on_idle();
}

/// Thousands of short polls under a detector with a 500 ms threshold are not stalls.
pub fn short_polls_are_not_stalls<R: Runtime>() {
    let (pool, reports) = watched_pool::<R>(2, Duration::from_millis(500));
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            pool.spawn(async {
                for _ in 0..10 {
                    yield_now().await;
                }
            })
            .unwrap()
        })
        .collect();
    for task in tasks {
        futures::executor::block_on(task).unwrap();
    }
    let metrics = pool.metrics();
    assert!(
        metrics.workers.iter().all(|w| w.stalls == Some(0)),
        "{metrics:?}"
    );
    assert!(
        metrics
            .workers
            .iter()
            .map(|w| w.polls.unwrap())
            .sum::<u64>()
            >= 200 * 11
    );
    assert!(reports.try_recv().is_err());
    pool.shutdown_on_idle();
}

/// Without a stall detector the pool counts no stalls: `stalls` is `None`, not
/// measured.
pub fn no_stall_detector_counts_no_stalls<R: Runtime>() {
    let pool: R = pool(2);
    pool.block_on(async {});
    assert!(pool.metrics().workers.iter().all(|w| w.stalls.is_none()));
    pool.shutdown_on_idle();
}
