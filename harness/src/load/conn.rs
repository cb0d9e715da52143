//! One connection's request loop: closed or open loop, every echoed byte checked.
//!
//! # What is counted, and from when
//!
//! A request counts when its echo completes inside the measured window, whenever it was
//! planned: above capacity the open-loop schedule falls ever further behind, and those
//! late requests are exactly the ones to report.
//!
//! Open loop, for a request planned at `planned` on a connection whose previous echo
//! completed at `ready`, sent at `sent` and echoed at `done`:
//!
//! - `due = max(planned, ready)`: the earliest instant the generator could send it;
//! - the generator's **lag** is `sent - due`: the generator's own lateness (timer
//!   wake-up, a busy client thread), never the server's;
//! - the **corrected latency** is `done - planned - lag`, that is
//!   `(done - sent) + (due - planned)`: the echo's own time plus the time the request
//!   waited for the server to finish the previous one (coordinated omission
//!   correction, as wrk2 does), minus whatever the generator itself added;
//! - the **uncorrected latency** is `done - sent`.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::errors::ConnError;
use super::pacer::Pacer;
use super::pattern::{fill, first_mismatch};
use super::thread::ThreadStats;

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
    /// after `start` (spread so connections do not send in bursts). Open loop needs the
    /// thread's [`Pacer`].
    pub(super) open: Option<(Duration, Duration)>,
}

impl Conn {
    /// Runs requests until the window ends; counts an error on failure. Returns
    /// whether the connection ended without error.
    pub(super) async fn drive(
        self,
        mut stream: TcpStream,
        stats: Rc<RefCell<ThreadStats>>,
        pacer: Option<Pacer>,
    ) -> bool {
        let Err(e) = self.requests(&mut stream, &stats, pacer.as_ref()).await else {
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
        pacer: Option<&Pacer>,
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
        let mut ready = start;
        loop {
            let planned = match self.open {
                Some((interval, _)) => {
                    if next >= end {
                        return Ok(());
                    }
                    let planned = next;
                    next += interval;
                    // At once if the schedule is behind (the previous echo was late).
                    if let Some(pacer) = pacer {
                        pacer.until(planned).await;
                    }
                    Some(planned)
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
            let timing = Timing {
                planned,
                ready,
                sent,
                done,
            };
            stats
                .borrow_mut()
                .count(&timing, start, warmup_end..=end, self.msg_size);
            ready = done;
            seq += 1;
        }
    }
}

/// When one request was planned, could leave, left, and came back.
#[derive(Clone, Copy, Debug)]
pub(super) struct Timing {
    /// Open loop: the planned send.
    pub(super) planned: Option<Instant>,
    /// When the connection's previous echo completed (or the run started).
    pub(super) ready: Instant,
    /// The actual send.
    pub(super) sent: Instant,
    /// The echo's completion.
    pub(super) done: Instant,
}

impl Timing {
    /// The generator's own lateness (open loop): actual send minus
    /// `max(planned, ready)`.
    pub(super) fn lag(&self) -> Option<Duration> {
        self.planned
            .map(|p| self.sent.saturating_duration_since(p.max(self.ready)))
    }

    /// The latency charged to the server: closed loop from the send; open loop from
    /// the planned send, less the generator's lag.
    pub(super) fn corrected(&self) -> Duration {
        match self.planned {
            None => self.done - self.sent,
            Some(p) => (self.done - self.sent) + self.ready.max(p).saturating_duration_since(p),
        }
    }
}
