//! The six tests of the original `tokio-io-pool` crate, on the pool-core API.

use std::rc::Rc;
use std::sync::mpsc;
use std::thread;

use futures::StreamExt;
use futures::channel::oneshot;

use super::support::{echo, echo_client, pool, recv, yield_now};
use crate::net::{TcpListener, bind_listener};
use crate::{Handle, Runtime};

/// A task sends on a oneshot; `block_on` of the receiver gets the value.
pub fn oneshot_round_trip<R: Runtime>() {
    let pool: R = pool(2);
    let (tx, rx) = oneshot::channel();
    pool.spawn(async move { tx.send(42).unwrap() }).unwrap();
    assert_eq!(pool.block_on(rx), Ok(42));
    pool.shutdown_on_idle();
}

/// With one worker, `spawn_all` over a stream of accepted connections serves an echo.
pub fn spawn_all_echo_one_worker<R: Runtime>() {
    let pool: R = pool(1);
    let listener = bind_listener("127.0.0.1:0".parse().unwrap(), 128).unwrap();
    let addr = listener.local_addr().unwrap();
    let client = thread::spawn(move || echo_client(addr, 1, 10_000));
    let handle = pool.handle().clone();
    let served = pool.block_on(async move {
        let listener = R::TcpListener::from_std(listener).expect("register the listener");
        let connections = futures::stream::unfold(listener, |listener| async move {
            let next = listener.accept().await.map(|(stream, _)| async move {
                echo(stream).await.expect("echo");
            });
            Some((next, listener))
        });
        handle.spawn_all(connections.take(1)).await
    });
    served.expect("spawn_all over one connection");
    client.join().expect("echo client");
    pool.shutdown_on_idle();
}

/// `run` serves one echo connection and returns.
pub fn run_echo<R: Runtime>() {
    let listener = bind_listener("127.0.0.1:0".parse().unwrap(), 128).unwrap();
    let addr = listener.local_addr().unwrap();
    let client = thread::spawn(move || echo_client(addr, 2, 10_000));
    let served = crate::run::<R, _>(async move {
        let listener = R::TcpListener::from_std(listener)?;
        let (stream, _) = listener.accept().await?;
        echo(stream).await
    });
    served.expect("build").expect("echo");
    client.join().expect("echo client");
}

/// A task on one worker is woken by a task on the other.
pub fn cross_worker_wakeup<R: Runtime>() {
    let pool: R = pool(2);
    let (tx, rx) = oneshot::channel::<Option<usize>>();
    let (done_tx, done_rx) = mpsc::channel();
    pool.spawn(async move {
        let sender = rx.await.expect("sender dropped");
        done_tx.send((sender, R::current_worker())).unwrap();
    })
    .unwrap();
    pool.spawn(async move { tx.send(R::current_worker()).unwrap() })
        .unwrap();
    let (sender, receiver) = recv(&done_rx, "the woken task");
    if R::CHILD_AFFINITY {
        assert_eq!(
            (receiver, sender),
            (Some(0), Some(1)),
            "tasks on distinct workers"
        );
    }
    pool.shutdown_on_idle();
}

/// A `!Send` child spawned with `spawn_local` runs on its parent's worker.
pub fn local_spawn_not_send<R: Runtime>() {
    let pool: R = pool(2);
    let (tx, rx) = mpsc::channel();
    pool.spawn(async move {
        let parent = R::current_worker();
        R::spawn_local(async move {
            let not_send = Rc::new(5);
            yield_now().await;
            tx.send((*not_send, parent, R::current_worker())).unwrap();
        })
        .expect("spawn_local on a worker");
    })
    .unwrap();
    let (value, parent, child) = recv(&rx, "the !Send child");
    assert_eq!(value, 5);
    assert_eq!(child, parent);
    assert!(child.is_some());
    pool.shutdown_on_idle();
}

/// `run` of a future that spawns a child and returns at once waits for the child.
pub fn run_waits_for_child<R: Runtime>() {
    let (tx, rx) = mpsc::channel();
    crate::run::<R, _>(async move {
        R::spawn_child(async move {
            for _ in 0..10 {
                yield_now().await;
            }
            tx.send(()).unwrap();
        })
        .expect("spawn_child inside run");
    })
    .expect("build");
    assert_eq!(
        rx.try_recv(),
        Ok(()),
        "run returned before the child finished"
    );
}
