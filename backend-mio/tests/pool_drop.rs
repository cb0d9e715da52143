//! Dropping a pool with live tasks frees them: running, waiting on I/O or a timer,
//! spawned locally, or still queued and never started.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use backend_mio::{MioPool, TcpListener};
use pool_core::net::TcpListener as _;
use pool_core::{Builder, Handle, Runtime};
use support::{recv, DropFlag};

#[test]
fn dropping_a_pool_frees_its_live_tasks() {
    // Worker 1's before_stop hook runs after the pool has told every worker to stop.
    let (stopping_tx, stopping_rx) = mpsc::channel::<()>();
    let pool: MioPool = Builder::new()
        .pool_size(2)
        .name_prefix("drop-test-")
        .before_stop(move || {
            if std::thread::current().name() == Some("drop-test-2") {
                let _ = stopping_tx.send(());
            }
        })
        .build()
        .unwrap();
    let mut flags = Vec::new();
    let (started_tx, started_rx) = mpsc::channel();
    let mut started = 0;

    // Waiting forever.
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
        started += 1;
    }
    // Waiting on a timer.
    let (flag, guard) = DropFlag::new();
    flags.push(flag);
    let tx = started_tx.clone();
    pool.spawn(async move {
        let _guard = guard;
        tx.send(()).unwrap();
        backend_mio::sleep(Duration::from_secs(3600)).await;
    })
    .unwrap();
    started += 1;
    // Waiting on I/O, with a !Send child spawned locally.
    let (flag, guard) = DropFlag::new();
    flags.push(flag);
    let (child_flag, child_guard) = DropFlag::new();
    flags.push(child_flag);
    let tx = started_tx.clone();
    pool.spawn_pinned(move || async move {
        let _guard = guard;
        let _not_send = std::rc::Rc::new(());
        MioPool::spawn_local(async move {
            let _guard = child_guard;
            std::future::pending::<()>().await;
        })
        .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        tx.send(()).unwrap();
        let _ = listener.accept().await;
    })
    .unwrap();
    started += 1;
    for _ in 0..started {
        recv(&started_rx, "a task to start");
    }
    // Queued behind a busy worker and never started: still freed. Worker 0 is
    // deliberately blocked until the pool has told it to stop, so that the queued
    // task can only be dropped.
    let (blocked_tx, blocked_rx) = mpsc::channel();
    pool.handle()
        .spawn_on(0, async move {
            blocked_tx.send(()).unwrap();
            recv(&stopping_rx, "the pool to stop");
        })
        .unwrap();
    recv(&blocked_rx, "worker 0 to block");
    let (flag, guard) = DropFlag::new();
    flags.push(flag);
    let ran = Arc::new(AtomicBool::new(false));
    let r = Arc::clone(&ran);
    pool.handle()
        .spawn_on(0, async move {
            let _guard = guard;
            r.store(true, Ordering::SeqCst);
        })
        .unwrap();

    drop(pool);
    for (i, flag) in flags.iter().enumerate() {
        assert!(flag.load(Ordering::SeqCst), "task {i} was not freed");
    }
    assert!(
        !ran.load(Ordering::SeqCst),
        "the queued task ran after the stop"
    );
}
