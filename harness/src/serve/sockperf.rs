//! The framing of Debian's `sockperf` (3.x), server side, written once: the references
//! feed it their reads, and the pools run [`serve_sockperf`] over it.
//!
//! # The frame
//!
//! Every message starts with a 14-byte header, big-endian: a sequence number (`u64`),
//! flags (`u16`) and the whole message's length, header included (`u32`); the payload
//! follows. The flags (observed from `sockperf` 3.7's client and server):
//!
//! - [`CLIENT`] (`0x1`): the message comes from a client;
//! - [`PONG_REQUEST`] (`0x2`): the client wants it back;
//! - [`WARMUP`] (`0x4`): a warm-up message, which gets no reply.
//!
//! A server replies to a client message that asks for a reply and is not a warm-up,
//! with the whole message, its client flag cleared (`0x3` comes back as `0x2`). The
//! others get nothing: `sockperf under-load` asks for a reply to only some messages,
//! and a plain echo (which `sockperf` ignores) makes it end with "No messages were
//! received".

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::carry::Carry;
use super::stats::ServerStats;

/// Header bytes.
pub const HEADER: usize = 14;
/// The message is a client's.
pub const CLIENT: u16 = 0x1;
/// The client asks for a reply.
pub const PONG_REQUEST: u16 = 0x2;
/// A warm-up message (no reply).
pub const WARMUP: u16 = 0x4;
/// The largest message accepted (1 MiB, as `--msg-size`).
pub const MAX_MESSAGE: usize = 1 << 20;

/// A message header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The sequence number.
    pub seq: u64,
    /// The flags.
    pub flags: u16,
    /// The whole message's length, header included.
    pub len: u32,
}

impl Header {
    /// The header at the start of `bytes`, if they hold one.
    pub fn parse(bytes: &[u8]) -> Option<Header> {
        let h: &[u8; HEADER] = bytes.get(..HEADER)?.try_into().ok()?;
        Some(Header {
            seq: u64::from_be_bytes(h[0..8].try_into().ok()?),
            flags: u16::from_be_bytes([h[8], h[9]]),
            len: u32::from_be_bytes([h[10], h[11], h[12], h[13]]),
        })
    }

    /// The header's bytes.
    pub fn bytes(&self) -> [u8; HEADER] {
        let mut out = [0_u8; HEADER];
        out[0..8].copy_from_slice(&self.seq.to_be_bytes());
        out[8..10].copy_from_slice(&self.flags.to_be_bytes());
        out[10..14].copy_from_slice(&self.len.to_be_bytes());
        out
    }

    /// Whether a server replies to this message.
    pub fn wants_reply(&self) -> bool {
        self.flags & (CLIENT | PONG_REQUEST | WARMUP) == CLIENT | PONG_REQUEST
    }
}

/// One connection's framing state: the start of a message not yet complete.
#[derive(Debug, Default)]
pub struct Framer {
    partial: Carry,
}

impl Framer {
    /// Appends to `out` the replies to the messages `input` completes, keeping an
    /// incomplete one for the next call; returns how many messages it completed
    /// (replied to or not).
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidData`] for a length shorter than the header or longer
    /// than [`MAX_MESSAGE`]: the connection must close.
    pub fn respond(&mut self, input: &[u8], out: &mut Vec<u8>) -> io::Result<u64> {
        self.partial.parse(input, |data| {
            let mut at = 0;
            let mut messages = 0;
            while let Some(header) = Header::parse(&data[at..]) {
                let len = header.len as usize;
                if !(HEADER..=MAX_MESSAGE).contains(&len) {
                    let why = format!(
                        "sockperf message length {len} is outside {HEADER}..={MAX_MESSAGE}"
                    );
                    return (
                        data.len(),
                        Err(io::Error::new(io::ErrorKind::InvalidData, why)),
                    );
                }
                if data.len() - at < len {
                    break;
                }
                if header.wants_reply() {
                    let reply = Header {
                        flags: header.flags & !CLIENT,
                        ..header
                    };
                    out.extend_from_slice(&reply.bytes());
                    out.extend_from_slice(&data[at + HEADER..at + len]);
                }
                messages += 1;
                at += len;
            }
            (at, Ok(messages))
        })
    }
}

/// Serves sockperf's framing on `stream` until the peer closes, reading
/// `buf_size` bytes at a time; each message counts as `msg_size` bytes on the calling
/// worker.
///
/// # Errors
///
/// The first read or write error, or [`Framer::respond`]'s.
pub async fn serve_sockperf<S>(
    mut stream: S,
    stats: &ServerStats,
    buf_size: usize,
    msg_size: usize,
) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut framer = Framer::default();
    let mut buf = vec![0_u8; buf_size.max(HEADER)];
    let mut out = Vec::with_capacity(buf.len());
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        out.clear();
        let messages = framer.respond(&buf[..n], &mut out)?;
        if !out.is_empty() {
            stream.write_all(&out).await?;
        }
        for _ in 0..messages {
            stats.echoed(msg_size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(seq: u64, flags: u16, payload: &[u8]) -> Vec<u8> {
        let len = (HEADER + payload.len()) as u32;
        [&Header { seq, flags, len }.bytes()[..], payload].concat()
    }

    #[test]
    fn only_messages_that_ask_get_a_reply_with_the_client_flag_cleared() {
        let mut f = Framer::default();
        let mut out = Vec::new();
        let input = [
            message(1, CLIENT, b"no"),
            message(2, CLIENT | PONG_REQUEST, b"yes"),
            message(3, CLIENT | PONG_REQUEST | WARMUP, b""),
            message(4, PONG_REQUEST, b""),
        ]
        .concat();
        assert_eq!(f.respond(&input, &mut out).unwrap(), 4);
        assert_eq!(out, message(2, PONG_REQUEST, b"yes"));
    }

    #[test]
    fn a_message_split_into_single_bytes_is_answered_once() {
        let mut f = Framer::default();
        let mut out = Vec::new();
        let m = message(9, CLIENT | PONG_REQUEST, b"xy");
        let mut messages = 0;
        for b in &m {
            messages += f.respond(std::slice::from_ref(b), &mut out).unwrap();
        }
        assert_eq!(messages, 1);
        assert_eq!(out, message(9, PONG_REQUEST, b"xy"));
        assert_eq!(Header::parse(&out).unwrap().seq, 9);
    }

    #[test]
    fn a_bad_length_is_an_error() {
        let mut bad = message(1, CLIENT, b"");
        bad[13] = 3;
        let err = Framer::default()
            .respond(&bad, &mut Vec::new())
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }
}
