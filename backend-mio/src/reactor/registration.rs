//! [`Registration`]: a source registered with a worker's reactor, deregistered on drop.

use std::io;
use std::task::{ready, Context, Poll};

use mio::event::Source;

use super::readiness::{Direction, IoState};
use super::registry::{self, Registry};
use pool_exec::coop;
use std::sync::Arc;

/// A mio source registered with the current worker's reactor, and the reactor's state
/// for it. Dropping it deregisters the source (from any thread) before the source, and
/// so its file descriptor, is closed.
#[derive(Debug)]
pub(crate) struct Registration<S: Source> {
    source: S,
    key: usize,
    state: Arc<IoState>,
    registry: Arc<Registry>,
}

impl<S: Source> Registration<S> {
    /// Registers `source` with the reactor of the worker on this thread.
    ///
    /// # Errors
    ///
    /// Off a worker, or if `epoll_ctl` fails.
    pub(crate) fn new(mut source: S) -> io::Result<Self> {
        let registry = registry::current()?;
        let (key, state) = registry.register(&mut source)?;
        Ok(Registration {
            source,
            key,
            state,
            registry,
        })
    }

    /// The source.
    pub(crate) fn source(&self) -> &S {
        &self.source
    }

    /// Waits until `direction` is ready, then runs the nonblocking `op`; on
    /// `WouldBlock` forgets the readiness and waits again. Charges the task's
    /// cooperative budget for each completed operation.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        op: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io_drained(cx, direction, op, |_| false)
    }

    /// As [`poll_io`](Self::poll_io), and also forgets the readiness when `drained`
    /// says a successful operation emptied the kernel buffer (a short read or write).
    ///
    /// This saves the syscall that would only return `WouldBlock`, and loses no
    /// wake-up: the operation saw everything the kernel had when it ran, and data or
    /// buffer space that arrives after it raises a new edge, which the next
    /// `epoll_wait` reports.
    pub(crate) fn poll_io_drained<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut(&S) -> io::Result<R>,
        drained: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        ready!(coop::poll_proceed(cx));
        loop {
            let event = ready!(self.state.poll_ready(cx, direction));
            match op(&self.source) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.state.clear_readiness(event);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => {
                    if matches!(&result, Ok(r) if drained(r)) {
                        self.state.clear_readiness(event);
                    }
                    coop::spend();
                    return Poll::Ready(result);
                }
            }
        }
    }

    /// Waits until `direction` is ready, and returns, without running any operation,
    /// a way to forget that readiness.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<impl FnOnce() + '_> {
        let event = ready!(self.state.poll_ready(cx, direction));
        Poll::Ready(move || self.state.clear_readiness(event))
    }
}

impl<S: Source> Drop for Registration<S> {
    fn drop(&mut self) {
        self.registry.deregister(&mut self.source, self.key);
    }
}
