//! Timers: sleeps fire in deadline order, timeouts cancel, and a cancelled sleep does
//! not wake its task.

mod support;

use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use backend_mio::{sleep, sleep_until, timeout, MioPool};
use pool_core::{Handle, Runtime};
use support::{pool, recv};

#[test]
fn timers_fire_in_deadline_order() {
    let pool = pool(1);
    let order = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::channel();
    let base = Instant::now() + Duration::from_millis(20);
    // Registered out of order, with two equal deadlines (registration order wins).
    let delays_ms = [50u64, 10, 40, 0, 30, 20, 30];
    for (i, ms) in delays_ms.into_iter().enumerate() {
        let (order, tx) = (Arc::clone(&order), tx.clone());
        pool.spawn(async move {
            sleep_until(base + Duration::from_millis(ms)).await;
            assert!(
                Instant::now() >= base + Duration::from_millis(ms),
                "fired early"
            );
            order.lock().unwrap().push(i);
            tx.send(()).unwrap();
        })
        .unwrap();
    }
    for _ in 0..delays_ms.len() {
        recv(&rx, "a timer");
    }
    assert_eq!(*order.lock().unwrap(), [3, 1, 5, 4, 6, 2, 0]);
    pool.shutdown_on_idle();
}

#[test]
fn sleep_waits_at_least_its_duration() {
    let pool = pool(2);
    let waited = pool.block_on(async {
        let start = Instant::now();
        sleep(Duration::from_millis(30)).await;
        start.elapsed()
    });
    assert!(waited >= Duration::from_millis(30), "{waited:?}");
    pool.shutdown_on_idle();
}

#[test]
fn timeout_expires_and_drops_the_future() {
    let pool = pool(1);
    let (flag, guard) = support::DropFlag::new();
    let result = pool.block_on(async move {
        timeout(Duration::from_millis(5), async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        })
        .await
    });
    assert!(result.is_err());
    assert!(flag.load(std::sync::atomic::Ordering::SeqCst));
    let fast = pool.block_on(timeout(Duration::from_secs(60), async { 3 }));
    assert_eq!(fast, Ok(3));
    pool.shutdown_on_idle();
}

#[test]
fn cancelled_sleep_leaves_the_worker_idle_and_correct() {
    let pool = pool(1);
    // A long sleep dropped early must not keep its entry, and a short one still fires.
    let fired = pool.block_on(async {
        let long = sleep(Duration::from_secs(3600));
        let _ = timeout(Duration::from_millis(1), long).await;
        sleep(Duration::from_millis(2)).await;
        true
    });
    assert!(fired);
    pool.shutdown_on_idle();
}

#[test]
fn a_sleep_moved_to_another_worker_registers_there() {
    let pool = pool(2);
    let (tx, rx) = mpsc::channel();
    let handle = pool.handle().clone();
    pool.handle()
        .spawn_on(0, async move {
            let mut s = Box::pin(sleep(Duration::from_millis(20)));
            // Register on worker 0, then hand the half-polled sleep to worker 1.
            let _ = futures::poll!(s.as_mut());
            handle
                .spawn_on(1, async move {
                    s.await;
                    tx.send(MioPool::current_worker()).unwrap();
                })
                .unwrap();
        })
        .unwrap();
    assert_eq!(recv(&rx, "the moved sleep"), Some(1));
    pool.shutdown_on_idle();
}
