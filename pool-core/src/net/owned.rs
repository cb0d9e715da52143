//! Owned-buffer I/O: reads and writes that take ownership of their buffer, or lend
//! one of the stream's, beside the poll-based `AsyncRead`/`AsyncWrite` of
//! [`TcpStream`](super::TcpStream).
//!
//! A completion backend (io_uring) hands a buffer to the kernel and gets it back with
//! the completion; it cannot write from, or read into, a borrowed `&[u8]` that the
//! caller may drop meanwhile. So [`OwnedIo`] moves buffers: a write takes an
//! [`IoBuf`] and gives it back with the result (a [`BufResult`], as in tokio-uring
//! and monoio), and [`recv`](OwnedIo::recv) lends a buffer the stream received into
//! (with io_uring, one of the kernel's provided ring buffers: no copy). A readiness
//! backend implements the same trait on its poll I/O, so code written against it runs
//! on every backend.
//!
//! ```
//! use pool_core::net::{OwnedIo, TcpStream};
//!
//! /// Echoes until the peer closes, with the buffers the stream lends.
//! # #[allow(dead_code)] // an example: nothing here calls it
//! async fn echo<S: TcpStream + OwnedIo>(mut stream: S) -> std::io::Result<()> {
//!     loop {
//!         let buf = stream.recv(4096).await?;
//!         if buf.is_empty() {
//!             return Ok(()); // end of stream
//!         }
//!         stream.send_owned(buf).await?;
//!     }
//! }
//! # fn main() {}
//! ```

use std::io;
use std::ops::Deref;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite};

use super::owned_futures::{ReadOwned, Recv, SendOwned, WriteAllOwned};

/// The result of an owned-buffer operation: its outcome, and the buffer back.
pub type BufResult<T, B> = (io::Result<T>, B);

/// A buffer an owned write can send: its bytes are [`bytes`](IoBuf::bytes).
///
/// Implemented for `Vec<u8>`, `Box<[u8]>`, `String`, `&'static [u8]`, `&'static str`,
/// and a backend's lent buffer ([`OwnedIo::Buf`]).
///
/// # Implementing
///
/// A completion backend keeps the buffer, unmoved if it is not a heap buffer it
/// knows, and unused by anything else, until the kernel is done with the bytes that
/// one call of `bytes` returned. `bytes` must not depend on interior mutability.
///
/// ```
/// use pool_core::net::IoBuf;
///
/// assert_eq!(b"abc".to_vec().bytes(), b"abc");
/// ```
pub trait IoBuf: Unpin + 'static {
    /// The bytes to send.
    fn bytes(&self) -> &[u8];
}

/// A buffer an owned read can fill: [`read_owned`](OwnedIo::read_owned) reads into
/// all of [`bytes_mut`](IoBufMut::bytes_mut), as `std::io::Read::read` into a slice.
///
/// ```
/// use pool_core::net::IoBufMut;
///
/// let mut buf = vec![0u8; 16];
/// assert_eq!(buf.bytes_mut().len(), 16);
/// ```
pub trait IoBufMut: IoBuf {
    /// The bytes a read may overwrite.
    fn bytes_mut(&mut self) -> &mut [u8];
}

impl IoBuf for Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl IoBufMut for Vec<u8> {
    fn bytes_mut(&mut self) -> &mut [u8] {
        self
    }
}

impl IoBuf for Box<[u8]> {
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl IoBufMut for Box<[u8]> {
    fn bytes_mut(&mut self) -> &mut [u8] {
        self
    }
}

impl IoBuf for String {
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl IoBuf for &'static [u8] {
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl IoBuf for &'static str {
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// The state of one owned write, kept by its future between polls of
/// [`OwnedIo::poll_write_owned`].
///
/// Users never build one; the futures of [`write_all_owned`](OwnedIo::write_all_owned)
/// and [`send_owned`](OwnedIo::send_owned) do.
#[derive(Debug)]
pub struct OwnedWrite<B> {
    /// The buffer while the caller holds it. A completion backend may take it into its
    /// driver while the kernel sends from it; it puts it back before the write returns
    /// `Ready`, if [`returns_buf`](OwnedWrite::returns_buf).
    pub buf: Option<B>,
    /// A number the backend keeps between polls: 0 at the start (the bytes written so
    /// far for a readiness backend; a ticket for the send in a completion driver).
    pub token: u64,
    returns_buf: bool,
}

impl<B> OwnedWrite<B> {
    pub(crate) fn new(buf: B, returns_buf: bool) -> Self {
        OwnedWrite {
            buf: Some(buf),
            token: 0,
            returns_buf,
        }
    }

    /// Whether the caller waits for every byte to be sent and for the buffer back
    /// ([`write_all_owned`](OwnedIo::write_all_owned)), or only for the stream to take
    /// the buffer ([`send_owned`](OwnedIo::send_owned)).
    pub fn returns_buf(&self) -> bool {
        self.returns_buf
    }
}

/// Owned-buffer I/O on a stream: implemented by every backend's
/// [`TcpStream`](super::TcpStream).
///
/// - [`recv`](OwnedIo::recv) lends received bytes in a buffer of the stream's
///   ([`Buf`](OwnedIo::Buf)); give it to [`send_owned`](OwnedIo::send_owned) to echo
///   it without a copy, or drop it.
/// - [`read_owned`](OwnedIo::read_owned) reads into a buffer of yours.
/// - [`write_all_owned`](OwnedIo::write_all_owned) sends all of a buffer and returns
///   it once every byte is sent.
/// - [`send_owned`](OwnedIo::send_owned) hands a buffer to the stream and returns as
///   soon as the stream has taken it: on a completion backend the send is submitted
///   (or queued behind the one in flight) and the task goes on at once; an error of
///   that send is returned by a later `send_owned`, `write_all_owned` or
///   `AsyncWriteExt::flush`, which waits for every send taken so far.
///
/// Writes are sent in the order they were made, owned and `AsyncWrite` writes alike.
/// A write future dropped before it completed has sent a prefix of its bytes, or all
/// of them; the buffer is freed once the kernel no longer uses it. Dropping the stream
/// lets the sends it took finish before the socket closes (as the kernel's socket
/// buffer does for a plain `write`).
///
/// # Implementing
///
/// A readiness backend uses [`PollOwned`](crate::backend::PollOwned) on its
/// `AsyncRead`/`AsyncWrite`. A completion backend lends its receive buffers and keeps
/// a written buffer until the kernel is done with it, never freeing or reusing memory
/// the kernel may still read or write, even when the future is dropped. The
/// conformance kit's owned-I/O tests exercise both (partial reads, large messages,
/// dropped futures, end of stream and reset peers).
pub trait OwnedIo: AsyncRead + AsyncWrite + Unpin + Sized + 'static {
    /// The buffer [`recv`](OwnedIo::recv) lends: it derefs to the received bytes, and
    /// goes back to the stream's pool when dropped.
    type Buf: IoBuf + Deref<Target = [u8]> + std::fmt::Debug;

    /// Polls for received bytes, at least one and at most `max` (none at end of
    /// stream, or if `max` is 0), in a buffer the stream lends.
    fn poll_recv(&mut self, cx: &mut Context<'_>, max: usize) -> Poll<io::Result<Self::Buf>>;

    /// Polls an owned write: see [`OwnedWrite`]. Ready once every byte is sent and the
    /// buffer is back in `write.buf` if [`returns_buf`](OwnedWrite::returns_buf), else
    /// once the stream has taken the buffer (`write.buf` may then be empty).
    fn poll_write_owned<B: IoBuf>(
        &mut self,
        cx: &mut Context<'_>,
        write: &mut OwnedWrite<B>,
    ) -> Poll<io::Result<()>>;

    /// Receives at least one and at most `max` bytes, in a buffer the stream lends; an
    /// empty buffer at end of stream.
    ///
    /// With io_uring's provided buffer ring the bytes are where the kernel received
    /// them (up to one ring buffer a call). Cancel-safe: a dropped `recv` loses no
    /// bytes.
    fn recv(&mut self, max: usize) -> Recv<'_, Self> {
        Recv::new(self, max)
    }

    /// Reads into `buf` (into all of [`IoBufMut::bytes_mut`]) and returns how many
    /// bytes it read, 0 at end of stream, with the buffer.
    ///
    /// On io_uring the bytes are copied out of the ring buffer they arrived in:
    /// [`recv`](OwnedIo::recv) avoids the copy. Cancel-safe.
    fn read_owned<B: IoBufMut>(&mut self, buf: B) -> ReadOwned<'_, Self, B> {
        ReadOwned::new(self, buf)
    }

    /// Sends every byte of `buf`, after every earlier write, and returns `buf` once
    /// they are all sent (or the first error).
    fn write_all_owned<B: IoBuf>(&mut self, buf: B) -> WriteAllOwned<'_, Self, B> {
        WriteAllOwned::new(self, buf)
    }

    /// Hands `buf` to the stream to send in full after every earlier write, and
    /// returns once the stream has taken it; the buffer is dropped (a lent one goes
    /// back to its pool) when sent.
    ///
    /// # Errors
    ///
    /// The error of this send if it failed at once, or of an earlier send that failed
    /// after it was taken.
    fn send_owned<B: IoBuf>(&mut self, buf: B) -> SendOwned<'_, Self, B> {
        SendOwned::new(self, buf)
    }
}
