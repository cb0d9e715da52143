//! Park policies on the mio backend: a worker that spins, or never parks, still runs
//! timers, sees wakes and spawns from other threads at once, and shuts down.

mod support;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use backend_mio::MioPool;
use pool_core::{Builder, Handle, ParkPolicy, Runtime};
use support::recv;

fn pool(policy: ParkPolicy) -> MioPool {
    Builder::new()
        .pool_size(2)
        .name_prefix("mio-park-")
        .park_policy(policy)
        .build()
        .expect("build a mio pool")
}

fn policies() -> [ParkPolicy; 2] {
    [
        ParkPolicy::Spin(Duration::from_micros(100)),
        ParkPolicy::Never,
    ]
}

/// Timers fire on time while the worker spins instead of blocking until them.
#[test]
fn timers_fire_while_spinning() {
    for policy in policies() {
        let pool = pool(policy.clone());
        let waited = pool.block_on(async {
            let start = Instant::now();
            MioPool::sleep(Duration::from_millis(5)).await;
            start.elapsed()
        });
        assert!(
            waited >= Duration::from_millis(5),
            "{policy:?}: early {waited:?}"
        );
        assert!(
            waited < Duration::from_secs(5),
            "{policy:?}: late {waited:?}"
        );
        pool.shutdown_now();
    }
}

/// Wakes from another thread reach a spinning worker (which does not sleep, so its
/// remotes never write its eventfd).
#[test]
fn cross_thread_wakes_while_spinning() {
    for policy in policies() {
        let pool = pool(policy.clone());
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let task = pool.spawn(async move { rx.await.unwrap() }).unwrap();
        let waker = std::thread::spawn(move || tx.send(9).unwrap());
        waker.join().unwrap();
        assert_eq!(futures::executor::block_on(task).unwrap(), 9, "{policy:?}");
        // A spawn from this thread, while the workers spin idle.
        let (done_tx, done_rx) = mpsc::channel();
        pool.handle()
            .spawn_on(1, async move { done_tx.send(()).unwrap() })
            .unwrap();
        recv(&done_rx, "a spawn onto a spinning worker");
        pool.shutdown_now();
    }
}

/// A worker that never parks still stops, at shutdown_on_idle as at shutdown_now, and
/// counts no park while idle.
#[test]
fn never_parking_worker_shuts_down() {
    let pool = pool(ParkPolicy::Never);
    pool.block_on(async {});
    let handle = pool.handle().clone();
    let before = handle.metrics().workers[0].parks;
    pool.block_on(MioPool::sleep(Duration::from_millis(20)));
    assert_eq!(
        handle.metrics().workers[0].parks,
        before,
        "a Never worker parked"
    );
    pool.shutdown_on_idle();
    let pool = self::pool(ParkPolicy::Never);
    pool.spawn(std::future::pending::<()>()).unwrap();
    pool.shutdown_now();
}
