//! The echo loop, written once for every backend's stream type.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::stats::ServerStats;
use super::work::EchoConfig;

/// Echoes everything `stream` sends until the peer closes, counting bytes on the
/// calling worker. `config.buf_size` bytes are read at a time. With per-request work
/// ([`EchoConfig::work`]), the connection's first byte is its hotness header (not
/// echoed), and each request of a hot connection computes before it is written back.
///
/// # Errors
///
/// The first read or write error (a reset peer, for example), or
/// [`io::ErrorKind::InvalidData`] for a bad header byte.
pub async fn echo<S>(mut stream: S, stats: &ServerStats, config: EchoConfig) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut hot = None;
    if config.expects_header() {
        let mut header = [0_u8; 1];
        stream.read_exact(&mut header).await?;
        hot = config.after_header(header[0])?;
    }
    let mut buf = vec![0_u8; config.buf_size.max(1)];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        if let Some(hot) = &mut hot {
            hot.on_read(n, stats);
        }
        stream.write_all(&buf[..n]).await?;
        stats.echoed(n);
    }
}
