//! 10,000 concurrent tasks, all alive at once, across and within workers.

mod support;

use std::sync::mpsc;

use futures::channel::oneshot;
use pool_core::{Handle, Runtime};
use support::{pool, recv};

const TASKS: usize = 10_000;

#[test]
fn ten_thousand_concurrent_tasks() {
    let pool = pool(2);
    let (started_tx, started_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    let mut releases = Vec::with_capacity(TASKS);
    for i in 0..TASKS {
        let (release_tx, release_rx) = oneshot::channel::<usize>();
        releases.push(release_tx);
        let (started_tx, done_tx) = (started_tx.clone(), done_tx.clone());
        pool.spawn(async move {
            started_tx.send(()).unwrap();
            let got = release_rx.await.unwrap();
            done_tx.send(got == i).unwrap();
        })
        .unwrap();
    }
    // Every task is running and waiting at once.
    for _ in 0..TASKS {
        recv(&started_rx, "a task to start");
    }
    for (i, release) in releases.into_iter().enumerate() {
        release.send(i).unwrap();
    }
    for _ in 0..TASKS {
        assert!(
            recv(&done_rx, "a task to finish"),
            "a task got another's value"
        );
    }
    pool.shutdown_on_idle();
}

#[test]
fn ten_thousand_local_children_of_one_task() {
    let pool = pool(2);
    let (tx, rx) = mpsc::channel();
    pool.handle()
        .spawn_on(1, async move {
            let (done_tx, mut done_rx) = futures::channel::mpsc::unbounded();
            for i in 0..TASKS {
                let done_tx = done_tx.clone();
                backend_mio::MioPool::spawn_local(async move {
                    backend_mio::sleep(std::time::Duration::from_millis((i % 7) as u64)).await;
                    done_tx
                        .unbounded_send(backend_mio::MioPool::current_worker())
                        .unwrap();
                })
                .unwrap();
            }
            drop(done_tx);
            let mut count = 0;
            use futures::StreamExt;
            while let Some(worker) = done_rx.next().await {
                assert_eq!(worker, Some(1));
                count += 1;
            }
            tx.send(count).unwrap();
        })
        .unwrap();
    assert_eq!(recv(&rx, "the children"), TASKS);
    pool.shutdown_on_idle();
}
