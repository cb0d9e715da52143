//! Start-up and shutdown: names, hooks, validation, all-or-nothing start-up,
//! `block_on`, `shutdown_on_idle`, `shutdown_now`, and `Drop`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use futures::channel::oneshot;

use super::support::{DropFlag, pool, recv};
use crate::backend::{BLOCK_ON_IN_WORKER, SHUTDOWN_ON_IDLE_IN_WORKER};
use crate::{BuildError, Builder, Handle, Pinning, Runtime};

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

/// Workers are named `{prefix}{i}`, `i` from 1, and tasks run on them.
pub fn thread_names<R: Runtime>() {
    let names = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&names);
    let pool: R = Builder::new()
        .pool_size(3)
        .name_prefix("kit-name-")
        .after_start(move || {
            let name = thread::current().name().map(String::from);
            recorded.lock().unwrap().push(name.unwrap_or_default());
        })
        .build()
        .unwrap();
    let mut names = names.lock().unwrap().clone();
    names.sort();
    assert_eq!(names, ["kit-name-1", "kit-name-2", "kit-name-3"]);
    let task_thread = pool.block_on(async { thread::current().name().map(String::from) });
    assert!(task_thread.unwrap_or_default().starts_with("kit-name-"));
    pool.shutdown_on_idle();
}

/// `after_start` has run once per worker when `build` returns; `before_stop` once per
/// worker when shutdown returns.
pub fn hooks_run_once_per_worker<R: Runtime>() {
    let started = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicUsize::new(0));
    let (s, t) = (Arc::clone(&started), Arc::clone(&stopped));
    let mut builder = Builder::new();
    builder
        .pool_size(3)
        .after_start(move || {
            s.fetch_add(1, Ordering::SeqCst);
        })
        .before_stop(move || {
            t.fetch_add(1, Ordering::SeqCst);
        });
    let pool: R = builder.build().unwrap();
    assert_eq!(started.load(Ordering::SeqCst), 3);
    assert_eq!(stopped.load(Ordering::SeqCst), 0);
    pool.shutdown_now();
    assert_eq!(stopped.load(Ordering::SeqCst), 3);
    // The builder is reusable.
    let again: R = builder.build().unwrap();
    assert_eq!(started.load(Ordering::SeqCst), 6);
    drop(again);
    assert_eq!(stopped.load(Ordering::SeqCst), 6);
}

/// `pool_size(0)` is an error, not a panic.
pub fn pool_size_zero_errors<R: Runtime>() {
    let err = Builder::new().pool_size(0).build::<R>().unwrap_err();
    assert!(matches!(err, BuildError::ZeroPoolSize), "{err:?}");
    assert_eq!(err.to_string(), "pool size must be at least 1");
}

/// Pinning to a CPU the process may not use is an error naming the CPU.
pub fn pinning_to_missing_cpu_errors<R: Runtime>() {
    let err = Builder::new()
        .pool_size(1)
        .pinning(Pinning::Cpus(vec![usize::MAX]))
        .build::<R>()
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::NoSuchCpu {
                cpu: usize::MAX,
                ..
            }
        ),
        "{err:?}"
    );
}

/// If one worker fails to start, `build` fails and the workers already started have
/// stopped (their `before_stop` ran) by the time it returns.
pub fn failed_start_tears_down_started_workers<R: Runtime>() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicUsize::new(0));
    let (a, s, t) = (
        Arc::clone(&attempts),
        Arc::clone(&started),
        Arc::clone(&stopped),
    );
    let result = Builder::new()
        .pool_size(3)
        .after_start(move || {
            if a.fetch_add(1, Ordering::SeqCst) == 1 {
                panic!("deliberate after_start failure from the conformance kit");
            }
            s.fetch_add(1, Ordering::SeqCst);
        })
        .before_stop(move || {
            t.fetch_add(1, Ordering::SeqCst);
        })
        .build::<R>();
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::HookPanicked {
                hook: "after_start",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.load(Ordering::SeqCst) >= 1);
    assert_eq!(
        stopped.load(Ordering::SeqCst),
        started.load(Ordering::SeqCst)
    );
}

/// `block_on` returns the future's output and resumes its panic on the caller.
pub fn block_on_returns_value<R: Runtime>() {
    let pool: R = pool(2);
    assert_eq!(pool.block_on(async { 6 * 7 }), 42);
    let result = catch_unwind(AssertUnwindSafe(|| {
        pool.block_on(async { panic!("deliberate block_on panic") })
    }));
    let payload = result.expect_err("the panic reaches the caller");
    assert_eq!(panic_message(&*payload), "deliberate block_on panic");
    assert_eq!(pool.block_on(async { "still usable" }), "still usable");
    pool.shutdown_on_idle();
}

/// `block_on` called from a worker panics with a clear message.
pub fn block_on_inside_worker_panics<R: Runtime>() {
    let pool = Arc::new(pool::<R>(2));
    let inner = Arc::clone(&pool);
    let (tx, rx) = mpsc::channel();
    pool.spawn(async move {
        let result = catch_unwind(AssertUnwindSafe(|| inner.block_on(async {})));
        let message = result.err().map(|p| panic_message(&*p));
        drop(inner);
        tx.send(message).unwrap();
    })
    .unwrap();
    let message = recv(&rx, "the nested block_on");
    assert_eq!(message.as_deref(), Some(BLOCK_ON_IN_WORKER));
}

/// `shutdown_on_idle` returns only after every task has finished.
pub fn shutdown_on_idle_waits_for_tasks<R: Runtime>() {
    let pool: R = pool(2);
    let (release_tx, release_rx) = oneshot::channel::<()>();
    let finished = Arc::new(AtomicBool::new(false));
    let completed = Arc::clone(&finished);
    let (started_tx, started_rx) = mpsc::channel();
    pool.spawn(async move {
        started_tx.send(()).unwrap();
        let _ = release_rx.await;
        // Set only on completion (a dropped task would not get here).
        completed.store(true, Ordering::SeqCst);
    })
    .unwrap();
    recv(&started_rx, "the task to start");
    let (returned_tx, returned_rx) = mpsc::channel();
    let shutdown = thread::spawn(move || {
        pool.shutdown_on_idle();
        returned_tx.send(()).unwrap();
    });
    // Absence check: with the task still pending, shutdown must not return.
    assert!(
        returned_rx
            .recv_timeout(Duration::from_millis(200))
            .is_err(),
        "shutdown_on_idle returned while a task was pending"
    );
    release_tx.send(()).unwrap();
    recv(&returned_rx, "shutdown_on_idle to return");
    assert!(finished.load(Ordering::SeqCst));
    shutdown.join().unwrap();
}

/// `shutdown_on_idle` from one of the pool's own workers panics with a clear message.
pub fn shutdown_on_idle_inside_worker_panics<R: Runtime>() {
    let pool: R = pool(1);
    let handle = pool.handle().clone();
    let (pool_tx, pool_rx) = mpsc::sync_channel::<R>(1);
    let (tx, rx) = mpsc::channel();
    handle
        .spawn(async move {
            let pool = pool_rx.recv().unwrap();
            let result = catch_unwind(AssertUnwindSafe(|| pool.shutdown_on_idle()));
            tx.send(result.err().map(|p| panic_message(&*p))).unwrap();
        })
        .unwrap();
    pool_tx.send(pool).unwrap();
    let message = recv(&rx, "the nested shutdown_on_idle");
    assert_eq!(message.as_deref(), Some(SHUTDOWN_ON_IDLE_IN_WORKER));
}

/// `shutdown_now` drops unfinished tasks (their state is freed) without running them on.
pub fn shutdown_now_drops_pending_tasks<R: Runtime>() {
    let pool: R = pool(2);
    let (started_tx, started_rx) = mpsc::channel();
    let mut flags = Vec::new();
    for _ in 0..4 {
        let (flag, guard) = DropFlag::new();
        flags.push(flag);
        let started_tx = started_tx.clone();
        pool.spawn(async move {
            let _guard = guard;
            started_tx.send(()).unwrap();
            std::future::pending::<()>().await;
        })
        .unwrap();
    }
    for _ in 0..4 {
        recv(&started_rx, "a task to start");
    }
    pool.shutdown_now();
    assert!(
        flags.iter().all(|f| f.load(Ordering::SeqCst)),
        "a pending task was not dropped"
    );
}

/// Dropping the pool while its last owner is a task on one of its workers neither
/// deadlocks nor panics.
pub fn drop_on_own_worker_does_not_deadlock<R: Runtime>() {
    let pool = Arc::new(pool::<R>(2));
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel();
    let last_owner = Arc::clone(&pool);
    pool.spawn(async move {
        let _ = go_rx.await;
        drop(last_owner);
        done_tx.send(()).unwrap();
    })
    .unwrap();
    drop(pool);
    go_tx.send(()).unwrap();
    recv(&done_rx, "the task that dropped the pool");
}
