//! [`PollOwned`]: owned-buffer I/O on a readiness stream's `AsyncRead`/`AsyncWrite`.

use std::io;
use std::ops::Deref;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::buf_pool;
use super::owned::{IoBuf, OwnedWrite};

/// What a readiness backend's stream keeps to implement
/// [`OwnedIo`](crate::net::OwnedIo) on its poll I/O.
///
/// [`poll_recv`](PollOwned::poll_recv) reads into a receive buffer of the thread's
/// and lends it as a [`PollBuf`]; a dropped [`PollBuf`] (one that
/// [`send_owned`](crate::net::OwnedIo::send_owned) has written, say) goes back to the
/// thread's buffers, last in, first out, and a receive that finds nothing to read
/// gives its buffer back at once. So an echo (`recv`, then `send_owned` of the lent
/// buffer) makes the same `read` and `write` calls as one over a single `Vec`,
/// allocates nothing once warm, and every connection of a worker reads into the same
/// few buffers, still in the CPU's cache, as a loop over one buffer would; no
/// connection holds a buffer while it waits. Writes go straight to the socket: a send is taken when it is
/// written, so [`send_owned`](crate::net::OwnedIo::send_owned) reports its errors at
/// once.
///
/// ```
/// use std::io;
/// use std::task::{Context, Poll};
///
/// use pool_core::backend::{PollBuf, PollOwned};
/// use pool_core::net::{IoBuf, OwnedIo, OwnedWrite};
///
/// /// A stream on some readiness reactor (here a tokio duplex pipe).
/// # #[allow(dead_code)] // an example: nothing here builds one
/// struct MyStream {
///     io: tokio::io::DuplexStream,
///     owned: PollOwned,
/// }
/// # impl tokio::io::AsyncRead for MyStream {
/// #     fn poll_read(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut tokio::io::ReadBuf<'_>) -> Poll<io::Result<()>> {
/// #         std::pin::Pin::new(&mut self.io).poll_read(cx, buf)
/// #     }
/// # }
/// # impl tokio::io::AsyncWrite for MyStream {
/// #     fn poll_write(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
/// #         std::pin::Pin::new(&mut self.io).poll_write(cx, buf)
/// #     }
/// #     fn poll_flush(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
/// #         std::pin::Pin::new(&mut self.io).poll_flush(cx)
/// #     }
/// #     fn poll_shutdown(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
/// #         std::pin::Pin::new(&mut self.io).poll_shutdown(cx)
/// #     }
/// # }
///
/// impl OwnedIo for MyStream {
///     type Buf = PollBuf;
///
///     fn poll_recv(&mut self, cx: &mut Context<'_>, max: usize) -> Poll<io::Result<PollBuf>> {
///         self.owned.poll_recv(&mut self.io, cx, max)
///     }
///
///     fn poll_write_owned<B: IoBuf>(
///         &mut self,
///         cx: &mut Context<'_>,
///         write: &mut OwnedWrite<B>,
///     ) -> Poll<io::Result<()>> {
///         self.owned.poll_write_owned(&mut self.io, cx, write)
///     }
/// }
/// # fn main() {}
/// ```
#[derive(Debug, Default)]
pub struct PollOwned {
    _private: (),
}

/// A buffer a readiness stream lends from [`PollOwned::poll_recv`]: it derefs to the
/// bytes read. Dropped (once an owned write has sent it, for example), it goes back
/// to the receive buffers of the thread that drops it, to be reused.
#[derive(Debug)]
pub struct PollBuf {
    /// Initialised memory, read into from the start.
    vec: Vec<u8>,
    filled: usize,
}

impl Deref for PollBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.vec[..self.filled]
    }
}

impl Drop for PollBuf {
    fn drop(&mut self) {
        buf_pool::give(std::mem::take(&mut self.vec));
    }
}

impl IoBuf for PollBuf {
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl PollOwned {
    /// Reads at most `max` bytes from `io` into one of the thread's receive buffers
    /// and lends it.
    pub fn poll_recv<S: AsyncRead + Unpin>(
        &mut self,
        io: &mut S,
        cx: &mut Context<'_>,
        max: usize,
    ) -> Poll<io::Result<PollBuf>> {
        let vec = buf_pool::take(max);
        // From here the buffer goes back to the thread's stack unless it is lent.
        let mut buf = PollBuf { vec, filled: 0 };
        let mut read = ReadBuf::new(&mut buf.vec[..max]);
        ready!(Pin::new(io).poll_read(cx, &mut read))?;
        buf.filled = read.filled().len();
        Poll::Ready(Ok(buf))
    }

    /// Writes all of `write`'s buffer to `io`; `write.token` counts the bytes written.
    ///
    /// # Errors
    ///
    /// The first error of `poll_write`, or [`io::ErrorKind::WriteZero`] if it wrote
    /// nothing.
    pub fn poll_write_owned<S: AsyncWrite + Unpin, B: IoBuf>(
        &mut self,
        io: &mut S,
        cx: &mut Context<'_>,
        write: &mut OwnedWrite<B>,
    ) -> Poll<io::Result<()>> {
        let Some(buf) = write.buf.as_ref() else {
            return Poll::Ready(Ok(()));
        };
        let bytes = buf.bytes();
        while let Some(rest) = bytes.get(write.token as usize..).filter(|r| !r.is_empty()) {
            let n = ready!(Pin::new(&mut *io).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            write.token += n as u64;
        }
        Poll::Ready(Ok(()))
    }
}
