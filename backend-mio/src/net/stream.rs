//! [`TcpStream`]: a connected socket registered with a worker's reactor.

use std::future::Future;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pool_core::backend::{PollBuf, PollOwned};
use pool_core::net::{IoBuf, OwnedWrite};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::reactor::{Direction, Registration};

/// A TCP stream registered with the reactor of the worker that created it, behind
/// [`pool_core::net::TcpStream`] (so `tokio::io::AsyncReadExt` / `AsyncWriteExt` work
/// on it).
///
/// It is `Send` so that it can live in a task spawned with
/// [`Handle::spawn`](pool_core::Handle::spawn), but it stays registered with the worker
/// that created it: to move a connection, move the `std::net::TcpStream` and call
/// [`from_std`](pool_core::net::TcpStream::from_std) on the target worker. Dropping it
/// deregisters it and closes the socket. Its owned-buffer I/O
/// ([`pool_core::net::OwnedIo`]) runs on the same reads and writes.
///
/// ```
/// use backend_mio::{MioPool, TcpStream};
/// use pool_core::net::TcpStream as _;
/// use pool_core::{Builder, Runtime};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let server = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let addr = server.local_addr()?;
/// let peer = std::thread::spawn(move || {
///     let (mut socket, _) = server.accept().unwrap();
///     std::io::copy(&mut socket.try_clone().unwrap(), &mut socket).unwrap();
/// });
/// let pool: MioPool = Builder::new().pool_size(1).build()?;
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
    io: Registration<mio::net::TcpStream>,
    owned: PollOwned,
}

impl TcpStream {
    pub(crate) fn from_mio(stream: mio::net::TcpStream) -> io::Result<Self> {
        Ok(TcpStream {
            io: Registration::new(stream)?,
            owned: PollOwned::default(),
        })
    }

    /// Completes once a nonblocking connect has succeeded or failed.
    fn poll_connected(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            let clear = ready!(self.io.poll_ready(cx, Direction::Write));
            let socket = self.io.source();
            if let Some(e) = socket.take_error()? {
                return Poll::Ready(Err(e));
            }
            match socket.peer_addr() {
                Ok(_) => return Poll::Ready(Ok(())),
                Err(e) if e.kind() == io::ErrorKind::NotConnected => clear(),
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

/// The future of [`TcpStream`]'s [`connect`](pool_core::net::TcpStream::connect): the
/// nonblocking connect has started (or failed) when it is made; it completes when the
/// connection is up.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Connect {
    state: Option<io::Result<TcpStream>>,
}

impl Future for Connect {
    type Output = io::Result<TcpStream>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let connected = match &self.state {
            Some(Ok(stream)) => ready!(stream.poll_connected(cx)),
            Some(Err(_)) => Ok(()),
            None => panic!("Connect polled after completion"),
        };
        let state = self.state.take().expect("checked above");
        Poll::Ready(connected.and(state))
    }
}

impl pool_core::net::TcpStream for TcpStream {
    type Connect = Connect;

    fn from_std(stream: std::net::TcpStream) -> io::Result<Self> {
        stream.set_nonblocking(true)?;
        Self::from_mio(mio::net::TcpStream::from_std(stream))
    }

    fn connect(addr: SocketAddr) -> Connect {
        let stream = mio::net::TcpStream::connect(addr).and_then(Self::from_mio);
        Connect {
            state: Some(stream),
        }
    }

    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.source().set_nodelay(nodelay)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.source().local_addr()
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.source().peer_addr()
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let wanted = buf.remaining();
        let n = ready!(self.io.poll_io_drained(
            cx,
            Direction::Read,
            |mut s| s.read(buf.initialize_unfilled()),
            |&n| n > 0 && n < wanted,
        ))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_io_drained(
            cx,
            Direction::Write,
            |mut s| s.write(buf),
            |&n| n > 0 && n < buf.len(),
        )
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Direction::Write, |mut s| s.write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Writes go straight to the socket: nothing is buffered here.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.io.source().shutdown(Shutdown::Write))
    }
}

impl pool_core::net::OwnedIo for TcpStream {
    type Buf = PollBuf;

    fn poll_recv(&mut self, cx: &mut Context<'_>, max: usize) -> Poll<io::Result<PollBuf>> {
        if max > 0 {
            // Nothing to read yet (the common case right after an echo's send): wait
            // without taking a receive buffer only to give it back. The readiness is
            // kept: the read below clears it if it finds it stale.
            let _keep = ready!(self.io.poll_ready(cx, Direction::Read));
        }
        // The helper reads through `self`'s AsyncRead: lend it its state meanwhile.
        let mut owned = std::mem::take(&mut self.owned);
        let polled = owned.poll_recv(self, cx, max);
        self.owned = owned;
        polled
    }

    fn poll_write_owned<B: IoBuf>(
        &mut self,
        cx: &mut Context<'_>,
        write: &mut OwnedWrite<B>,
    ) -> Poll<io::Result<()>> {
        let mut owned = std::mem::take(&mut self.owned);
        let polled = owned.poll_write_owned(self, cx, write);
        self.owned = owned;
        polled
    }
}
