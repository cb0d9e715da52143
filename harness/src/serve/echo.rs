//! The echo loop, written once for every backend's stream type, on owned-buffer I/O.

use std::io;

use pool_core::net::OwnedIo;

use super::stats::ServerStats;
use super::work::EchoConfig;

/// Echoes everything `stream` sends until the peer closes, counting bytes on the
/// calling worker. At most `config.buf_size` bytes are received at a time. With
/// per-request work ([`EchoConfig::work`]), the connection's first byte is its hotness
/// header (not echoed), and each request of a hot connection computes before it is
/// written back.
///
/// It runs on [`OwnedIo`]: each received buffer the stream lends is handed back to
/// it to send ([`OwnedIo::send_owned`]). On io_uring that is the ring buffer the
/// kernel received into, sent without a copy, and the task goes on to its next
/// receive without waiting for the send's completion; on a readiness backend it is
/// one `read` and one `write` into and from the same buffer, as a loop over one `Vec`
/// would make. Bytes are counted once the stream has taken them.
///
/// # Errors
///
/// The first read or write error (a reset peer, for example), or
/// [`io::ErrorKind::InvalidData`] for a bad header byte.
pub async fn echo<S: OwnedIo>(
    mut stream: S,
    stats: &ServerStats,
    config: EchoConfig,
) -> io::Result<()> {
    let mut hot = None;
    if config.expects_header() {
        let header = stream.recv(1).await?;
        let Some(&byte) = header.first() else {
            return Err(io::ErrorKind::UnexpectedEof.into());
        };
        hot = config.after_header(byte)?;
    }
    let max = config.buf_size.max(1);
    loop {
        let buf = stream.recv(max).await?;
        let n = buf.len();
        if n == 0 {
            return Ok(());
        }
        if let Some(hot) = &mut hot {
            hot.on_read(n, stats);
        }
        stream.send_owned(buf).await?;
        stats.echoed(n);
    }
}
