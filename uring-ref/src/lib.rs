//! The io_uring reference echo loop: the limit of the io_uring model, without a runtime.
//!
//! Each thread owns one io_uring and echoes its connections inline, from completions:
//! no tasks, no wakers, no futures. It is the io_uring counterpart of the harness's
//! epoll reference (`epoll-ref`), and what an io_uring backend is measured against.
//!
//! - **Accept**: one multishot accept per listener (`IORING_ACCEPT_MULTISHOT`). With one
//!   listener, its thread hands connections round-robin to every thread (through a
//!   mutex-guarded inbox and an eventfd that the receiving thread's ring reads); with
//!   one `SO_REUSEPORT` listener per thread, each keeps its own.
//! - **Receive**: one multishot receive per connection (`IORING_RECV_MULTISHOT`) into a
//!   provided buffer ring (`IORING_REGISTER_PBUF_RING`), re-armed when the kernel ends
//!   it (no buffer left, `ENOBUFS`). The bytes are copied out and the buffer goes back
//!   to the ring at once.
//! - **Send**: from a buffer the connection owns, one send in flight per connection;
//!   bytes that arrive meanwhile queue behind it.
//! - **Setup**: `IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN` where the
//!   kernel has them (6.1), else `SINGLE_ISSUER | COOP_TASKRUN` (6.0), else
//!   `COOP_TASKRUN` (5.19), else none; [`Worker::run`] reports which ([`Setup`]).
//!
//! The ring set-up, the buffer ring and the meaning of multishot completions are
//! `uring-core`'s, shared with `backend-uring`; this crate is only the echo loop.
//!
//! Safety rests on three invariants, named at every `unsafe` block: a buffer the kernel
//! may write to or read from (the buffer ring, a send buffer, the eventfd counter) is
//! not freed or moved until the completion of every operation on it has been reaped,
//! or the ring was drained at shutdown (if a drain times out, the memory is leaked,
//! never freed); a descriptor is closed only once no operation on it is in flight; and
//! each io_uring is created, used and dropped by its one thread.
//!
//! io_uring may be unavailable: a kernel without it, `kernel.io_uring_disabled`, a
//! seccomp filter. [`probe`] says so, with the reason, and [`Worker::run`] reports it
//! through its `started` callback instead of running.

#![deny(missing_docs)]

mod respond;
mod worker;

use std::fs::File;
use std::io;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

pub use respond::{Respond, Responders};
pub use uring_core::SetupMode as Setup;
pub use worker::Worker;

/// The report name of the io_uring reference server.
pub const NAME: &str = "uring-ref";

/// Set this environment variable (to anything) to make [`probe`] and every worker
/// fail as if io_uring were unavailable: the way tests reach the fallback path on a
/// machine that has io_uring.
pub const DISABLE_ENV: &str = uring_core::FORCE_UNAVAILABLE_ENV;

/// What a server counts: the harness's per-worker statistics.
pub trait Counters: Sync {
    /// A connection was accepted and registered on the calling thread.
    fn accepted(&self);
    /// `bytes` were echoed back (their send completed) on the calling thread.
    fn echoed(&self, bytes: usize);
    /// An accept failed (`EMFILE`...).
    fn accept_error(&self);
}

/// Whether io_uring can be used here, and which setup a worker would get.
///
/// # Errors
///
/// Why not: `ENOSYS` (a kernel without io_uring), `EPERM` (disabled by the
/// `kernel.io_uring_disabled` sysctl, or refused by seccomp), or [`DISABLE_ENV`].
///
/// ```
/// match uring_ref::probe() {
///     Ok(setup) => println!("io_uring available: {setup}"),
///     Err(why) => println!("io_uring unavailable: {why}"),
/// }
/// ```
pub fn probe() -> io::Result<Setup> {
    uring_core::build_best(8).map(|(_, setup)| setup)
}

/// A connection handed to another thread, and the eventfd that tells it.
#[derive(Debug)]
struct Inbox {
    queue: Mutex<Vec<TcpStream>>,
    eventfd: File,
}

/// What the threads of one server share: their inboxes, the round-robin counter of the
/// accepting thread, and the stop flag.
pub struct Group {
    stop: AtomicBool,
    inboxes: Vec<Inbox>,
    next: AtomicUsize,
    buf_size: usize,
    /// Each connection's protocol; `None`: the echo.
    responders: Option<Responders>,
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group")
            .field("inboxes", &self.inboxes.len())
            .field("buf_size", &self.buf_size)
            .field("echo", &self.responders.is_none())
            .finish_non_exhaustive()
    }
}

impl Group {
    /// A group of `threads` workers whose receive buffers hold `buf_size` bytes each.
    ///
    /// # Errors
    ///
    /// If an eventfd cannot be created (out of descriptors).
    pub fn new(threads: usize, buf_size: usize) -> io::Result<Group> {
        let inboxes = (0..threads.max(1))
            .map(|_| {
                Ok(Inbox {
                    queue: Mutex::new(Vec::new()),
                    eventfd: uring_core::eventfd(false)?,
                })
            })
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Group {
            stop: AtomicBool::new(false),
            inboxes,
            next: AtomicUsize::new(0),
            buf_size: buf_size.max(64),
            responders: None,
        })
    }

    /// Gives every connection a [`Respond`] made by `make`, instead of the echo.
    pub fn respond_with(mut self, make: Responders) -> Group {
        self.responders = Some(make);
        self
    }

    fn responder(&self) -> Option<Box<dyn Respond>> {
        self.responders.as_ref().map(|make| make())
    }

    /// Asks every worker to stop, and wakes it; each closes its connections and
    /// returns from [`Worker::run`].
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
        for inbox in &self.inboxes {
            uring_core::signal(&inbox.eventfd);
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// Queues `stream` for worker `target`, and wakes it.
    fn hand_to(&self, target: usize, stream: TcpStream) {
        let inbox = &self.inboxes[target];
        inbox
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(stream);
        uring_core::signal(&inbox.eventfd);
    }

    fn take_inbox(&self, index: usize) -> Vec<TcpStream> {
        std::mem::take(
            &mut *self.inboxes[index]
                .queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }
}
