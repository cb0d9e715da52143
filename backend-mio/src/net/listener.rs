//! [`TcpListener`]: a listening socket registered with a worker's reactor.

use std::io;
use std::net::SocketAddr;
use std::task::{ready, Context, Poll};

use super::stream::TcpStream;
use crate::reactor::{Direction, Registration};

/// A TCP listener registered with the reactor of the worker that created it, behind
/// [`pool_core::net::TcpListener`].
///
/// Create it inside a task with
/// [`from_std`](pool_core::net::TcpListener::from_std) or
/// [`bind`](pool_core::net::TcpListener::bind). `accept` registers the new stream with
/// the same worker; `accept_std` returns a nonblocking std socket registered nowhere,
/// to hand to another worker. For one listener per worker, bind them with
/// [`pool_core::net::reuseport_listeners`].
///
/// ```
/// use std::io::{Read, Write};
///
/// use backend_mio::{MioPool, TcpListener};
/// use pool_core::net::TcpListener as _;
/// use pool_core::{Builder, Runtime};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let pool: MioPool = Builder::new().pool_size(1).build()?;
/// let std_listener = pool_core::net::bind_listener("127.0.0.1:0".parse()?, 16)?;
/// let addr = std_listener.local_addr()?;
/// pool.spawn(async move {
///     let listener = TcpListener::from_std(std_listener).unwrap();
///     let (mut stream, _) = listener.accept().await.unwrap();
///     let mut buf = [0u8; 5];
///     stream.read_exact(&mut buf).await.unwrap();
///     stream.write_all(&buf).await.unwrap();
/// })?;
/// let mut client = std::net::TcpStream::connect(addr)?;
/// client.write_all(b"hello")?;
/// let mut back = [0u8; 5];
/// client.read_exact(&mut back)?;
/// assert_eq!(&back, b"hello");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TcpListener {
    io: Registration<mio::net::TcpListener>,
}

impl TcpListener {
    fn poll_accept_mio(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(mio::net::TcpStream, SocketAddr)>> {
        self.io.poll_io(cx, Direction::Read, |l| l.accept())
    }
}

impl pool_core::net::TcpListener for TcpListener {
    type Stream = TcpStream;

    fn from_std(listener: std::net::TcpListener) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        let io = Registration::new(mio::net::TcpListener::from_std(listener))?;
        Ok(TcpListener { io })
    }

    fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (stream, peer) = ready!(self.poll_accept_mio(cx))?;
        Poll::Ready(TcpStream::from_mio(stream).map(|s| (s, peer)))
    }

    fn poll_accept_std(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(std::net::TcpStream, SocketAddr)>> {
        // mio accepts with SOCK_NONBLOCK and registers nothing: the std socket is
        // ready to move to another worker as is.
        let (stream, peer) = ready!(self.poll_accept_mio(cx))?;
        Poll::Ready(Ok((stream.into(), peer)))
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.source().local_addr()
    }
}
