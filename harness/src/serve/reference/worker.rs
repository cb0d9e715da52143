//! One thread of the reference server: a `mio::Poll` (epoll, edge-triggered), its
//! connections, and, on the accepting thread, the listener.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use slab::Slab;

use super::conn::{Conn, Next};
use crate::serve::{EchoConfig, Responder, ServerStats};

/// The token of a thread's waker: new connections in its inbox, or stop.
pub(super) const WAKER: Token = Token(usize::MAX);
/// The token of a thread's listener.
const LISTENER: Token = Token(usize::MAX - 1);
/// How long the accepting thread waits before it retries after an accept error
/// (EMFILE...): the backlog keeps the connection, and no new edge would come for it.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(5);

/// A thread's queue of connections accepted elsewhere, and the waker that tells it.
#[derive(Debug)]
pub(super) struct Inbox {
    pub(super) queue: Mutex<Vec<TcpStream>>,
    pub(super) waker: Waker,
}

/// What the threads share.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) stop: AtomicBool,
    pub(super) inboxes: Vec<Inbox>,
    /// The round-robin counter of the accepting thread (`accept single`).
    pub(super) next: AtomicUsize,
    pub(super) stats: Arc<ServerStats>,
    /// The read buffer's size, and the per-request work with the message size it
    /// counts requests by.
    pub(super) echo: EchoConfig,
}

impl Shared {
    /// Asks every thread to stop, and wakes it.
    pub(super) fn stop(&self) {
        self.stop.store(true, Ordering::Release);
        for inbox in &self.inboxes {
            let _ = inbox.waker.wake();
        }
    }
}

/// A listener and whether its connections are handed round-robin to every thread
/// (`accept single`) or kept (`accept reuseport`).
#[derive(Debug)]
pub(super) struct Listener {
    pub(super) listener: TcpListener,
    pub(super) hand_off: bool,
}

/// One thread's event loop.
#[derive(Debug)]
pub(super) struct Worker {
    pub(super) index: usize,
    pub(super) poll: Poll,
    pub(super) listener: Option<Listener>,
    pub(super) shared: Arc<Shared>,
    conns: Slab<Conn>,
}

impl Worker {
    /// Worker `index` on `poll`, accepting on `listener` if it has one.
    ///
    /// # Errors
    ///
    /// If the listener cannot be registered.
    pub(super) fn new(
        index: usize,
        poll: Poll,
        mut listener: Option<Listener>,
        shared: Arc<Shared>,
    ) -> io::Result<Worker> {
        if let Some(l) = &mut listener {
            poll.registry()
                .register(&mut l.listener, LISTENER, Interest::READABLE)?;
        }
        Ok(Worker {
            index,
            poll,
            listener,
            shared,
            conns: Slab::new(),
        })
    }

    /// Runs until [`Shared::stop`]; the connections close when it returns.
    pub(super) fn run(mut self) {
        let mut events = Events::with_capacity(1024);
        let mut buf = vec![0_u8; self.shared.echo.buf_size.max(1)];
        let mut retry_accept = false;
        loop {
            let timeout = retry_accept.then_some(ACCEPT_ERROR_PAUSE);
            match self.poll.poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return,
            }
            if self.shared.stop.load(Ordering::Acquire) {
                return;
            }
            if retry_accept {
                retry_accept = !self.accept();
            }
            for event in events.iter() {
                match event.token() {
                    WAKER => self.adopt(),
                    LISTENER => retry_accept = !self.accept(),
                    Token(key) => {
                        let (stats, echo) = (&self.shared.stats, &self.shared.echo);
                        let next = self
                            .conns
                            .get_mut(key)
                            .map(|c| c.on_ready(&mut buf, stats, echo, event.is_read_closed()));
                        if next == Some(Next::Close) {
                            let mut conn = self.conns.remove(key);
                            let _ = self.poll.registry().deregister(&mut conn.stream);
                        }
                    }
                }
            }
        }
    }

    /// Accepts until `WouldBlock`; `false` after an accept error (retry later).
    fn accept(&mut self) -> bool {
        let Some(l) = self.listener.take() else {
            return true;
        };
        let ok = self.accept_from(&l);
        self.listener = Some(l);
        ok
    }

    fn accept_from(&mut self, l: &Listener) -> bool {
        let threads = self.shared.inboxes.len();
        loop {
            match l.listener.accept() {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    let target = if l.hand_off {
                        self.shared.next.fetch_add(1, Ordering::Relaxed) % threads
                    } else {
                        self.index
                    };
                    if target == self.index {
                        self.register(stream);
                    } else {
                        let inbox = &self.shared.inboxes[target];
                        inbox
                            .queue
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(stream);
                        let _ = inbox.waker.wake();
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    self.shared.stats.accept_error();
                    return false;
                }
            }
        }
    }

    /// Registers the connections other threads handed to this one.
    fn adopt(&mut self) {
        let streams = std::mem::take(
            &mut *self.shared.inboxes[self.index]
                .queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for stream in streams {
            self.register(stream);
        }
    }

    /// Registers `stream` for both edges. epoll reports a socket that is already
    /// readable when it is added, so data that arrived before is not missed.
    fn register(&mut self, stream: TcpStream) {
        let entry = self.conns.vacant_entry();
        let key = entry.key();
        let mut conn = Conn::new(stream, self.shared.echo.expects_header())
            .responding(Responder::new(self.shared.echo.workload));
        let interest = Interest::READABLE | Interest::WRITABLE;
        if self
            .poll
            .registry()
            .register(&mut conn.stream, Token(key), interest)
            .is_err()
        {
            self.shared.stats.accept_error();
            return;
        }
        self.shared.stats.accepted();
        entry.insert(conn);
    }
}
