//! Loopback TCP through the net traits: a cross-worker std-socket handoff, per-worker
//! reuseport listeners, and connect.

use std::collections::HashSet;
use std::sync::mpsc;
use std::thread;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::support::{echo, echo_clients, pool, recv};
use crate::net::{TcpListener, TcpStream, bind_listener, reuseport_listeners};
use crate::{Handle, Runtime};

const CONNECTIONS: usize = 8;
const BYTES: usize = 64 * 1024;

/// One acceptor hands std sockets to workers round-robin; each worker registers its
/// socket with its own reactor and echoes. Every byte comes back.
pub fn tcp_echo_cross_worker_handoff<R: Runtime>() {
    let pool: R = pool(2);
    let listener = bind_listener("127.0.0.1:0".parse().unwrap(), 128).unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = pool.handle().clone();
    let (served_tx, served_rx) = mpsc::channel();
    pool.handle()
        .spawn_on(0, async move {
            let listener = R::TcpListener::from_std(listener).unwrap();
            let acceptor = R::current_worker();
            for _ in 0..CONNECTIONS {
                let (socket, _) = listener.accept_std().await.unwrap();
                let served_tx = served_tx.clone();
                handle
                    .spawn(async move {
                        let stream = R::TcpStream::from_std(socket).unwrap();
                        served_tx.send((acceptor, R::current_worker())).unwrap();
                        echo(stream).await.unwrap();
                    })
                    .unwrap();
            }
        })
        .unwrap();
    echo_clients(addr, CONNECTIONS, BYTES);
    let served: Vec<_> = (0..CONNECTIONS)
        .map(|_| recv(&served_rx, "a served connection"))
        .collect();
    if R::CHILD_AFFINITY {
        let acceptor = served[0].0;
        assert!(
            served.iter().any(|(_, worker)| *worker != acceptor),
            "no connection crossed from the acceptor's worker to another: {served:?}"
        );
    }
    pool.shutdown_on_idle();
}

/// One `SO_REUSEPORT` listener per worker; every connection is echoed by the worker
/// that accepted it.
pub fn tcp_echo_reuseport<R: Runtime>() {
    const WORKERS: usize = 2;
    let pool: R = pool(WORKERS);
    let listeners = reuseport_listeners("127.0.0.1:0".parse().unwrap(), WORKERS, 128).unwrap();
    let addr = listeners[0].local_addr().unwrap();
    let (served_tx, served_rx) = mpsc::channel();
    for (worker, listener) in listeners.into_iter().enumerate() {
        let served_tx = served_tx.clone();
        pool.handle()
            .spawn_on(worker, async move {
                let listener = R::TcpListener::from_std(listener).unwrap();
                loop {
                    let (stream, _) = listener.accept().await.unwrap();
                    let accepted_on = R::current_worker();
                    let served_tx = served_tx.clone();
                    R::spawn_child(async move {
                        served_tx.send((accepted_on, R::current_worker())).unwrap();
                        echo(stream).await.unwrap();
                    })
                    .unwrap();
                }
            })
            .unwrap();
    }
    echo_clients(addr, CONNECTIONS, BYTES);
    let served: HashSet<_> = (0..CONNECTIONS)
        .map(|_| recv(&served_rx, "a served connection"))
        .collect();
    if R::CHILD_AFFINITY {
        assert!(served.iter().all(|(accepted, echoed)| accepted == echoed));
    }
    pool.shutdown_now();
}

/// `TcpStream::connect` from a worker reaches a std server and exchanges bytes.
pub fn tcp_connect_from_worker<R: Runtime>() {
    let pool: R = pool(2);
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let peer = thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut socket, _) = server.accept().unwrap();
        let mut buf = [0u8; 4];
        socket.read_exact(&mut buf).unwrap();
        socket.write_all(&buf.map(|b| b + 1)).unwrap();
    });
    let reply = pool.block_on(async move {
        let mut stream = R::TcpStream::connect(addr).await?;
        assert_eq!(stream.peer_addr()?, addr);
        stream.write_all(&[1, 2, 3, 4]).await?;
        let mut buf = [0u8; 4];
        stream.read_exact(&mut buf).await?;
        std::io::Result::Ok(buf)
    });
    assert_eq!(reply.unwrap(), [2, 3, 4, 5]);
    peer.join().unwrap();
    pool.shutdown_on_idle();
}

/// A stream type that is `!Send`, as a per-thread backend's socket may be: a wrapper
/// around the runtime's own stream, implementing the net traits by delegation.
struct LocalStream<S> {
    inner: S,
    _not_send: std::marker::PhantomData<std::rc::Rc<()>>,
}

impl<S: TcpStream> TcpStream for LocalStream<S> {
    type Connect = std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<Self>>>>;

    fn from_std(stream: std::net::TcpStream) -> std::io::Result<Self> {
        S::from_std(stream).map(LocalStream::new)
    }

    fn connect(addr: std::net::SocketAddr) -> Self::Connect {
        let connect = S::connect(addr);
        Box::pin(async move { connect.await.map(LocalStream::new) })
    }

    fn set_nodelay(&self, nodelay: bool) -> std::io::Result<()> {
        self.inner.set_nodelay(nodelay)
    }

    fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.local_addr()
    }

    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.peer_addr()
    }
}

impl<S> LocalStream<S> {
    fn new(inner: S) -> Self {
        LocalStream {
            inner,
            _not_send: std::marker::PhantomData,
        }
    }
}

impl<S: TcpStream> tokio::io::AsyncRead for LocalStream<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: TcpStream> tokio::io::AsyncWrite for LocalStream<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The net traits ask for no `Send`: a `!Send` stream implements them, and code
/// generic over them runs it on a worker, where `spawn_pinned` built it. Connections
/// still reach the worker as std sockets.
pub fn tcp_echo_not_send_stream<R: Runtime>() {
    let pool: R = pool(2);
    let listener = bind_listener("127.0.0.1:0".parse().unwrap(), 128).unwrap();
    let addr = listener.local_addr().unwrap();
    let (ready_tx, ready_rx) = mpsc::channel();
    let handle = pool.handle().clone();
    pool.spawn(async move {
        let listener = R::TcpListener::from_std(listener).unwrap();
        ready_tx.send(()).unwrap();
        for _ in 0..CONNECTIONS {
            let (socket, _) = listener.accept_std().await.unwrap();
            handle
                .spawn_pinned(move || async move {
                    let stream = LocalStream::<R::TcpStream>::from_std(socket).unwrap();
                    echo(stream).await.unwrap();
                })
                .unwrap();
        }
    })
    .unwrap();
    recv(&ready_rx, "the listener");
    echo_clients(addr, CONNECTIONS, 4096);
    pool.shutdown_on_idle();
}
