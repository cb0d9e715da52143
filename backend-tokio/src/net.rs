//! TCP types implementing the pool-core net traits on tokio's sockets.
//!
//! Both runtimes of this crate use them: a socket registers with the I/O driver of the
//! runtime it is created in (the current worker's for [`TokioPool`](crate::TokioPool),
//! the shared one for [`TokioMultiThread`](crate::TokioMultiThread)).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pool_core::backend::{PollBuf, PollOwned};
use pool_core::net::{IoBuf, OwnedWrite};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A tokio TCP listener behind [`pool_core::net::TcpListener`].
#[derive(Debug)]
pub struct TcpListener(tokio::net::TcpListener);

/// A tokio TCP stream behind [`pool_core::net::TcpStream`], with owned-buffer I/O
/// ([`pool_core::net::OwnedIo`]) on its poll I/O.
#[derive(Debug)]
pub struct TcpStream(tokio::net::TcpStream, PollOwned);

impl TcpListener {
    /// The wrapped tokio listener.
    pub fn into_inner(self) -> tokio::net::TcpListener {
        self.0
    }
}

impl TcpStream {
    /// The wrapped tokio stream.
    pub fn into_inner(self) -> tokio::net::TcpStream {
        self.0
    }

    fn new(stream: tokio::net::TcpStream) -> Self {
        TcpStream(stream, PollOwned::default())
    }
}

/// The future of [`TcpStream`]'s [`connect`](pool_core::net::TcpStream::connect).
pub type Connect = Pin<Box<dyn Future<Output = io::Result<TcpStream>> + Send + 'static>>;

impl pool_core::net::TcpListener for TcpListener {
    type Stream = TcpStream;

    fn from_std(listener: std::net::TcpListener) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        tokio::net::TcpListener::from_std(listener).map(TcpListener)
    }

    fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (stream, peer) = ready!(self.0.poll_accept(cx))?;
        Poll::Ready(Ok((TcpStream::new(stream), peer)))
    }

    fn poll_accept_std(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(std::net::TcpStream, SocketAddr)>> {
        let (stream, peer) = ready!(self.0.poll_accept(cx))?;
        Poll::Ready(stream.into_std().map(|s| (s, peer)))
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

impl pool_core::net::TcpStream for TcpStream {
    type Connect = Connect;

    fn from_std(stream: std::net::TcpStream) -> io::Result<Self> {
        stream.set_nonblocking(true)?;
        tokio::net::TcpStream::from_std(stream).map(TcpStream::new)
    }

    fn connect(addr: SocketAddr) -> Connect {
        Box::pin(async move {
            tokio::net::TcpStream::connect(addr)
                .await
                .map(TcpStream::new)
        })
    }

    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.0.set_nodelay(nodelay)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TcpStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl pool_core::net::OwnedIo for TcpStream {
    type Buf = PollBuf;

    fn poll_recv(&mut self, cx: &mut Context<'_>, max: usize) -> Poll<io::Result<PollBuf>> {
        self.1.poll_recv(&mut self.0, cx, max)
    }

    fn poll_write_owned<B: IoBuf>(
        &mut self,
        cx: &mut Context<'_>,
        write: &mut OwnedWrite<B>,
    ) -> Poll<io::Result<()>> {
        self.1.poll_write_owned(&mut self.0, cx, write)
    }
}
