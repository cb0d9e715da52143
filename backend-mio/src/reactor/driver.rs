//! [`Reactor`]: one worker's `mio::Poll` and the dispatch of its events.

use std::io;
use std::sync::Arc;
use std::task::Waker;
use std::time::Duration;

use mio::event::Event;
use mio::{Events, Poll};

use super::readiness::{ERROR, READABLE, READ_CLOSED, WRITABLE, WRITE_CLOSED};
use super::registry::{Registry, WAKE_TOKEN};

/// Events handled per `epoll_wait`: a bounded batch, so that a flood of ready sockets
/// cannot keep the worker from running its tasks and timers.
pub(crate) const EVENT_BATCH: usize = 1024;

/// The I/O half of a worker: blocks in `epoll_wait` and turns events into readiness
/// and wake-ups.
#[derive(Debug)]
pub(crate) struct Reactor {
    poll: Poll,
    events: Events,
    registry: Arc<Registry>,
    wake: Vec<Waker>,
}

impl Reactor {
    /// A reactor and the `mio::Waker` that interrupts its poll from other threads.
    ///
    /// # Errors
    ///
    /// If `epoll_create1`, `eventfd` or `dup` fails (out of file descriptors).
    pub(crate) fn new() -> io::Result<(Self, mio::Waker)> {
        let poll = Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKE_TOKEN)?;
        let registry = Registry::new(poll.registry().try_clone()?);
        let reactor = Reactor {
            poll,
            events: Events::with_capacity(EVENT_BATCH),
            registry,
            wake: Vec::new(),
        };
        Ok((reactor, waker))
    }

    /// The registry sources use.
    pub(crate) fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Waits up to `timeout` (`None`: forever) for events, records each source's new
    /// readiness and wakes the tasks waiting on it.
    ///
    /// # Errors
    ///
    /// If `epoll_wait` fails other than by a signal.
    pub(crate) fn turn(&mut self, timeout: Option<Duration>) -> io::Result<usize> {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(0),
            Err(e) => return Err(e),
        }
        let events = self.events.iter().count();
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
        Ok(events)
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
