//! Cancellation: a dropped socket with operations in flight stays in its driver (its
//! descriptor open, its buffers owned) until their completions arrive, then goes; a
//! dropped listener closes the connections it had accepted but not handed out.

use std::future::poll_fn;
use std::io::Read;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use backend_uring::{diagnostics, UringPool};
use pool_core::conformance::runner::{run, Group};
use pool_core::net::{TcpListener as _, TcpStream as _};
use pool_core::test_list;
use pool_core::{Builder, Runtime};
use support::sockets_drained;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

mod support;

/// A hang guard, never a synchronisation point.
const PATIENCE: Duration = Duration::from_secs(30);

fn pool() -> UringPool {
    Builder::new()
        .pool_size(1)
        .name_prefix("uring-cancel-")
        .build()
        .expect("io_uring is available on the test machine")
}

fn dropped_stream_stays_until_its_ops_complete() {
    let pool = pool();
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    // The peer is accepted and never reads: the send can stay in flight.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let peer = std::thread::spawn(move || {
        let (peer, _) = server.accept().unwrap();
        let _ = done_rx.recv_timeout(PATIENCE);
        drop(peer);
    });
    let (held_after_drop, left) = pool.block_on(async move {
        let mut stream = backend_uring::TcpStream::connect(addr).await.unwrap();
        let big = vec![1u8; 4 << 20];
        let mut buf = [0u8; 16];
        poll_fn(|cx| {
            let mut read = ReadBuf::new(&mut buf);
            assert!(Pin::new(&mut stream).poll_read(cx, &mut read).is_pending());
            assert!(Pin::new(&mut stream).poll_write(cx, &big).is_pending());
            Poll::Ready(())
        })
        .await;
        assert_eq!(diagnostics::sockets(), Some(1));
        drop(stream);
        // Nothing was submitted or reaped since the drop: the receive and the send
        // are still in flight, so the socket (and its descriptor) must still be there.
        let held_after_drop = diagnostics::sockets().unwrap();
        (held_after_drop, sockets_drained(PATIENCE).await)
    });
    assert_eq!(held_after_drop, 1, "freed with operations in flight");
    assert_eq!(left, 0, "the cancelled operations never completed");
    done_tx.send(()).unwrap();
    peer.join().unwrap();
    pool.shutdown_now();
}

fn dropped_listener_closes_the_connections_it_queued() {
    const CLIENTS: usize = 20;
    let pool = pool();
    let std_listener = pool_core::net::bind_listener("127.0.0.1:0".parse().unwrap(), 64).unwrap();
    let addr = std_listener.local_addr().unwrap();
    let (armed_tx, armed_rx) = std::sync::mpsc::channel();
    let (drop_tx, drop_rx) = futures::channel::oneshot::channel::<()>();
    let task = pool
        .spawn(async move {
            let listener = backend_uring::TcpListener::from_std(std_listener).unwrap();
            // One accept arms the (multishot) accept; the rest queue in the listener.
            let (first, _) = listener.accept().await.unwrap();
            armed_tx.send(()).unwrap();
            drop_rx.await.unwrap();
            drop(first);
            drop(listener);
            sockets_drained(PATIENCE).await
        })
        .unwrap();
    let first = std::net::TcpStream::connect(addr).unwrap();
    armed_rx.recv_timeout(PATIENCE).unwrap();
    let mut clients: Vec<_> = (0..CLIENTS)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    drop_tx.send(()).unwrap();
    let left = futures::executor::block_on(task).unwrap();
    assert_eq!(
        left, 0,
        "the listener's socket or a queued connection was kept"
    );
    clients.push(first);
    for client in &mut clients {
        client.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut byte = [0u8; 1];
        // Closed by us (EOF), or reset: either way not left hanging.
        match client.read(&mut byte) {
            Ok(0) => {}
            Ok(n) => panic!("read {n} bytes from a connection nobody wrote to"),
            Err(e) => assert_ne!(e.kind(), std::io::ErrorKind::WouldBlock, "{e}"),
        }
    }
    pool.shutdown_now();
}

fn main() -> std::process::ExitCode {
    run([Group::new(test_list![
        dropped_stream_stays_until_its_ops_complete,
        dropped_listener_closes_the_connections_it_queued,
    ])
    .requires(backend_uring::features().map(|_| ()))])
}
