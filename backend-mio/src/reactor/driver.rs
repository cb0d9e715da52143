//! [`MioReactor`]: one worker's `mio::Poll` and the dispatch of its events.

use std::io;
use std::sync::Arc;
use std::task::Waker;
use std::time::Instant;

use mio::event::Event;
use mio::{Events, Poll};
use pool_exec::{Reactor, Wait};

use super::readiness::{ERROR, READABLE, READ_CLOSED, WRITABLE, WRITE_CLOSED};
use super::registry::{self, Registry, WAKE_TOKEN};

/// Events handled per `epoll_wait`: a bounded batch, so that a flood of ready sockets
/// cannot keep the worker from running its tasks and timers.
pub(crate) const EVENT_BATCH: usize = 1024;

/// The I/O half of a [`MioWorker`](crate::MioWorker): blocks in `epoll_wait` and
/// turns events into readiness and wake-ups. Only [`pool_exec::Worker`] uses it.
#[derive(Debug)]
pub struct MioReactor {
    poll: Poll,
    events: Events,
    registry: Arc<Registry>,
    wake: Vec<Waker>,
}

impl MioReactor {
    /// A reactor and the `mio::Waker` that interrupts its poll from other threads.
    ///
    /// # Errors
    ///
    /// If `epoll_create1`, `eventfd` or `dup` fails (out of file descriptors).
    pub(crate) fn new() -> io::Result<(Self, mio::Waker)> {
        let poll = Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKE_TOKEN)?;
        let registry = Registry::new(poll.registry().try_clone()?);
        let reactor = MioReactor {
            poll,
            events: Events::with_capacity(EVENT_BATCH),
            registry,
            wake: Vec::new(),
        };
        Ok((reactor, waker))
    }

    /// Records each event's readiness on its source and wakes the tasks waiting on it.
    fn dispatch(&mut self) {
        {
            let sources = self.registry.sources();
            for event in self.events.iter() {
                if event.token() == WAKE_TOKEN {
                    continue;
                }
                if let Some(state) = sources.get(event.token().0) {
                    state.set_readiness(ready_bits(event), &mut self.wake);
                }
            }
        }
        for waker in self.wake.drain(..) {
            waker.wake();
        }
    }
}

impl Reactor for MioReactor {
    type Guard = registry::EnterGuard;

    const NAME: &'static str = "backend-mio";

    /// One `epoll_wait`, with a zero timeout for [`Wait::No`], up to the deadline
    /// otherwise; then the readiness of each event's source, and its wake-ups.
    fn turn(&mut self, wait: Wait) -> io::Result<()> {
        let timeout = match wait {
            Wait::No => Some(std::time::Duration::ZERO),
            Wait::Until(deadline) => deadline.map(|d| d.saturating_duration_since(Instant::now())),
        };
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            // epoll_wait only fails on a bad descriptor or memory fault: a bug.
            Err(e) => return Err(io::Error::new(e.kind(), format!("epoll_wait failed: {e}"))),
        }
        self.dispatch();
        Ok(())
    }

    fn enter(&self) -> registry::EnterGuard {
        registry::enter(Arc::clone(&self.registry))
    }
}

fn ready_bits(event: &Event) -> usize {
    let mut ready = 0;
    if event.is_readable() {
        ready |= READABLE;
    }
    if event.is_writable() {
        ready |= WRITABLE;
    }
    if event.is_read_closed() {
        ready |= READ_CLOSED;
    }
    if event.is_write_closed() {
        ready |= WRITE_CLOSED;
    }
    if event.is_error() {
        ready |= ERROR;
    }
    ready
}
