//! One connection's request loop: closed or open loop, every echoed byte checked.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::errors::ConnError;
use super::pattern::{fill, first_mismatch};
use super::thread::ThreadStats;
use crate::metrics::histogram::record;

/// When the run starts, when the measured window starts, and when it ends.
#[derive(Clone, Copy, Debug)]
pub(super) struct Schedule {
    pub(super) start: Instant,
    pub(super) warmup_end: Instant,
    pub(super) end: Instant,
}

/// One connection's parameters.
#[derive(Clone, Copy, Debug)]
pub(super) struct Conn {
    /// Connection number, unique in the run; the high bits of every sequence number.
    pub(super) id: u64,
    pub(super) msg_size: usize,
    pub(super) schedule: Schedule,
    /// Open loop: the time between planned sends, and this connection's first send
    /// after `start` (spread so connections do not send in bursts).
    pub(super) open: Option<(Duration, Duration)>,
}

impl Conn {
    /// Runs requests until the window ends; counts an error on failure. Returns
    /// whether the connection ended without error.
    pub(super) async fn drive(
        self,
        mut stream: TcpStream,
        stats: Rc<RefCell<ThreadStats>>,
    ) -> bool {
        let Err(e) = self.requests(&mut stream, &stats).await else {
            return true;
        };
        let mut s = stats.borrow_mut();
        s.errors.count(&e);
        if s.first_error.is_none() {
            s.first_error = Some(format!("connection {}: {e}", self.id));
        }
        false
    }

    async fn requests(
        &self,
        stream: &mut TcpStream,
        stats: &RefCell<ThreadStats>,
    ) -> Result<(), ConnError> {
        let Schedule {
            start,
            warmup_end,
            end,
        } = self.schedule;
        let (mut rd, mut wr) = stream.split();
        let mut send = vec![0_u8; self.msg_size];
        let mut recv = vec![0_u8; self.msg_size];
        let mut seq = self.id << 40;
        let mut next = start + self.open.map_or(Duration::ZERO, |(_, offset)| offset);
        // Every connection of every thread (and, with --start-at, of every load process)
        // starts together.
        tokio::time::sleep_until(start.into()).await;
        loop {
            let planned = match self.open {
                Some((interval, _)) => {
                    if next >= end {
                        return Ok(());
                    }
                    let planned = next;
                    next += interval;
                    if planned > Instant::now() {
                        // On time: the send waits for the timer, whose lateness (up to
                        // its 1 ms granularity) is the generator's, not the server's,
                        // so latency counts from the actual send.
                        tokio::time::sleep_until(planned.into()).await;
                        None
                    } else {
                        // Late because the previous echo was late: count from the
                        // planned send (coordinated omission correction).
                        Some(planned)
                    }
                }
                None if Instant::now() >= end => return Ok(()),
                None => None,
            };
            fill(&mut send, seq);
            let sent = Instant::now();
            tokio::try_join!(wr.write_all(&send), rd.read_exact(&mut recv))?;
            let done = Instant::now();
            if let Some(offset) = first_mismatch(&send, &recv) {
                return Err(ConnError::Integrity { seq, offset });
            }
            let from = planned.unwrap_or(sent);
            if from >= warmup_end && done <= end {
                let mut s = stats.borrow_mut();
                record(&mut s.latency, done - from);
                if self.open.is_some() {
                    record(&mut s.uncorrected, done - sent);
                }
                s.requests += 1;
                s.bytes += self.msg_size as u64;
            }
            seq += 1;
        }
    }
}
