//! [`TcpStream`]: a connected socket whose reads and writes complete on a worker's
//! ring.

use std::future::Future;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::OwnedFd;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pool_core::net::{IoBuf, OwnedWrite};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::buf::UringBuf;
use crate::driver::SockRef;

/// A TCP stream driven by the io_uring of the worker that created it, behind
/// [`pool_core::net::TcpStream`] (so `tokio::io::AsyncReadExt` / `AsyncWriteExt` work
/// on it).
///
/// # How completions become polls
///
/// - **Reads.** The first read arms a multishot receive into the worker's provided
///   buffer ring (or, on older kernels or when the ring runs dry, one receive into an
///   owned buffer of the reader's size, re-armed as soon as it completes while fewer
///   than 4 chunks wait). Received chunks queue in the driver until read; a read
///   copies from them and gives each emptied buffer back to the ring.
/// - **Writes.** A write copies (up to 256 KiB of) its buffer into an owned buffer,
///   submits one `IORING_OP_SEND`, and returns `Pending` until that send completes;
///   the next `poll_write` returns how much was sent. So call `poll_write` again with
///   the same bytes after `Pending`, as `write_all` and every `AsyncWrite` user do. A
///   write future dropped after `Pending` does not unsend its bytes: they are on their
///   way, or cancelled with the stream.
/// - **Owned-buffer I/O** ([`pool_core::net::OwnedIo`]).
///   [`recv`](pool_core::net::OwnedIo::recv) lends the first received chunk in place
///   (a [`UringBuf`]: the ring buffer itself, no copy; a part of it is copied only if
///   it holds more than `max` bytes). [`send_owned`](pool_core::net::OwnedIo::send_owned)
///   moves its buffer into the driver, pushes the `IORING_OP_SEND` from the call (or
///   queues it, up to 4 deep, behind the owned send in flight) and returns at once;
///   the driver resends the rest of a short send and starts the next queued one from
///   the completion, with no task wake-up. A lent ring buffer is sent from where it
///   was received. [`write_all_owned`](pool_core::net::OwnedIo::write_all_owned) does
///   the same and wakes the task once, when all is sent, with its buffer back.
///   `read_owned` copies out of the ring buffer, as `poll_read` does. Owned and
///   `AsyncWrite` sends go out in the order they were made.
/// - **Drop** cancels the operations in flight (`IORING_OP_ASYNC_CANCEL`), except the
///   owned sends it took, which finish first; their buffers and the descriptor are
///   freed only when their completions arrive.
///
/// It is `Send`, so it can live in a task spawned with
/// [`Handle::spawn`](pool_core::Handle::spawn), but it is driven by the worker that
/// created it: polled on another thread, it returns an error. To move a connection,
/// move the `std::net::TcpStream` and call
/// [`from_std`](pool_core::net::TcpStream::from_std) on the target worker.
///
/// ```
/// use backend_uring::{TcpStream, UringPool};
/// use pool_core::net::TcpStream as _;
/// use pool_core::{Builder, Runtime};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let Ok(pool) = Builder::new().pool_size(1).build::<UringPool>() else {
///     return Ok(()); // no io_uring on this machine
/// };
/// let server = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let addr = server.local_addr()?;
/// let peer = std::thread::spawn(move || {
///     let (mut socket, _) = server.accept().unwrap();
///     std::io::copy(&mut socket.try_clone().unwrap(), &mut socket).unwrap();
/// });
/// let echoed = pool.block_on(async move {
///     let mut stream = TcpStream::connect(addr).await?;
///     stream.set_nodelay(true)?;
///     stream.write_all(b"ping").await?;
///     let mut buf = [0u8; 4];
///     stream.read_exact(&mut buf).await?;
///     std::io::Result::Ok(buf)
/// })?;
/// assert_eq!(&echoed, b"ping");
/// drop(pool);
/// peer.join().unwrap();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TcpStream {
    sock: SockRef,
}

impl TcpStream {
    pub(crate) fn from_owned(fd: OwnedFd) -> io::Result<Self> {
        Ok(TcpStream {
            sock: SockRef::register(fd)?,
        })
    }

    fn socket(&self) -> socket2::SockRef<'_> {
        socket2::SockRef::from(self.sock.fd())
    }
}

fn ip(addr: socket2::SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket()
        .ok_or_else(|| io::Error::other("not an IP socket"))
}

/// The future of [`TcpStream`]'s [`connect`](pool_core::net::TcpStream::connect): the
/// socket is created and an `IORING_OP_CONNECT` submitted when it is first polled (on
/// a worker); it completes with the connection's completion.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Connect {
    addr: SocketAddr,
    stream: Option<io::Result<TcpStream>>,
}

impl Future for Connect {
    type Output = io::Result<TcpStream>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let addr = self.addr;
        let stream = self.stream.get_or_insert_with(|| {
            let socket = Socket::new(
                Domain::for_address(addr),
                Type::STREAM.nonblocking().cloexec(),
                Some(Protocol::TCP),
            )?;
            TcpStream::from_owned(OwnedFd::from(socket))
        });
        let connected = match stream {
            Ok(stream) => ready!(stream.sock.poll_connect(cx, addr)),
            Err(_) => Ok(()),
        };
        let stream = self.stream.take().expect("set above");
        Poll::Ready(connected.and(stream))
    }
}

impl pool_core::net::TcpStream for TcpStream {
    type Connect = Connect;

    fn from_std(stream: std::net::TcpStream) -> io::Result<Self> {
        stream.set_nonblocking(true)?;
        Self::from_owned(OwnedFd::from(stream))
    }

    fn connect(addr: SocketAddr) -> Connect {
        Connect { addr, stream: None }
    }

    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.socket().set_nodelay(nodelay)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        ip(self.socket().local_addr()?)
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        ip(self.socket().peer_addr()?)
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.sock.poll_read(cx, buf)
    }
}

impl AsyncWrite for TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.sock.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A write is reported only once its send completed: only a send whose write
        // was abandoned can still be in flight.
        self.sock.poll_sent(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.sock.poll_sent(cx))?;
        Poll::Ready(self.socket().shutdown(Shutdown::Write))
    }
}

impl pool_core::net::OwnedIo for TcpStream {
    type Buf = UringBuf;

    fn poll_recv(&mut self, cx: &mut Context<'_>, max: usize) -> Poll<io::Result<UringBuf>> {
        self.sock.poll_recv_lent(cx, max)
    }

    fn poll_write_owned<B: IoBuf>(
        &mut self,
        cx: &mut Context<'_>,
        write: &mut OwnedWrite<B>,
    ) -> Poll<io::Result<()>> {
        self.sock.poll_write_owned(cx, write)
    }
}
