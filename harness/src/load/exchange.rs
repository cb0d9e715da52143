//! One request and its answer, for each workload: what a connection's loop times.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::errors::ConnError;
use super::http::HttpClient;
use super::pattern::{fill, first_mismatch};
use super::sockperf::SockperfClient;
use crate::plan::Workload;

/// A connection's request and answer buffers, by workload.
#[derive(Debug)]
pub(super) enum Exchange {
    /// `msg_size` bytes out, the same back.
    Echo { send: Vec<u8>, recv: Vec<u8> },
    /// `GET /plaintext`, one at a time.
    Http(HttpClient),
    /// sockperf's framing, every message asking for a reply.
    Sockperf(SockperfClient),
}

impl Exchange {
    /// The buffers of a connection to `target` running `workload` with `msg_size`-byte
    /// messages.
    pub(super) fn new(workload: Workload, msg_size: usize, target: SocketAddr) -> Exchange {
        match workload {
            Workload::Echo => Exchange::Echo {
                send: vec![0; msg_size],
                recv: vec![0; msg_size],
            },
            Workload::Http => Exchange::Http(HttpClient::new(target)),
            Workload::Sockperf => Exchange::Sockperf(SockperfClient::new(msg_size)),
        }
    }

    /// Writes request `seq` (before the clock starts).
    pub(super) fn prepare(&mut self, seq: u64) {
        match self {
            Exchange::Echo { send, .. } => fill(send, seq),
            Exchange::Http(_) => {}
            Exchange::Sockperf(c) => c.prepare(seq),
        }
    }

    /// Sends the request and reads its whole answer (the timed part).
    pub(super) async fn round_trip(
        &mut self,
        stream: &mut TcpStream,
        seq: u64,
    ) -> Result<(), ConnError> {
        match self {
            Exchange::Echo { send, recv } => {
                let (mut rd, mut wr) = stream.split();
                tokio::try_join!(wr.write_all(send), rd.read_exact(recv))?;
                Ok(())
            }
            Exchange::Http(c) => c.round_trip(stream, seq).await,
            Exchange::Sockperf(c) => c.round_trip(stream).await,
        }
    }

    /// Checks the answer to request `seq` (after the clock stops).
    pub(super) fn check(&self, seq: u64) -> Result<(), ConnError> {
        match self {
            Exchange::Echo { send, recv } => match first_mismatch(send, recv) {
                Some(offset) => Err(ConnError::Integrity { seq, offset }),
                None => Ok(()),
            },
            Exchange::Http(c) => c.check(seq),
            Exchange::Sockperf(c) => c.check(seq),
        }
    }
}
