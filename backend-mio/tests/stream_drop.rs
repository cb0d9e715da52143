//! Dropped sockets are deregistered from their worker's reactor and their file
//! descriptors closed.

mod support;

use std::sync::{mpsc, Mutex, MutexGuard};

use backend_mio::{diagnostics, TcpListener, TcpStream};
use pool_core::net::{TcpListener as _, TcpStream as _};
use pool_core::{Handle, Runtime};
use support::{open_fds, pool, recv};

const STREAMS: usize = 200;

/// The tests of this file count the process's descriptors: run them one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn dropped_streams_are_deregistered_and_closed() {
    let _serial = serial();
    let pool = pool(1);
    let baseline_fds = open_fds();
    let baseline_sources = pool.block_on(async { diagnostics::registered_sources() });
    assert_eq!(baseline_sources, Some(0));

    let listener = pool_core::net::bind_listener("127.0.0.1:0".parse().unwrap(), 1024).unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    pool.spawn(async move {
        let listener = TcpListener::from_std(listener).unwrap();
        let mut streams = Vec::new();
        for _ in 0..STREAMS {
            // Both ends on this worker: a connected stream and an accepted one.
            let client = TcpStream::connect(addr).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            streams.push((client, server));
        }
        let registered = diagnostics::registered_sources();
        let open = open_fds();
        drop(streams);
        let after_streams = diagnostics::registered_sources();
        drop(listener);
        tx.send((
            registered,
            open,
            after_streams,
            diagnostics::registered_sources(),
        ))
        .unwrap();
    })
    .unwrap();
    let (registered, open, after_streams, after_all) = recv(&rx, "the socket task");
    assert_eq!(registered, Some(2 * STREAMS + 1));
    assert!(open > baseline_fds + 2 * STREAMS, "{open} fds open");
    assert_eq!(after_streams, Some(1), "only the listener is left");
    assert_eq!(after_all, Some(0));
    assert_eq!(open_fds(), baseline_fds, "every socket was closed");
    pool.shutdown_on_idle();
}

#[test]
fn streams_of_dropped_tasks_are_closed_at_shutdown() {
    let _serial = serial();
    // Before the pool: its own descriptors (epoll, eventfd) close at shutdown too.
    let baseline_fds = open_fds();
    let pool = pool(2);
    let listener = pool_core::net::bind_listener("127.0.0.1:0".parse().unwrap(), 64).unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    let accepted_tx = tx.clone();
    pool.handle()
        .spawn_on(0, async move {
            let listener = TcpListener::from_std(listener).unwrap();
            for _ in 0..10 {
                let (stream, _) = listener.accept().await.unwrap();
                pool_core::Pool::<backend_mio::MioBackend>::spawn_child(async move {
                    let _stream = stream;
                    std::future::pending::<()>().await;
                })
                .unwrap();
            }
            accepted_tx.send(()).unwrap();
            std::future::pending::<()>().await;
        })
        .unwrap();
    pool.handle()
        .spawn_on(1, async move {
            let mut clients = Vec::new();
            for _ in 0..10 {
                clients.push(TcpStream::connect(addr).await.unwrap());
            }
            tx.send(()).unwrap();
            std::future::pending::<()>().await;
            drop(clients);
        })
        .unwrap();
    recv(&rx, "the connections");
    recv(&rx, "the connections");
    assert!(open_fds() > baseline_fds + 20);
    pool.shutdown_now();
    assert_eq!(open_fds(), baseline_fds, "sockets of dropped tasks leaked");
}

#[test]
fn accept_std_hands_over_an_unregistered_nonblocking_socket() {
    let _serial = serial();
    let pool = pool(2);
    let listener = pool_core::net::bind_listener("127.0.0.1:0".parse().unwrap(), 16).unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    let handle = pool.handle().clone();
    pool.handle()
        .spawn_on(0, async move {
            let listener = TcpListener::from_std(listener).unwrap();
            let (socket, _) = listener.accept_std().await.unwrap();
            let registered = diagnostics::registered_sources();
            handle
                .spawn_on(1, async move {
                    use tokio::io::AsyncWriteExt;
                    // Nonblocking already: a read with nothing to read does not block.
                    let mut probe = [0u8; 1];
                    let would_block =
                        std::io::Read::read(&mut &socket, &mut probe).map_err(|e| e.kind());
                    let mut stream = TcpStream::from_std(socket).unwrap();
                    stream.write_all(b"moved").await.unwrap();
                    tx.send((registered, would_block, diagnostics::registered_sources()))
                        .unwrap();
                })
                .unwrap();
        })
        .unwrap();
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    let (registered, would_block, on_target) = recv(&rx, "the moved socket");
    assert_eq!(registered, Some(1), "accept_std registered the socket");
    assert_eq!(would_block, Err(std::io::ErrorKind::WouldBlock));
    assert_eq!(on_target, Some(1));
    let mut buf = [0u8; 5];
    std::io::Read::read_exact(&mut client, &mut buf).unwrap();
    assert_eq!(&buf, b"moved");
    pool.shutdown_on_idle();
}
