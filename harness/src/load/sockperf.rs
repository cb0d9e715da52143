//! The sockperf workload's client: every message of `--msg-size` bytes (at least the
//! 14-byte header) asks for a reply, one at a time per connection, and every reply is
//! checked: sequence number, flags (client flag cleared), length and payload.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::errors::ConnError;
use super::pattern::{fill, first_mismatch};
use crate::serve::sockperf::{Header, CLIENT, HEADER, PONG_REQUEST};

/// One connection's message and its reply.
#[derive(Debug)]
pub(super) struct SockperfClient {
    send: Vec<u8>,
    recv: Vec<u8>,
}

impl SockperfClient {
    /// Messages of `msg_size` bytes, raised to the header's 14 if smaller.
    pub(super) fn new(msg_size: usize) -> SockperfClient {
        let len = msg_size.max(HEADER);
        SockperfClient {
            send: vec![0; len],
            recv: vec![0; len],
        }
    }

    /// Writes message `seq`: its header, then the payload pattern of `seq`.
    pub(super) fn prepare(&mut self, seq: u64) {
        let header = Header {
            seq,
            flags: CLIENT | PONG_REQUEST,
            len: self.send.len() as u32,
        };
        self.send[..HEADER].copy_from_slice(&header.bytes());
        fill(&mut self.send[HEADER..], seq);
    }

    /// Sends the message and reads its reply.
    pub(super) async fn round_trip(&mut self, stream: &mut TcpStream) -> Result<(), ConnError> {
        let (mut rd, mut wr) = stream.split();
        tokio::try_join!(wr.write_all(&self.send), rd.read_exact(&mut self.recv))?;
        Ok(())
    }

    /// Checks the reply to message `seq`.
    pub(super) fn check(&self, seq: u64) -> Result<(), ConnError> {
        let expected = Header {
            seq,
            flags: PONG_REQUEST,
            len: self.send.len() as u32,
        };
        match Header::parse(&self.recv) {
            Some(h) if h == expected => {}
            got => {
                return Err(ConnError::Response {
                    seq,
                    why: format!("reply header {got:?}, expected {expected:?}"),
                })
            }
        }
        match first_mismatch(&self.send[HEADER..], &self.recv[HEADER..]) {
            Some(offset) => Err(ConnError::Integrity {
                seq,
                offset: offset + HEADER,
            }),
            None => Ok(()),
        }
    }
}
