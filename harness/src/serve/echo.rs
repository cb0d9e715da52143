//! The echo loop, written once for every backend's stream type.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::stats::ServerStats;

/// Echoes everything `stream` sends until the peer closes, counting bytes on the
/// calling worker. `buf_size` bytes are read at a time.
///
/// # Errors
///
/// The first read or write error (a reset peer, for example).
pub async fn echo<S>(mut stream: S, stats: &ServerStats, buf_size: usize) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf = vec![0_u8; buf_size.max(1)];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
        stats.echoed(n);
    }
}
