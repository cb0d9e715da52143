//! Join handles: outputs, panics, aborts, detaching, and awaiting from anywhere.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use futures::executor::block_on;

use super::support::{DropFlag, pool, recv, yield_now};
use crate::{Handle, JoinError, Runtime};

#[track_caller]
fn cancelled<T: std::fmt::Debug>(result: Result<T, JoinError>, what: &str) {
    match result {
        Err(e) => assert!(e.is_cancelled(), "{what}: expected a cancellation, got {e}"),
        Ok(v) => panic!("{what}: expected a cancellation, got the output {v:?}"),
    }
}

/// Every spawn function returns a handle that delivers the task's output: `spawn`,
/// `spawn_on`, `spawn_pinned` (with a `!Send` future) and `spawn_child`, awaited from a
/// plain thread and from inside a task.
pub fn join_handle_delivers_output<R: Runtime>() {
    let pool: R = pool(2);
    let handle = pool.handle();
    assert_eq!(block_on(handle.spawn(async { 1 }).unwrap()).unwrap(), 1);
    assert_eq!(
        block_on(handle.spawn_on(1, async { 2 }).unwrap()).unwrap(),
        2
    );
    let pinned = handle
        .spawn_pinned(|| {
            let not_send = std::rc::Rc::new(3);
            async move {
                yield_now().await;
                *not_send
            }
        })
        .unwrap();
    assert_eq!(block_on(pinned).unwrap(), 3);
    let child = pool.block_on(async {
        let child = R::spawn_child(async { String::from("four") }).unwrap();
        child.await.unwrap()
    });
    assert_eq!(child, "four");
    pool.shutdown_on_idle();
}

/// `spawn_local` gives a handle to a `!Send` output on the worker.
pub fn join_handle_of_local_task<R: Runtime>() {
    let pool: R = pool(1);
    let task = pool
        .spawn_pinned(|| async {
            let local = R::spawn_local(async { std::rc::Rc::new(5) }).unwrap();
            *local.await.unwrap()
        })
        .unwrap();
    assert_eq!(block_on(task).unwrap(), 5);
    pool.shutdown_on_idle();
}

/// A panic reaches the handle as [`JoinError::is_panic`] with its payload, still counts
/// in `task_panics`, and leaves the worker serving.
pub fn join_handle_reports_panic<R: Runtime>() {
    let pool: R = pool(1);
    let task = pool
        .spawn(async {
            panic!("kit: a deliberate task panic");
        })
        .unwrap();
    let err = block_on(task).unwrap_err();
    assert!(err.is_panic(), "expected a panic, got {err}");
    assert!(err.to_string().contains("kit: a deliberate task panic"));
    let payload = err.into_panic();
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"kit: a deliberate task panic")
    );
    assert_eq!(pool.handle().task_panics(), 1);
    assert_eq!(block_on(pool.spawn(async { 9 }).unwrap()).unwrap(), 9);
    pool.shutdown_on_idle();
}

/// A task aborted before its first poll never runs, and its handle reports it
/// cancelled.
pub fn abort_before_first_poll<R: Runtime>() {
    let pool: R = pool(1);
    let ran = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&ran);
    let result = pool.block_on(async move {
        // The only worker runs this task until it awaits, so the child waits in the
        // queue while it is aborted.
        let child = R::spawn_child(async move { flag.store(true, Ordering::SeqCst) }).unwrap();
        child.abort();
        child.await
    });
    cancelled(result, "a task aborted before its first poll");
    pool.shutdown_on_idle();
    assert!(!ran.load(Ordering::SeqCst), "an aborted task ran");
}

/// A pending task, aborted, is dropped (on its worker) and reported cancelled.
pub fn abort_while_pending<R: Runtime>() {
    let pool: R = pool(2);
    let (dropped, guard) = DropFlag::new();
    let (started_tx, started_rx) = mpsc::channel();
    let task = pool
        .spawn(async move {
            let _guard = guard;
            started_tx.send(()).unwrap();
            std::future::pending::<()>().await;
        })
        .unwrap();
    recv(&started_rx, "the task to start");
    assert!(!task.is_finished());
    task.abort();
    let result = block_on(task);
    cancelled(result, "a pending task aborted");
    assert!(
        dropped.load(Ordering::SeqCst),
        "an aborted task was not dropped"
    );
    pool.shutdown_on_idle();
}

/// Aborting a finished task changes nothing: its output stays.
pub fn abort_after_completion<R: Runtime>() {
    let pool: R = pool(1);
    let task = pool.spawn(async { 8 }).unwrap();
    let handle = pool.handle().clone();
    pool.shutdown_on_idle();
    assert!(task.is_finished());
    task.abort();
    assert_eq!(block_on(task).unwrap(), 8);
    assert_eq!(handle.task_panics(), 0);
}

/// Dropping a handle detaches the task: it runs to the end.
pub fn dropped_handle_detaches<R: Runtime>() {
    let pool: R = pool(2);
    let (go_tx, go_rx) = futures::channel::oneshot::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel();
    drop(
        pool.spawn(async move {
            go_rx.await.unwrap();
            done_tx.send(7).unwrap();
        })
        .unwrap(),
    );
    go_tx.send(()).unwrap();
    assert_eq!(recv(&done_rx, "the detached task"), 7);
    pool.shutdown_on_idle();
}

/// `shutdown_now` drops unfinished tasks; their handles report them cancelled.
pub fn shutdown_now_cancels_tasks<R: Runtime>() {
    let pool: R = pool(2);
    let (started_tx, started_rx) = mpsc::channel();
    let task = pool
        .spawn(async move {
            started_tx.send(()).unwrap();
            std::future::pending::<()>().await;
        })
        .unwrap();
    recv(&started_rx, "the task to start");
    pool.shutdown_now();
    cancelled(block_on(task), "a task still running at shutdown_now");
}

/// A handle can be awaited inside a task of another pool, and from a plain thread.
pub fn join_from_another_pool_and_a_thread<R: Runtime>() {
    let first: R = pool(1);
    let a = first.spawn(async { 11 }).unwrap();
    let b = first.spawn(async { 12 }).unwrap();
    let second: R = pool(1);
    assert_eq!(second.block_on(async move { a.await.unwrap() }), 11);
    let from_thread = std::thread::spawn(move || block_on(b).unwrap());
    assert_eq!(from_thread.join().unwrap(), 12);
    second.shutdown_on_idle();
    first.shutdown_on_idle();
}
