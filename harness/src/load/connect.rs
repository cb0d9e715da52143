//! Connecting with retry and backoff, within a connect timeout.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

/// The first pause between attempts; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(5);
/// The longest pause between attempts.
const MAX_BACKOFF: Duration = Duration::from_millis(500);

/// A connection that could not be established.
#[derive(Debug)]
pub(super) struct ConnectFailure {
    pub(super) error: io::Error,
    pub(super) attempts: u32,
    pub(super) elapsed: Duration,
}

impl fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (after {} attempt{} over {:.1} s)",
            self.error,
            self.attempts,
            if self.attempts == 1 { "" } else { "s" },
            self.elapsed.as_secs_f64()
        )
    }
}

/// Connects to `addr`, retrying failed attempts with exponential backoff (and a little
/// jitter from `id`) until `timeout` has passed since the first attempt. Sets
/// `TCP_NODELAY`. Returns the stream and the time it took.
pub(super) async fn connect(
    addr: SocketAddr,
    timeout: Duration,
    id: u64,
) -> Result<(TcpStream, Duration), ConnectFailure> {
    let start = Instant::now();
    let deadline = start + timeout;
    let mut backoff = FIRST_BACKOFF;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let remaining = deadline.saturating_duration_since(Instant::now());
        let error = match tokio::time::timeout(remaining, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => match stream.set_nodelay(true) {
                Ok(()) => return Ok((stream, start.elapsed())),
                Err(e) => e,
            },
            Ok(Err(e)) => e,
            Err(_) => io::Error::new(
                io::ErrorKind::TimedOut,
                format!("connect timed out after {:.1} s", timeout.as_secs_f64()),
            ),
        };
        let jitter = Duration::from_micros(id.wrapping_mul(7919) % 1000);
        let pause = backoff + jitter;
        if Instant::now() + pause >= deadline {
            return Err(ConnectFailure {
                error,
                attempts,
                elapsed: start.elapsed(),
            });
        }
        tokio::time::sleep(pause).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}
