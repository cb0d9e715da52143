//! [`UringBuf`]: received bytes a [`TcpStream`](super::TcpStream) lends.

use std::fmt;
use std::ops::Deref;

use pool_core::net::IoBuf;

use crate::driver::Lent;

/// Received bytes lent by [`TcpStream`](super::TcpStream)'s
/// [`recv`](pool_core::net::OwnedIo::recv): the buffer of the worker's provided
/// buffer ring the kernel received them into (no copy), or an owned buffer on
/// kernels without buffer rings.
///
/// While it lives, its ring buffer is out of the ring: the kernel receives into the
/// others. Dropping it gives the buffer back to the ring (on its worker: from another
/// thread the worker is asked to). Handing it to
/// [`send_owned`](pool_core::net::OwnedIo::send_owned) of a stream on the same worker
/// sends straight from the ring buffer, which goes back to the ring when the send
/// completes. The memory stays valid as long as any `UringBuf` lives, even after its
/// pool has stopped. Hold few at a time: the ring has 1024 buffers per worker; while
/// more than half are lent out, `recv` lends copies instead, and when it runs dry
/// receives fall back to one owned buffer each.
///
/// ```
/// use std::io::Write;
///
/// use backend_uring::UringPool;
/// use pool_core::net::{OwnedIo, TcpListener};
/// use pool_core::{Builder, Runtime};
///
/// let Ok(pool) = Builder::new().pool_size(1).build::<UringPool>() else {
///     return Ok(()); // no io_uring on this machine
/// };
/// let listener = pool_core::net::bind_listener("127.0.0.1:0".parse()?, 16)?;
/// let addr = listener.local_addr()?;
/// let mut client = std::net::TcpStream::connect(addr)?;
/// client.write_all(b"hi")?;
/// let got = pool.block_on(async move {
///     let listener = backend_uring::TcpListener::from_std(listener)?;
///     let (mut stream, _) = listener.accept().await?;
///     let buf = stream.recv(4096).await?; // a backend_uring::UringBuf
///     std::io::Result::Ok(buf.to_vec())
/// })?;
/// assert_eq!(got, b"hi");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct UringBuf {
    pub(crate) lent: Lent,
}

impl Deref for UringBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.lent.bytes()
    }
}

impl IoBuf for UringBuf {
    fn bytes(&self) -> &[u8] {
        self.lent.bytes()
    }
}

impl fmt::Debug for UringBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.lent {
            Lent::Ring(_) => "ring",
            Lent::Owned(_) => "owned",
        };
        f.debug_struct("UringBuf")
            .field("kind", &kind)
            .field("len", &self.len())
            .finish()
    }
}
