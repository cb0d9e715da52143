//! One connection's request loop: closed or open loop, every echoed byte (or every
//! answer of the HTTP and sockperf workloads, [`Exchange`]) checked.
//!
//! # What is counted, and from when
//!
//! A request counts when its echo completes inside the measured window, whenever it was
//! planned: above capacity the open-loop schedule falls ever further behind, and those
//! late requests are exactly the ones to report.
//!
//! Open loop, for a request planned at `planned`, sent at `sent` and echoed at `done`,
//! on a connection whose previous echo completed at `last_done`:
//!
//! - the generator's **lag** is `sent - max(planned, last_done)`: how late the
//!   generator sent a request it could have sent (timer wake-up, a busy or preempted
//!   client thread). It is the generator's, never the server's;
//! - the **corrected latency** is measured on the timeline a perfect generator would
//!   have produced with the same echo times: there, the request leaves at
//!   `ideal_sent = max(planned, ideal_done of the previous request)` and completes at
//!   `ideal_done = ideal_sent + (done - sent)`, and its latency is
//!   `ideal_done - planned`. That is the echo's own time plus the time the request
//!   waited for the server to finish earlier ones (coordinated omission correction, as
//!   wrk2 does), without the generator's lag on this request or any earlier one (a
//!   late send delays its echo, which would otherwise make the next request look
//!   queued);
//! - the **uncorrected latency** is `done - sent`.
//!
//! # Skew and churn
//!
//! With per-request work on the server ([`Skew`]), a connection first sends its
//! one-byte hotness header, before the run starts and before any request; the header
//! is not echoed. With churn (`--conn-requests N`), a connection closes after its
//! `N`-th echo and reconnects at once (sending a new header: the hot set moves with
//! the generations), in the gap before its next request. The reconnect is not charged
//! to any request's latency: closed loop, the next request is sent when the new
//! connection is up; open loop, a reconnect that overruns the gap shows as the
//! generator's lag.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::connect::connect;
use super::errors::ConnError;
use super::exchange::Exchange;
use super::pacer::Pacer;
use super::spin;
use super::thread::ThreadStats;
use crate::plan::{Hotness, Skew, Workload};

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
    /// Per-request work on a share of the connections: send the hotness header.
    pub(super) skew: Option<Skew>,
    /// Close and reconnect every so many requests.
    pub(super) churn: Option<Churn>,
    /// What the requests are, and the server where they go.
    pub(super) workload: (Workload, SocketAddr),
}

/// Connection churn: where to reconnect, and after how many requests.
#[derive(Clone, Copy, Debug)]
pub(super) struct Churn {
    /// Requests per connection.
    pub(super) requests: u64,
    /// The server.
    pub(super) target: SocketAddr,
    /// Give up reconnecting after this long.
    pub(super) connect_timeout: Duration,
}

impl Conn {
    /// Runs requests until the window ends; counts an error on failure. Returns
    /// whether the connection ended without error.
    pub(super) async fn drive(
        self,
        stream: TcpStream,
        stats: Rc<RefCell<ThreadStats>>,
        pacer: Option<Pacer>,
    ) -> bool {
        let Err(e) = self.requests(stream, &stats, pacer.as_ref()).await else {
            return true;
        };
        let mut s = stats.borrow_mut();
        s.errors.count(&e);
        if s.first_error.is_none() {
            s.first_error = Some(format!("connection {}: {e}", self.id));
        }
        false
    }

    /// Sends the hotness header of this connection's `generation`, if the run has
    /// per-request work; returns whether the connection is hot.
    async fn hello(&self, stream: &mut TcpStream, generation: u64) -> Result<bool, ConnError> {
        let Some(skew) = self.skew else {
            return Ok(false);
        };
        let hotness = skew.hotness(self.id, generation);
        stream.write_all(&[hotness.byte()]).await?;
        Ok(hotness == Hotness::Hot)
    }

    /// Closes `stream` and connects anew (generation `generation`).
    async fn reconnect(
        &self,
        stream: TcpStream,
        churn: &Churn,
        generation: u64,
    ) -> Result<(TcpStream, bool), ConnError> {
        drop(stream);
        let (mut stream, _took) = connect(churn.target, churn.connect_timeout, self.id)
            .await
            .map_err(|failure| ConnError::Reconnect(failure.to_string()))?;
        let hot = self.hello(&mut stream, generation).await?;
        Ok((stream, hot))
    }

    async fn requests(
        &self,
        mut stream: TcpStream,
        stats: &RefCell<ThreadStats>,
        pacer: Option<&Pacer>,
    ) -> Result<(), ConnError> {
        let Schedule {
            start,
            warmup_end,
            end,
        } = self.schedule;
        let mut generation = 0;
        let mut hot = self.hello(&mut stream, generation).await?;
        let mut on_this_conn = 0_u64;
        let mut exchange = Exchange::new(self.workload.0, self.msg_size, self.workload.1);
        let mut seq = self.id << 40;
        let mut next = start + self.open.map_or(Duration::ZERO, |(_, offset)| offset);
        // Every connection of every thread (and, with --start-at, of every load process)
        // starts together.
        tokio::time::sleep_until(start.into()).await;
        // The previous echo's completion: actual, and on the ideal timeline.
        let (mut last_done, mut ideal_done) = (start, start);
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
            exchange.prepare(seq);
            let sent = Instant::now();
            spin::worked();
            exchange.round_trip(&mut stream, seq).await?;
            let done = Instant::now();
            spin::worked();
            exchange.check(seq)?;
            let timing = Timing {
                planned,
                last_done,
                ideal_last_done: ideal_done,
                sent,
                done,
            };
            stats
                .borrow_mut()
                .count(&timing, start, warmup_end..=end, (self.msg_size, hot));
            last_done = done;
            ideal_done = timing.ideal_done();
            seq += 1;
            on_this_conn += 1;
            if let Some(churn) = &self.churn {
                if on_this_conn >= churn.requests && Instant::now() < end {
                    generation += 1;
                    (stream, hot) = self.reconnect(stream, churn, generation).await?;
                    on_this_conn = 0;
                    stats.borrow_mut().reconnects += 1;
                }
            }
        }
    }
}

/// When one request was planned, could leave, left, and came back.
#[derive(Clone, Copy, Debug)]
pub(super) struct Timing {
    /// Open loop: the planned send.
    pub(super) planned: Option<Instant>,
    /// When the connection's previous echo completed (or the run started).
    pub(super) last_done: Instant,
    /// The same on the timeline of a generator that is never late.
    pub(super) ideal_last_done: Instant,
    /// The actual send.
    pub(super) sent: Instant,
    /// The echo's completion.
    pub(super) done: Instant,
}

impl Timing {
    /// The generator's own lateness (open loop): actual send minus
    /// `max(planned, last_done)`.
    pub(super) fn lag(&self) -> Option<Duration> {
        self.planned
            .map(|p| self.sent.saturating_duration_since(p.max(self.last_done)))
    }

    /// The echo's completion on the timeline of a generator that is never late.
    pub(super) fn ideal_done(&self) -> Instant {
        let echo = self.done - self.sent;
        match self.planned {
            None => self.done,
            Some(p) => p.max(self.ideal_last_done) + echo,
        }
    }

    /// The latency charged to the server: closed loop from the send; open loop from
    /// the planned send on the ideal timeline (see the module docs).
    pub(super) fn corrected(&self) -> Duration {
        match self.planned {
            None => self.done - self.sent,
            Some(p) => self.ideal_done().saturating_duration_since(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(base: Instant, us: u64) -> Instant {
        base + Duration::from_micros(us)
    }

    #[test]
    fn the_generators_lag_is_not_charged_and_does_not_propagate() {
        let t0 = Instant::now();
        // Planned at 100, sent 30 µs late at 130, echoed in 10 µs.
        let late = Timing {
            planned: Some(at(t0, 100)),
            last_done: t0,
            ideal_last_done: t0,
            sent: at(t0, 130),
            done: at(t0, 140),
        };
        assert_eq!(late.lag(), Some(Duration::from_micros(30)));
        assert_eq!(late.corrected(), Duration::from_micros(10));
        // The next, planned at 105 (before the late echo came back): sent at once
        // at 141. The wait for the late echo is the generator's too.
        let next = Timing {
            planned: Some(at(t0, 105)),
            last_done: late.done,
            ideal_last_done: late.ideal_done(),
            sent: at(t0, 141),
            done: at(t0, 151),
        };
        assert_eq!(next.lag(), Some(Duration::from_micros(1)));
        assert_eq!(next.corrected(), Duration::from_micros(15));
    }

    #[test]
    fn a_slow_server_is_charged_from_the_planned_send() {
        let t0 = Instant::now();
        // An echo of 50 µs; the next request, planned 10 µs after the first, waits.
        let slow = Timing {
            planned: Some(t0),
            last_done: t0,
            ideal_last_done: t0,
            sent: t0,
            done: at(t0, 50),
        };
        let queued = Timing {
            planned: Some(at(t0, 10)),
            last_done: slow.done,
            ideal_last_done: slow.ideal_done(),
            sent: at(t0, 50),
            done: at(t0, 60),
        };
        assert_eq!(queued.lag(), Some(Duration::ZERO));
        assert_eq!(queued.corrected(), Duration::from_micros(50));
    }
}
