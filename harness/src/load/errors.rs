//! Errors by kind, as counted and reported.

use std::fmt;
use std::io;

use serde::{Deserialize, Serialize};

/// Why one connection stopped early.
#[derive(Debug)]
pub enum ConnError {
    /// A socket error.
    Io(io::Error),
    /// An echoed byte differed from the byte sent.
    Integrity {
        /// The request's sequence number.
        seq: u64,
        /// The offset of the first wrong byte.
        offset: usize,
    },
    /// Reconnecting after `--conn-requests` requests failed (the message says why).
    Reconnect(String),
    /// An answer of the HTTP or sockperf workload was wrong (counted as an integrity
    /// error).
    Response {
        /// The request's sequence number.
        seq: u64,
        /// What was wrong.
        why: String,
    },
}

impl fmt::Display for ConnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnError::Io(e) => write!(f, "{e}"),
            ConnError::Integrity { seq, offset } => write!(
                f,
                "echo of request {seq} differs from what was sent at byte {offset}"
            ),
            ConnError::Reconnect(why) => write!(f, "cannot reconnect: {why}"),
            ConnError::Response { seq, why } => write!(f, "answer to request {seq}: {why}"),
        }
    }
}

impl From<io::Error> for ConnError {
    fn from(e: io::Error) -> Self {
        ConnError::Io(e)
    }
}

/// Error counts by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCounts {
    /// Connections that could not be established (at the start, or when reconnecting
    /// after `--conn-requests` requests).
    pub connect: u64,
    /// Echoes whose bytes differed from what was sent, and wrong answers of the HTTP
    /// and sockperf workloads.
    pub integrity: u64,
    /// Connections the server closed mid-run (EOF).
    pub closed: u64,
    /// Connections reset or broken (ECONNRESET, EPIPE).
    pub reset: u64,
    /// Other socket errors.
    pub other: u64,
}

impl ErrorCounts {
    /// All errors.
    pub fn total(&self) -> u64 {
        self.connect + self.integrity + self.closed + self.reset + self.other
    }

    /// Adds `other`'s counts.
    pub fn add(&mut self, o: &ErrorCounts) {
        self.connect += o.connect;
        self.integrity += o.integrity;
        self.closed += o.closed;
        self.reset += o.reset;
        self.other += o.other;
    }

    /// Counts one connection error under its kind.
    pub fn count(&mut self, e: &ConnError) {
        match e {
            ConnError::Integrity { .. } | ConnError::Response { .. } => self.integrity += 1,
            ConnError::Reconnect(_) => self.connect += 1,
            ConnError::Io(e) => match e.kind() {
                io::ErrorKind::UnexpectedEof => self.closed += 1,
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::ConnectionAborted => self.reset += 1,
                _ => self.other += 1,
            },
        }
    }
}
