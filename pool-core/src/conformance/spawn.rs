//! Placement and spawning: round-robin, child affinity, handles, pinned and local spawns,
//! `spawn_all`, and the panic policy.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::thread;

use super::support::{DropFlag, pool, recv, yield_now};
use crate::{Handle, Runtime, SpawnError, StreamSpawnError};

/// `N * k` spawns land exactly `k` on each of the `N` workers.
pub fn spawn_is_round_robin<R: Runtime>() {
    const WORKERS: usize = 3;
    const PER_WORKER: usize = 4;
    let pool: R = pool(WORKERS);
    let (tx, rx) = mpsc::channel();
    for _ in 0..WORKERS * PER_WORKER {
        let tx = tx.clone();
        pool.spawn(async move { tx.send(R::current_worker()).unwrap() })
            .unwrap();
    }
    let mut counts = [0usize; WORKERS];
    for _ in 0..WORKERS * PER_WORKER {
        let worker = recv(&rx, "a task's worker").expect("tasks run on a worker");
        counts[worker] += 1;
    }
    assert_eq!(counts, [PER_WORKER; WORKERS]);
    pool.shutdown_on_idle();
}

/// `spawn_on(i)` runs on worker `i`.
pub fn spawn_on_places_on_worker<R: Runtime>() {
    let pool: R = pool(3);
    let (tx, rx) = mpsc::channel();
    for worker in [2, 0, 1, 2] {
        let tx = tx.clone();
        pool.handle()
            .spawn_on(worker, async move {
                tx.send((worker, R::current_worker())).unwrap()
            })
            .unwrap();
    }
    for _ in 0..4 {
        let (asked, ran) = recv(&rx, "a placed task");
        assert_eq!(Some(asked), ran);
    }
    pool.shutdown_on_idle();
}

/// Children and grandchildren, `Send` or not, stay on the parent's worker.
pub fn children_stay_on_parent_worker<R: Runtime>() {
    let pool: R = pool(3);
    let (tx, rx) = mpsc::channel();
    for _ in 0..6 {
        let tx = tx.clone();
        pool.spawn(async move {
            let parent = R::current_worker();
            let child_tx = tx.clone();
            R::spawn_child(async move {
                let grandchild_tx = child_tx.clone();
                R::spawn_child(async move {
                    grandchild_tx.send((parent, R::current_worker())).unwrap();
                })
                .unwrap();
                child_tx.send((parent, R::current_worker())).unwrap();
            })
            .unwrap();
            R::spawn_local(async move {
                let _not_send = Rc::new(());
                yield_now().await;
                tx.send((parent, R::current_worker())).unwrap();
            })
            .unwrap();
        })
        .unwrap();
    }
    for _ in 0..18 {
        let (parent, child) = recv(&rx, "a child's worker");
        assert!(parent.is_some());
        assert_eq!(child, parent, "a child left its parent's worker");
    }
    pool.shutdown_on_idle();
}

/// On a runtime with affinity, tasks know their worker; without it, `current_worker` is
/// `None` and `spawn_local` says it is unsupported.
pub fn affinity_capability_is_consistent<R: Runtime>() {
    let pool: R = pool(2);
    let (worker, local) = pool.block_on(async {
        let local = R::spawn_local(async {});
        (R::current_worker(), local)
    });
    if R::CHILD_AFFINITY {
        assert!(worker.is_some());
        assert_eq!(local.map(drop), Ok(()));
    } else {
        assert_eq!(worker, None);
        assert!(
            matches!(local, Err(SpawnError::Unsupported(_))),
            "{local:?}"
        );
    }
    pool.shutdown_on_idle();
}

/// Local spawns off the pool are errors, not panics.
pub fn local_spawn_off_pool_errors<R: Runtime>() {
    let pool: R = pool(1);
    assert_eq!(
        R::spawn_local(async {}).err(),
        Some(SpawnError::NotOnWorker)
    );
    assert_eq!(
        R::spawn_child(async {}).err(),
        Some(SpawnError::NotOnWorker)
    );
    assert_eq!(R::current_worker(), None);
    pool.shutdown_now();
}

/// A clone of the handle spawns from a thread that is not a worker.
pub fn handle_spawn_from_foreign_thread<R: Runtime>() {
    let pool: R = pool(2);
    let handle = pool.handle().clone();
    let (tx, rx) = mpsc::channel();
    let spawner = thread::spawn(move || {
        for i in 0..10 {
            let tx = tx.clone();
            handle.spawn(async move { tx.send(i).unwrap() }).unwrap();
        }
    });
    spawner.join().unwrap();
    let mut got: Vec<i32> = (0..10).map(|_| recv(&rx, "a task")).collect();
    got.sort_unstable();
    assert_eq!(got, (0..10).collect::<Vec<_>>());
    pool.shutdown_on_idle();
}

/// A `Send` closure builds a `!Send` future on a worker.
pub fn spawn_pinned_runs_not_send<R: Runtime>() {
    let pool: R = pool(2);
    let (tx, rx) = mpsc::channel();
    pool.spawn_pinned(move || {
        let not_send = Rc::new(9);
        let built_on = R::current_worker();
        async move {
            yield_now().await;
            tx.send((*not_send, built_on, R::current_worker())).unwrap();
        }
    })
    .unwrap();
    let (value, built_on, ran_on) = recv(&rx, "the pinned task");
    assert_eq!(value, 9);
    if R::CHILD_AFFINITY {
        assert!(built_on.is_some(), "the closure did not run on a worker");
        assert_eq!(built_on, ran_on, "the pinned future moved");
    }
    pool.shutdown_on_idle();
}

/// A panic in a `spawn_pinned` closure follows the task panic policy: counted, and the
/// worker keeps serving.
pub fn spawn_pinned_panic_is_a_task_panic<R: Runtime>() {
    let pool: R = pool(1);
    let handle = pool.handle().clone();
    pool.spawn_pinned(|| -> std::future::Ready<()> {
        panic!("deliberate panic building a pinned task (conformance kit)")
    })
    .unwrap();
    let (tx, rx) = mpsc::channel();
    pool.spawn(async move { tx.send(()).unwrap() }).unwrap();
    recv(&rx, "a task after the panic");
    pool.shutdown_on_idle();
    assert_eq!(handle.task_panics(), 1);
}

/// `spawn_on` a worker the pool does not have is an error.
pub fn spawn_on_missing_worker_errors<R: Runtime>() {
    let pool: R = pool(2);
    assert_eq!(
        pool.handle().spawn_on(2, async {}).err(),
        Some(SpawnError::NoSuchWorker {
            worker: 2,
            pool_size: 2
        })
    );
    pool.shutdown_now();
}

/// Every spawn function returns `SpawnError::Shutdown` after shutdown.
pub fn spawn_after_shutdown_errors<R: Runtime>() {
    let pool: R = pool(2);
    let handle = pool.handle().clone();
    pool.shutdown_now();
    assert_eq!(handle.spawn(async {}).err(), Some(SpawnError::Shutdown));
    assert_eq!(
        handle.spawn_on(0, async {}).err(),
        Some(SpawnError::Shutdown)
    );
    assert_eq!(
        handle.spawn_pinned(|| async {}).err(),
        Some(SpawnError::Shutdown)
    );
}

/// `spawn_all` spawns the items before a stream error and stops at it.
pub fn spawn_all_stops_at_stream_error<R: Runtime>() {
    let pool: R = pool(2);
    let (tx, rx) = mpsc::channel();
    let item = |i: u32| {
        let tx = tx.clone();
        async move { tx.send(i).unwrap() }
    };
    let items = vec![Ok(item(1)), Err("boom"), Ok(item(2))];
    let handle = pool.handle().clone();
    let result = pool.block_on(async move { handle.spawn_all(futures::stream::iter(items)).await });
    assert_eq!(result, Err(StreamSpawnError::Stream("boom")));
    assert_eq!(result.unwrap_err().to_string(), "the stream failed: boom");
    pool.shutdown_on_idle();
    drop(tx);
    assert_eq!(
        rx.iter().collect::<Vec<_>>(),
        [1],
        "only the item before the error ran"
    );
}

/// Policy: a panicking task is dropped at the panic and counted; its worker keeps
/// serving other tasks.
pub fn panicking_task_leaves_worker_serving<R: Runtime>() {
    let pool: R = pool(1);
    let (dropped_tx, dropped_rx) = mpsc::channel();
    let (flag, guard) = DropFlag::new();
    pool.spawn(PanicOnPoll {
        _flag: guard,
        _notify: Notify(dropped_tx),
    })
    .unwrap();
    recv(&dropped_rx, "the panicked task to be dropped");
    assert!(flag.load(Ordering::SeqCst));
    assert_eq!(pool.handle().task_panics(), 1);
    let (tx, rx) = mpsc::channel();
    pool.spawn(async move { tx.send("still serving").unwrap() })
        .unwrap();
    assert_eq!(recv(&rx, "a task after the panic"), "still serving");
    pool.shutdown_on_idle();
}

/// Panics when polled. Its fields drop with the task, after the pool has seen the panic
/// (fields of a hand-written future are not dropped by the unwinding `poll`).
struct PanicOnPoll {
    _flag: DropFlag,
    _notify: Notify,
}

impl Future for PanicOnPoll {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        panic!("deliberate panic from the conformance kit");
    }
}

struct Notify(mpsc::Sender<()>);

impl Drop for Notify {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}
