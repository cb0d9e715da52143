//! One connection of any workload ([`crate::plan::Workload`]): the pools' dispatch
//! ([`serve_conn`]) and the references' I/O-free [`Responder`].

use std::io;

use pool_core::net::OwnedIo;
use tokio::io::{AsyncRead, AsyncWrite};

use super::echo::echo;
use super::http::{serve_http, Minimal};
use super::server::{ServerConfig, ServerError};
use super::sockperf::{serve_sockperf, Framer};
use super::stats::ServerStats;
use super::work::EchoConfig;
use crate::plan::Workload;

/// Serves one connection of a pool with `config`'s workload until the peer closes.
///
/// # Errors
///
/// The workload's first error (a reset peer, a malformed request or frame).
pub async fn serve_conn<S>(stream: S, stats: &ServerStats, config: EchoConfig) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + OwnedIo + Unpin,
{
    match config.workload {
        Workload::Echo => echo(stream, stats, config).await,
        Workload::Http => serve_http(stream, stats, config.msg_size)
            .await
            .map_err(io::Error::other),
        Workload::Sockperf => serve_sockperf(stream, stats, config.buf_size, config.msg_size).await,
    }
}

/// `Err` if `config` asks for what a server cannot do: the skewed load
/// (`--work-us`) runs on the echo workload only.
pub(super) fn check(config: &ServerConfig) -> Result<(), ServerError> {
    if !config.work.is_zero() && !config.workload.is_echo() {
        return Err(ServerError::Unavailable(io::Error::new(
            io::ErrorKind::Unsupported,
            format!(
                "the skewed load (--work-us) runs on the echo workload only, not {}",
                config.workload
            ),
        )));
    }
    Ok(())
}

/// A reference connection's protocol other than the echo, without I/O: the bytes of
/// each read in, the reply bytes out.
#[derive(Debug)]
pub enum Responder {
    /// The hand-rolled HTTP responder (answers only `GET /plaintext`).
    Http(Minimal),
    /// sockperf's framing.
    Sockperf(Framer),
}

impl Responder {
    /// The responder of a new connection of `workload`; `None` for the echo, which the
    /// references run inline.
    pub fn new(workload: Workload) -> Option<Responder> {
        match workload {
            Workload::Echo => None,
            Workload::Http => Some(Responder::Http(Minimal::default())),
            Workload::Sockperf => Some(Responder::Sockperf(Framer::default())),
        }
    }

    /// A fresh responder of the same workload, for a new connection.
    pub fn renew(&self) -> Responder {
        match self {
            Responder::Http(_) => Responder::Http(Minimal::default()),
            Responder::Sockperf(_) => Responder::Sockperf(Framer::default()),
        }
    }

    /// Appends to `out` the replies to what `input` completes, and counts each
    /// request as `msg_size` bytes on the calling worker. Returns `false` when the
    /// connection must close once `out` is written (a malformed or refused request).
    pub fn respond(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        stats: &ServerStats,
        msg_size: usize,
    ) -> bool {
        let (requests, open) = match self {
            Responder::Http(m) => {
                let a = m.respond(input, out);
                (a.requests, !a.close)
            }
            Responder::Sockperf(f) => match f.respond(input, out) {
                Ok(n) => (n, true),
                Err(_) => (0, false),
            },
        };
        for _ in 0..requests {
            stats.echoed(msg_size);
        }
        open
    }
}
