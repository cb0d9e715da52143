//! Per-request CPU work on hot connections (`--work-us`): the server side of the
//! skewed load ([`crate::plan::Skew`]).
//!
//! # A busy loop on purpose
//!
//! Elsewhere a worker must never block. Here it must: a hot request stands for a
//! request handler that computes (parses, hashes, renders) before it answers, and
//! such a handler occupies its worker for as long as it computes. That is exactly the
//! load under which a per-thread pool's placement matters and work stealing helps. So
//! the work is real CPU time on the worker thread, a loop on the monotonic clock
//! (`Instant::now` is a vDSO call, no syscall), not a sleep and not a yield: it shows
//! in the worker's CPU time, its busy share and the server CPU per echo.

use std::io;
use std::time::{Duration, Instant};

use super::stats::ServerStats;
use crate::plan::{Hotness, Workload};

/// What a server needs to know to echo one connection.
#[derive(Clone, Copy, Debug)]
pub struct EchoConfig {
    /// Bytes read at a time.
    pub buf_size: usize,
    /// The clients' message size: one request is this many bytes.
    pub msg_size: usize,
    /// CPU work per request of a hot connection; zero: none, and no header is read.
    pub work: Duration,
    /// What the connection speaks (the skewed load is the echo's only).
    pub workload: Workload,
}

impl EchoConfig {
    /// Whether connections start with a hotness header.
    pub fn expects_header(&self) -> bool {
        !self.work.is_zero()
    }

    /// The work of a connection whose header byte is `byte`: `Some` for a hot one,
    /// `None` for a cold one.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidData`] for a byte no client sends: the server closes
    /// such a connection.
    pub fn after_header(&self, byte: u8) -> io::Result<Option<HotWork>> {
        match Hotness::from_byte(byte) {
            Some(Hotness::Hot) => Ok(Some(HotWork {
                work: self.work,
                msg_size: self.msg_size.max(1) as u64,
                received: 0,
            })),
            Some(Hotness::Cold) => Ok(None),
            None => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad hotness header byte {byte:#04x} (the server runs with --work-us)"),
            )),
        }
    }
}

/// The work owed by one hot connection: [`HotWork::on_read`] computes once for every
/// request a read completes.
#[derive(Debug)]
pub struct HotWork {
    work: Duration,
    msg_size: u64,
    /// Bytes received so far, header excluded.
    received: u64,
}

impl HotWork {
    /// Called with each read of `n` bytes, before they are written back: computes for
    /// [`EchoConfig::work`] once per request whose last byte this read brought (a
    /// request split over two reads costs once, when it is complete), and counts them
    /// on the calling worker.
    pub fn on_read(&mut self, n: usize, stats: &ServerStats) {
        let before = self.received / self.msg_size;
        self.received += n as u64;
        let completed = self.received / self.msg_size - before;
        if completed > 0 {
            compute(self.work * completed as u32);
            stats.worked(completed);
        }
    }
}

/// Occupies the calling thread's CPU for `d` (see the module docs).
fn compute(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_costs_once_however_it_is_split() {
        let cfg = EchoConfig {
            buf_size: 4096,
            msg_size: 10,
            work: Duration::from_micros(1),
            workload: Workload::Echo,
        };
        let stats = ServerStats::new(1);
        let mut hot = cfg.after_header(Hotness::Hot.byte()).unwrap().unwrap();
        // 4 + 6 (one request), 25 (two and a half), 5 (the half): four requests.
        for n in [4, 6, 25, 5] {
            hot.on_read(n, &stats);
        }
        assert_eq!(stats.snapshot().other.hot, 4);
        assert!(cfg.after_header(Hotness::Cold.byte()).unwrap().is_none());
        let err = cfg.after_header(0).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn compute_takes_at_least_its_time() {
        let start = Instant::now();
        compute(Duration::from_micros(200));
        assert!(start.elapsed() >= Duration::from_micros(200));
    }
}
