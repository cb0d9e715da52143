//! 10,000 connections opened and dropped while operations are in flight on them: a
//! multishot receive armed and a send outstanding when each socket's task is dropped,
//! half of them before the peer closes and half after. Afterwards no socket is left
//! in any worker's driver and, once the pool is gone, the process holds exactly the
//! descriptors it held before (no leaked fd). Run in debug builds by `make test`.
//!
//! A `harness = false` test: where io_uring is refused, it is reported as ignored,
//! with the reason.

use std::future::poll_fn;
use std::io::{Read, Write};
use std::pin::Pin;
use std::sync::mpsc;
use std::task::Poll;
use std::time::Duration;

use backend_uring::UringPool;
use pool_core::conformance::runner::{run, Group};
use pool_core::net::TcpStream as _;
use pool_core::{test_list, Builder, Handle, Runtime};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

mod support;
use support::sockets_drained;

const CONNECTIONS: usize = 10_000;
/// Connections per batch: 2 descriptors each in this process, far below the
/// 20,000-descriptor limit.
const BATCH: usize = 500;
const WORKERS: usize = 2;
/// A hang guard, never a synchronisation point.
const PATIENCE: Duration = Duration::from_secs(60);

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Echoes one byte, reports, then keeps a receive and a send in flight forever.
async fn hold_ops_in_flight(socket: std::net::TcpStream, ready: mpsc::Sender<()>) {
    let mut stream = backend_uring::TcpStream::from_std(socket).unwrap();
    let mut byte = [0u8; 1];
    stream.read_exact(&mut byte).await.unwrap();
    stream.write_all(&byte).await.unwrap();
    ready.send(()).unwrap();
    let big = vec![7u8; 1 << 20];
    let mut buf = [0u8; 64];
    poll_fn(|cx| {
        // Arm (or keep) a receive and a send; results are ignored, the task never
        // ends on its own: it is dropped with its operations in flight.
        let mut read = ReadBuf::new(&mut buf);
        let _ = Pin::new(&mut stream).poll_read(cx, &mut read);
        let _ = Pin::new(&mut stream).poll_write(cx, &big);
        Poll::<()>::Pending
    })
    .await;
}

/// Waits on every worker until its driver holds no socket: the cancelled operations
/// have all completed and their sockets are closed.
fn wait_for_no_sockets(pool: &UringPool) {
    for worker in 0..WORKERS {
        let left = pool
            .handle()
            .spawn_on(worker, sockets_drained(PATIENCE))
            .unwrap();
        let left = futures::executor::block_on(left).unwrap();
        assert_eq!(left, 0, "worker {worker} still holds {left} sockets");
    }
}

fn ten_thousand_connections_dropped_with_ops_in_flight_leak_no_fd() {
    let fds_before = open_fds();
    let pool: UringPool = Builder::new()
        .pool_size(WORKERS)
        .name_prefix("uring-stress-")
        .build()
        .expect("io_uring is available on the test machine");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    for batch in 0..CONNECTIONS / BATCH {
        let (ready_tx, ready_rx) = mpsc::channel();
        let mut clients = Vec::with_capacity(BATCH);
        let mut tasks = Vec::with_capacity(BATCH);
        for _ in 0..BATCH {
            let client = std::net::TcpStream::connect(addr).unwrap();
            let (socket, _) = listener.accept().unwrap();
            let ready = ready_tx.clone();
            tasks.push(pool.spawn(hold_ops_in_flight(socket, ready)).unwrap());
            clients.push(client);
        }
        for client in &mut clients {
            client.write_all(&[batch as u8]).unwrap();
        }
        for client in &mut clients {
            client.set_read_timeout(Some(PATIENCE)).unwrap();
            let mut byte = [0u8; 1];
            client.read_exact(&mut byte).unwrap();
            assert_eq!(byte[0], batch as u8);
        }
        for _ in 0..BATCH {
            ready_rx
                .recv_timeout(PATIENCE)
                .expect("a connection's task");
        }
        // Half the tasks are dropped while their peers are still connected, half
        // after the peers have closed.
        let (first, second) = tasks.split_at(BATCH / 2);
        first.iter().for_each(|t| t.abort());
        drop(clients);
        second.iter().for_each(|t| t.abort());
        for task in tasks {
            let cancelled = futures::executor::block_on(task).unwrap_err();
            assert!(cancelled.is_cancelled());
        }
    }
    wait_for_no_sockets(&pool);
    drop(listener);
    pool.shutdown_now();
    assert_eq!(open_fds(), fds_before, "descriptors leaked");
}

fn main() -> std::process::ExitCode {
    run([Group::new(test_list![
        ten_thousand_connections_dropped_with_ops_in_flight_leak_no_fd
    ])
    .requires(backend_uring::features().map(|_| ()))])
}
