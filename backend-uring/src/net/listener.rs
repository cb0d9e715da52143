//! [`TcpListener`]: a listening socket whose accepts complete on a worker's ring.

use std::io;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::task::{ready, Context, Poll};

use super::stream::TcpStream;
use crate::driver::SockRef;

/// A TCP listener driven by the io_uring of the worker that created it, behind
/// [`pool_core::net::TcpListener`].
///
/// The first accept arms one multishot accept (`IORING_ACCEPT_MULTISHOT`; one
/// `IORING_OP_ACCEPT` per connection on kernels before 5.19), which then accepts
/// every connection the kernel queues, whether or not a task is waiting: accepted
/// sockets wait in the listener until taken, so an accept that returned `Pending` and
/// was never repeated loses nothing. Dropping the listener cancels the accept and
/// closes the connections not taken. One acceptor handing std sockets to other
/// workers ([`accept_std`](pool_core::net::TcpListener::accept_std)) and one
/// `SO_REUSEPORT` listener per worker
/// ([`pool_core::net::reuseport_listeners`]) both work.
///
/// ```
/// use std::io::{Read, Write};
///
/// use backend_uring::{TcpListener, UringPool};
/// use pool_core::net::TcpListener as _;
/// use pool_core::{Builder, Runtime};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let Ok(pool) = Builder::new().pool_size(1).build::<UringPool>() else {
///     return Ok(()); // no io_uring on this machine
/// };
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
    sock: SockRef,
}

impl pool_core::net::TcpListener for TcpListener {
    type Stream = TcpStream;

    fn from_std(listener: std::net::TcpListener) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        Ok(TcpListener {
            sock: SockRef::register(OwnedFd::from(listener))?,
        })
    }

    fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (stream, peer) = ready!(self.sock.poll_accept(cx))?;
        Poll::Ready(TcpStream::from_owned(OwnedFd::from(stream)).map(|s| (s, peer)))
    }

    fn poll_accept_std(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(std::net::TcpStream, SocketAddr)>> {
        // Accepted with SOCK_NONBLOCK and registered nowhere: ready to move.
        self.sock.poll_accept(cx)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        socket2::SockRef::from(self.sock.fd())
            .local_addr()?
            .as_socket()
            .ok_or_else(|| io::Error::other("not an IP socket"))
    }
}
