//! [`Registry`]: the part of a worker's reactor that sources use to register and
//! deregister, from any thread; and the registry of the worker on this thread.

use std::cell::RefCell;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use mio::event::Source;
use mio::{Interest, Token};
use slab::Slab;

use super::readiness::IoState;

/// The token of the worker's `mio::Waker`; sources use their slab key.
pub(crate) const WAKE_TOKEN: Token = Token(usize::MAX);

/// Registers sources with one worker's `mio::Poll` and keeps their [`IoState`], keyed
/// by the token each is registered under.
#[derive(Debug)]
pub(crate) struct Registry {
    mio: mio::Registry,
    sources: Mutex<Slab<Arc<IoState>>>,
}

impl Registry {
    pub(crate) fn new(mio: mio::Registry) -> Arc<Self> {
        Arc::new(Registry {
            mio,
            sources: Mutex::new(Slab::new()),
        })
    }

    pub(crate) fn sources(&self) -> MutexGuard<'_, Slab<Arc<IoState>>> {
        self.sources.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers `source` for reads and writes, edge-triggered; returns its key and
    /// state.
    pub(crate) fn register(&self, source: &mut impl Source) -> io::Result<(usize, Arc<IoState>)> {
        let mut sources = self.sources();
        let entry = sources.vacant_entry();
        let key = entry.key();
        self.mio
            .register(source, Token(key), Interest::READABLE | Interest::WRITABLE)?;
        let state = Arc::new(IoState::default());
        entry.insert(Arc::clone(&state));
        Ok((key, state))
    }

    /// Deregisters `source` and forgets its state.
    pub(crate) fn deregister(&self, source: &mut impl Source, key: usize) {
        // Fails only if the poll is gone; the fd is closed next anyway.
        let _ = self.mio.deregister(source);
        let removed = self.sources().try_remove(key);
        // Dropped outside the lock: it may hold wakers.
        drop(removed);
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Registry>>> = const { RefCell::new(None) };
}

/// Makes `registry` this thread's current one until the guard drops.
pub(crate) fn enter(registry: Arc<Registry>) -> EnterGuard {
    let previous = CURRENT.with(|c| c.borrow_mut().replace(registry));
    EnterGuard { previous }
}

/// Restores the previous current registry when dropped.
///
/// The [`Reactor::Guard`](pool_exec::Reactor::Guard) of [`MioReactor`](crate::MioReactor):
/// public for that, but not nameable outside the crate.
#[derive(Debug)]
#[allow(unreachable_pub)]
pub struct EnterGuard {
    previous: Option<Arc<Registry>>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = previous);
    }
}

/// The registry of the worker running on this thread.
///
/// # Errors
///
/// Off a worker.
pub(crate) fn current() -> io::Result<Arc<Registry>> {
    CURRENT
        .try_with(|c| c.borrow().clone())
        .ok()
        .flatten()
        .ok_or_else(|| {
            io::Error::other(
                "backend-mio: sockets must be created on a MioPool worker (inside a task)",
            )
        })
}
