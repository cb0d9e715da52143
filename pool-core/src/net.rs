//! TCP traits every backend implements, and socket set-up shared by all of them.
//!
//! A backend's stream is created *on the current worker* from a `std::net::TcpStream`
//! ([`TcpStream::from_std`]), which registers it with that worker's reactor. To move a
//! connection to another worker, move the std socket (see
//! [`TcpListener::accept_std`]) and create the backend stream on the target worker.
//!
//! Every stream also does owned-buffer I/O ([`OwnedIo`]): writes that take their
//! buffer and give it back, and receives that lend one of the stream's buffers, the
//! shape completion I/O (io_uring) needs to avoid copies.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::{AsyncRead, AsyncWrite};

mod buf_pool;
mod owned;
mod owned_futures;
pub(crate) mod poll_owned;

pub use owned::{BufResult, IoBuf, IoBufMut, OwnedIo, OwnedWrite};
pub use owned_futures::{ReadOwned, Recv, SendOwned, WriteAllOwned};

/// The listen backlog used by [`bind_listener`] and [`reuseport_listeners`] by default.
pub const DEFAULT_BACKLOG: i32 = 4096;

/// A TCP listener registered with the reactor of the worker that created it.
///
/// The trait asks for no `Send` or `Sync`: a socket of a per-thread backend may stay on
/// its worker for life (`Rc` state, a worker-owned ring). The futures of
/// [`accept`](TcpListener::accept) and [`accept_std`](TcpListener::accept_std) are
/// `Send` exactly when the listener is `Sync`, so code generic over a backend whose
/// listener is `Send + Sync` can still hold one in a `Send` task.
///
/// # Implementing
///
/// `poll_accept` and `poll_accept_std` must be cancel-safe (a `Pending` poll that is
/// never repeated loses no connection) and return nonblocking sockets. The
/// conformance kit's TCP tests exercise them.
///
/// # Examples
///
/// Every method, on the tokio per-thread pool (any [`Runtime`](crate::Runtime)'s
/// `TcpListener` reads the same):
///
/// ```
/// use backend_tokio::TokioPool;
/// use futures::future::join;
/// use pool_core::net::{bind_listener, TcpListener, TcpStream};
/// use pool_core::{Builder, Runtime};
///
/// type Listener = <TokioPool as Runtime>::TcpListener;
/// type Stream = <TokioPool as Runtime>::TcpStream;
///
/// let pool: TokioPool = Builder::new().pool_size(1).build()?;
/// pool.block_on(async {
///     let listener = Listener::bind("127.0.0.1:0".parse().unwrap())?;
///     let addr = listener.local_addr()?;
///     // A backend stream on this worker...
///     let (accepted, client) = join(listener.accept(), Stream::connect(addr)).await;
///     let (_server, peer) = accepted?;
///     assert_eq!(client?.local_addr()?, peer);
///     // ...or a std socket to hand to another worker, registered there by `from_std`.
///     let (accepted, _client) = join(listener.accept_std(), Stream::connect(addr)).await;
///     let (socket, _peer) = accepted?;
///     let _server = Stream::from_std(socket)?;
///     // A listener bound elsewhere (here with pool-core's socket options).
///     let other = Listener::from_std(bind_listener("127.0.0.1:0".parse().unwrap(), 16)?)?;
///     assert_ne!(other.local_addr()?, addr);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait TcpListener: Sized + 'static {
    /// The stream type accepted connections become.
    type Stream: TcpStream;

    /// Registers a bound, listening std listener with the current worker's reactor.
    ///
    /// # Errors
    ///
    /// If called off a worker, or if registration fails.
    ///
    /// # Examples
    ///
    /// In the [`TcpListener`] example.
    fn from_std(listener: std::net::TcpListener) -> io::Result<Self>;

    /// Binds `addr` with [`bind_listener`] and registers the listener.
    ///
    /// # Errors
    ///
    /// If the address is in use or cannot be bound, or as [`from_std`](Self::from_std).
    ///
    /// # Examples
    ///
    /// In the [`TcpListener`] example.
    fn bind(addr: SocketAddr) -> io::Result<Self> {
        Self::from_std(bind_listener(addr, DEFAULT_BACKLOG)?)
    }

    /// Polls for a connection, as a backend stream on the current worker.
    ///
    /// # Examples
    ///
    /// Called through [`accept`](Self::accept), as in the [`TcpListener`] example.
    fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(Self::Stream, SocketAddr)>>;

    /// Polls for a connection, as a nonblocking std socket registered with no reactor,
    /// to hand to another worker.
    ///
    /// # Examples
    ///
    /// Called through [`accept_std`](Self::accept_std), as in the [`TcpListener`]
    /// example.
    fn poll_accept_std(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(std::net::TcpStream, SocketAddr)>>;

    /// Accepts a connection as a backend stream on the current worker.
    ///
    /// # Examples
    ///
    /// In the [`TcpListener`] example.
    fn accept(&self) -> Accept<'_, Self> {
        Accept { listener: self }
    }

    /// Accepts a connection as a nonblocking std socket, registered with no reactor, to
    /// hand to another worker.
    ///
    /// # Examples
    ///
    /// In the [`TcpListener`] example.
    fn accept_std(&self) -> AcceptStd<'_, Self> {
        AcceptStd { listener: self }
    }

    /// The bound address.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// # Examples
    ///
    /// In the [`TcpListener`] example.
    fn local_addr(&self) -> io::Result<SocketAddr>;
}

/// The future of [`TcpListener::accept`].
///
/// # Examples
///
/// In the [`TcpListener`] example.
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct Accept<'a, L> {
    listener: &'a L,
}

impl<L: TcpListener> Future for Accept<'_, L> {
    type Output = io::Result<(L::Stream, SocketAddr)>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.listener.poll_accept(cx)
    }
}

/// The future of [`TcpListener::accept_std`].
///
/// # Examples
///
/// In the [`TcpListener`] example.
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct AcceptStd<'a, L> {
    listener: &'a L,
}

impl<L: TcpListener> Future for AcceptStd<'_, L> {
    type Output = io::Result<(std::net::TcpStream, SocketAddr)>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.listener.poll_accept_std(cx)
    }
}

/// A TCP stream registered with the reactor of the worker that created it.
///
/// Like [`TcpListener`], it asks for no `Send`: a [`Runtime`](crate::Runtime) states
/// what its streams are.
///
/// # Implementing
///
/// Reads and writes must lose no readiness under edge-triggered notification. The
/// conformance kit's TCP echo tests exercise it.
///
/// # Examples
///
/// ```
/// use backend_tokio::TokioPool;
/// use futures::future::join;
/// use pool_core::net::{TcpListener, TcpStream};
/// use pool_core::{Builder, Runtime};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// type Listener = <TokioPool as Runtime>::TcpListener;
/// type Stream = <TokioPool as Runtime>::TcpStream;
///
/// let pool: TokioPool = Builder::new().pool_size(1).build()?;
/// pool.block_on(async {
///     let listener = Listener::bind("127.0.0.1:0".parse().unwrap())?;
///     let (accepted, client) =
///         join(listener.accept_std(), Stream::connect(listener.local_addr()?)).await;
///     let mut client = client?;
///     client.set_nodelay(true)?;
///     let mut server = Stream::from_std(accepted?.0)?;
///     assert_eq!(server.peer_addr()?, client.local_addr()?);
///     assert_eq!(client.peer_addr()?, server.local_addr()?);
///     client.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     server.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait TcpStream: AsyncRead + AsyncWrite + Unpin + Sized + 'static {
    /// The future of [`connect`](TcpStream::connect).
    type Connect: Future<Output = io::Result<Self>> + 'static;

    /// Registers a connected std stream with the current worker's reactor; sets it
    /// nonblocking.
    ///
    /// # Errors
    ///
    /// If called off a worker, or if registration fails.
    ///
    /// # Examples
    ///
    /// In the [`TcpStream`] example.
    fn from_std(stream: std::net::TcpStream) -> io::Result<Self>;

    /// Connects to `addr` from the current worker.
    ///
    /// # Examples
    ///
    /// In the [`TcpStream`] example.
    fn connect(addr: SocketAddr) -> Self::Connect;

    /// Sets `TCP_NODELAY`.
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// In the [`TcpStream`] example.
    fn set_nodelay(&self, nodelay: bool) -> io::Result<()>;

    /// The local address.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// # Examples
    ///
    /// In the [`TcpStream`] example.
    fn local_addr(&self) -> io::Result<SocketAddr>;

    /// The peer address.
    ///
    /// # Errors
    ///
    /// As `getpeername(2)`.
    ///
    /// # Examples
    ///
    /// In the [`TcpStream`] example.
    fn peer_addr(&self) -> io::Result<SocketAddr>;
}

fn listener_socket(addr: SocketAddr, reuse_port: bool) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    socket.set_nonblocking(true)?;
    Ok(socket)
}

fn bind_listen(
    socket: Socket,
    addr: SocketAddr,
    backlog: i32,
) -> io::Result<std::net::TcpListener> {
    socket.bind(&addr.into()).map_err(|e| with_addr(e, addr))?;
    socket.listen(backlog)?;
    Ok(socket.into())
}

fn with_addr(e: io::Error, addr: SocketAddr) -> io::Error {
    io::Error::new(e.kind(), format!("cannot bind {addr}: {e}"))
}

/// Binds a nonblocking std listener with `SO_REUSEADDR` and the given backlog.
///
/// ```
/// let l = pool_core::net::bind_listener("127.0.0.1:0".parse().unwrap(), 128)?;
/// assert_ne!(l.local_addr()?.port(), 0);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// If the address is in use or cannot be bound; the message names the address.
pub fn bind_listener(addr: SocketAddr, backlog: i32) -> io::Result<std::net::TcpListener> {
    bind_listen(listener_socket(addr, false)?, addr, backlog)
}

/// Binds `count` nonblocking std listeners on one address with `SO_REUSEPORT`, so the
/// kernel spreads incoming connections over them: give one to each worker. With port 0,
/// the first listener picks the port and the others share it.
///
/// ```
/// let ls = pool_core::net::reuseport_listeners("127.0.0.1:0".parse().unwrap(), 2, 128)?;
/// assert_eq!(ls[0].local_addr()?, ls[1].local_addr()?);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// If the address is in use by a socket without `SO_REUSEPORT`, or cannot be bound.
pub fn reuseport_listeners(
    addr: SocketAddr,
    count: usize,
    backlog: i32,
) -> io::Result<Vec<std::net::TcpListener>> {
    let mut listeners: Vec<std::net::TcpListener> = Vec::with_capacity(count);
    let mut addr = addr;
    for _ in 0..count {
        let listener = bind_listen(listener_socket(addr, true)?, addr, backlog)?;
        addr = listener.local_addr()?;
        listeners.push(listener);
    }
    Ok(listeners)
}
