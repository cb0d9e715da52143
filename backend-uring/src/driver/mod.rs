//! The I/O driver of one worker: its io_uring, the operations in flight, the sockets
//! they work on, the provided buffer ring, and the eventfd that wakes the worker.

mod lent;
mod op;
mod sock;

use std::cell::RefCell;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::Waker;
use std::time::{Duration, Instant};

use io_uring::{cqueue, opcode, squeue, types, IoUring};
use pool_exec::Inbox;
use slab::Slab;

pub(crate) use lent::Lent;
pub(crate) use op::{Op, OpKind, Slot};
pub(crate) use sock::{Sock, SockRef};
use uring_core::{BufRing, Features, ONLY_GROUP};

/// Submission queue entries per ring; the completion queue has [`CQ_ENTRIES`].
const SQ_ENTRIES: u32 = 1024;
/// Completion queue entries per ring: room for many multishot completions per turn.
const CQ_ENTRIES: u32 = 8192;
/// Buffers in the provided buffer ring: as many as uring-ref's. A lent buffer stays
/// out of the ring until its echo is sent, so past half of them lent receives copy.
const RING_BUFFERS: u16 = 1024;
/// Size of each provided buffer.
const RING_BUFFER_SIZE: u32 = 4096;

/// `IORING_ENTER_GETEVENTS` (io-uring's `sys` module is private).
const ENTER_GETEVENTS: u32 = 1;

/// How long [`Driver::turn`] may wait.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Wait {
    /// Submit and reap without blocking.
    No,
    /// Block until a completion arrives, or until the deadline (`None`: no deadline).
    Until(Option<Instant>),
}

/// One worker's driver. Lives on its worker thread (an `Rc` in a thread-local while
/// the worker runs); sockets reach it through [`with`].
#[derive(Debug)]
pub(crate) struct Driver {
    /// Unique in the process: a socket checks it is used on the worker that owns it.
    pub(crate) id: u64,
    pub(crate) inbox: Arc<Inbox>,
    pub(crate) inner: RefCell<Inner>,
}

/// The driver's mutable state.
///
/// # Invariant
///
/// Ring ownership: only the worker thread that created `ring` touches it (it may be
/// set up with `IORING_SETUP_SINGLE_ISSUER`); `Inner` is `!Send` (an `Rc` holds it).
/// Buffer lifetime: see [`Op`].
pub(crate) struct Inner {
    pub(crate) ring: IoUring,
    pub(crate) features: &'static Features,
    pub(crate) ops: Slab<Op>,
    /// Socket slot operations ([`Slot`]) in flight, over all sockets.
    pub(crate) slot_ops: usize,
    pub(crate) socks: Slab<Sock>,
    /// The provided buffer ring, if the kernel has multishot receive into one. Its
    /// [`RingBuf`](uring_core::RingBuf)s hold it too.
    pub(crate) bufs: Option<Rc<BufRing>>,
    pub(crate) next_gen: u32,
    /// Wakers of tasks whose operations completed, woken by the worker after the turn.
    pub(crate) wake: Vec<Waker>,
    eventfd: Arc<File>,
    wake_armed: bool,
    /// The deadline of the earliest ring timeout in flight.
    timeout_armed: Option<Instant>,
    cqes: Vec<(u64, i32, u32)>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("ops", &self.ops.len())
            .field("socks", &self.socks.len())
            .field("features", &self.features)
            .finish_non_exhaustive()
    }
}

/// Writes a worker's eventfd: the blocking ring wait returns (its eventfd read
/// completes). Holds the eventfd open, so it is harmless after the worker exits.
pub(crate) struct EventfdUnpark(Arc<File>);

impl pool_exec::Unpark for EventfdUnpark {
    fn unpark(&self) {
        uring_core::signal(&self.0);
    }
}

impl Driver {
    /// Sets up a ring on the calling thread (which will run the worker) as `features`
    /// says, its buffer ring and its eventfd; returns the driver and the unpark for
    /// the worker's inbox, which the caller creates, then passes back in
    /// [`attach`](Driver::attach).
    ///
    /// # Errors
    ///
    /// If `io_uring_setup`, the buffer ring's registration or `eventfd` fails (out of
    /// memory or file descriptors, or `RLIMIT_MEMLOCK` on old kernels).
    pub(crate) fn setup(features: &'static Features) -> io::Result<(Inner, EventfdUnpark)> {
        // The eventfd first: nothing can fail once the buffer ring is registered.
        let eventfd = Arc::new(uring_core::eventfd(true)?);
        let mut builder = features.setup.builder();
        builder.setup_cqsize(CQ_ENTRIES).setup_clamp();
        let ring = builder.build(SQ_ENTRIES)?;
        let bufs = if features.ring_receive() {
            let submitter = ring.submitter();
            Some(BufRing::register(
                &submitter,
                ONLY_GROUP,
                RING_BUFFERS,
                RING_BUFFER_SIZE,
            )?)
        } else {
            None
        };
        let inner = Inner {
            ring,
            features,
            ops: Slab::with_capacity(256),
            slot_ops: 0,
            socks: Slab::with_capacity(256),
            bufs,
            next_gen: 0,
            wake: Vec::new(),
            eventfd: Arc::clone(&eventfd),
            wake_armed: false,
            timeout_armed: None,
            cqes: Vec::with_capacity(1024),
        };
        Ok((inner, EventfdUnpark(eventfd)))
    }

    /// Wraps the state set up by [`setup`](Driver::setup) with the worker's inbox.
    pub(crate) fn attach(inner: Inner, inbox: Arc<Inbox>) -> Rc<Driver> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Rc::new(Driver {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            inbox,
            inner: RefCell::new(inner),
        })
    }

    /// Whether operations are queued and not yet submitted.
    pub(crate) fn has_unsubmitted(&self) -> bool {
        !self.inner.borrow_mut().ring.submission().is_empty()
    }

    /// Submits what is queued and reaps completions, waiting as `wait` says; then
    /// wakes the tasks whose operations completed.
    pub(crate) fn turn(&self, wait: Wait) {
        let mut wake = {
            let mut inner = self.inner.borrow_mut();
            if let Err(e) = inner.turn(wait) {
                eprintln!("backend-uring: io_uring_enter failed: {e}");
            }
            std::mem::take(&mut inner.wake)
        };
        for waker in wake.drain(..) {
            waker.wake();
        }
        // Give the vector's allocation back for the next turn.
        let mut inner = self.inner.borrow_mut();
        if inner.wake.is_empty() {
            inner.wake = wake;
        }
    }
}

impl Inner {
    /// Allocates an op slot for `kind` on `sock`; returns its `user_data`.
    pub(crate) fn insert_op(&mut self, sock: Option<usize>, kind: OpKind) -> u64 {
        self.next_gen = op::next_gen(self.next_gen);
        let gen = self.next_gen;
        let key = self.ops.insert(Op { gen, sock, kind });
        if let Some(s) = sock {
            self.socks[s].inflight += 1;
        }
        op::user_data(key, gen)
    }

    /// Starts using `slot` of socket `sock`; returns its `user_data`. The caller puts
    /// what the operation lends the kernel into the socket (see [`Slot`]).
    pub(crate) fn insert_slot(&mut self, sock: usize, slot: Slot) -> u64 {
        let s = &mut self.socks[sock];
        s.inflight += 1;
        self.slot_ops += 1;
        op::slot_data(sock, s.gen(), slot)
    }

    /// Pushes `entry` onto the submission queue, submitting first if it is full.
    ///
    /// # Safety
    ///
    /// Every buffer and descriptor `entry` names must stay valid until its completion
    /// is reaped: owned by an [`Op`] in `self.ops` (buffer lifetime), or by a `Sock`
    /// in `self.socks` that outlives its ops (fd lifetime).
    pub(crate) unsafe fn push(&mut self, entry: &squeue::Entry) {
        loop {
            // SAFETY: the caller keeps what the entry names alive (see `# Safety`).
            if unsafe { self.ring.submission().push(entry) }.is_ok() {
                return;
            }
            // Full: hand the queue to the kernel (completions are reaped later).
            if let Err(e) = self.ring.submit() {
                if e.raw_os_error() == Some(libc::EBUSY) {
                    // The completion queue overflowed: make room, then retry.
                    self.reap();
                } else {
                    eprintln!("backend-uring: io_uring_enter failed: {e}");
                }
            }
        }
    }

    /// Queues a cancel of the op with `user_data`.
    pub(crate) fn cancel(&mut self, user_data: u64) {
        let entry = opcode::AsyncCancel::new(user_data)
            .build()
            .user_data(op::CANCEL);
        // SAFETY: a cancel names no buffer or descriptor, only a user_data.
        unsafe { self.push(&entry) };
    }

    fn arm_wake(&mut self) {
        if self.wake_armed {
            return;
        }
        let mut counter = Box::new(0u64);
        let buf = std::ptr::from_mut(&mut *counter).cast::<u8>();
        let fd = self.eventfd.as_raw_fd();
        let ud = self.insert_op(None, OpKind::WakeRead(counter));
        let entry = opcode::Read::new(types::Fd(fd), buf, 8)
            .build()
            .user_data(ud);
        // SAFETY: buffer lifetime: the counter is boxed in the op until its completion;
        // fd lifetime: `self.eventfd` lives as long as the ring.
        unsafe { self.push(&entry) };
        self.wake_armed = true;
    }

    fn arm_timeout(&mut self, deadline: Instant) {
        if self.timeout_armed.is_some_and(|armed| armed <= deadline) {
            return;
        }
        let ts = Box::new(types::Timespec::from(
            deadline.saturating_duration_since(Instant::now()),
        ));
        let ptr = std::ptr::from_ref(&*ts);
        let ud = self.insert_op(None, OpKind::Timeout(ts));
        let entry = opcode::Timeout::new(ptr).build().user_data(ud);
        // SAFETY: buffer lifetime: the timespec is boxed in the op until its completion.
        unsafe { self.push(&entry) };
        self.timeout_armed = Some(deadline);
    }

    fn turn(&mut self, wait: Wait) -> io::Result<()> {
        let min_complete = match wait {
            Wait::No => 0,
            Wait::Until(deadline) => {
                self.arm_wake();
                if let Some(deadline) = deadline {
                    self.arm_timeout(deadline);
                }
                1
            }
        };
        self.enter(min_complete)?;
        self.reap();
        Ok(())
    }

    /// `io_uring_enter`: submits the whole queue and, always with `GETEVENTS` (with
    /// `DEFER_TASKRUN` completions are only posted then), waits for `min_complete`.
    fn enter(&mut self, min_complete: u32) -> io::Result<()> {
        let to_submit = self.ring.submission().len() as u32;
        // SAFETY: ring ownership: called on the worker thread that owns the ring; the
        // queued entries satisfy `push`'s contract; no argument pointer is passed.
        let entered = unsafe {
            self.ring.submitter().enter::<libc::sigset_t>(
                to_submit,
                min_complete,
                ENTER_GETEVENTS,
                None,
            )
        };
        match entered {
            Ok(_) => Ok(()),
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EINTR | libc::EBUSY | libc::EAGAIN | libc::ETIME)
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Takes every completion off the queue and acts on it.
    fn reap(&mut self) {
        let mut cqes = std::mem::take(&mut self.cqes);
        loop {
            cqes.extend(
                self.ring
                    .completion()
                    .map(|c| (c.user_data(), c.result(), c.flags())),
            );
            if cqes.is_empty() {
                break;
            }
            for (user_data, result, flags) in cqes.drain(..) {
                self.complete(user_data, result, flags);
            }
        }
        self.cqes = cqes;
    }

    fn complete(&mut self, user_data: u64, result: i32, flags: u32) {
        if user_data == op::CANCEL {
            return;
        }
        if let Some((s, gen, slot)) = op::split_slot(user_data) {
            // Present: a socket stays in the slab until its slots' last completions.
            let Some(sock) = self.socks.get(s) else {
                return debug_assert!(false, "a slot completion without its socket");
            };
            debug_assert!(op::slot_gen_matches(gen, sock.gen()));
            return match slot {
                Slot::RecvMulti => self.complete_sock(s, user_data, result, flags, None),
                Slot::SendOwned => self.complete_owned(s, user_data, result),
            };
        }
        let (key, gen) = op::split(user_data);
        let Some(op) = self.ops.get_mut(key).filter(|op| op.gen == gen) else {
            return;
        };
        let more = cqueue::more(flags);
        let sock = op.sock;
        let done = if more {
            None
        } else {
            Some(self.ops.remove(key))
        };
        match (sock, done) {
            (Some(s), done) => self.complete_sock(s, user_data, result, flags, done),
            (None, Some(op)) => match op.kind {
                OpKind::WakeRead(_) => self.wake_armed = false,
                OpKind::Timeout(_) => self.timeout_armed = None,
                _ => {}
            },
            (None, None) => {}
        }
    }

    /// The number of operations in flight.
    pub(crate) fn in_flight(&self) -> usize {
        self.ops.len() + self.slot_ops
    }

    /// Cancels every operation and waits (up to a few seconds) for their completions.
    /// Returns whether all arrived: only then may their buffers be freed.
    pub(crate) fn drain(&mut self) -> bool {
        self.stop_owned_sends();
        let mut keys: Vec<u64> = self
            .ops
            .iter()
            .map(|(key, op)| op::user_data(key, op.gen))
            .collect();
        keys.extend(self.socks.iter().flat_map(|(_, sock)| sock.slot_ops()));
        for ud in keys {
            self.cancel(ud);
        }
        let give_up = Instant::now() + Duration::from_secs(5);
        while self.in_flight() > 0 && Instant::now() < give_up {
            // Every op was asked to cancel: each completes promptly.
            if let Err(e) = self.enter(1) {
                eprintln!("backend-uring: io_uring_enter failed while draining: {e}");
                break;
            }
            self.reap();
            self.wake.clear();
        }
        self.in_flight() == 0
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let inner = self.inner.get_mut();
        let drained = inner.drain();
        if !drained {
            // Buffer lifetime: a socket's slot op never completed; the send buffer it
            // holds must never be freed (and its descriptor number never reused).
            std::mem::forget(std::mem::take(&mut inner.socks));
        }
        // Sockets first (their fds close, their received ring buffers go back), then
        // the ring.
        inner.socks.clear();
        if let Some(bufs) = inner.bufs.take() {
            if drained {
                // SAFETY: the ring is this io_uring's, and every operation completed
                // (`drain`): none may select from it any more.
                if let Err(e) = unsafe { bufs.unregister(&inner.ring.submitter()) } {
                    eprintln!("backend-uring: cannot unregister the buffer ring: {e}");
                }
            }
            // Buffer lifetime: dropped still registered (not drained), the ring's
            // memory is leaked rather than freed; buffers lent out keep it alive.
            drop(bufs);
        }
        if !drained {
            // Buffer lifetime: an op never completed; its buffer must never be freed.
            std::mem::forget(std::mem::take(&mut inner.ops));
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Driver>>> = const { RefCell::new(None) };
}

/// Makes `driver` this thread's current one until the guard drops.
pub(crate) fn enter(driver: Rc<Driver>) -> EnterGuard {
    CURRENT.with(|c| *c.borrow_mut() = Some(driver));
    EnterGuard { _private: () }
}

/// Clears this thread's current driver when dropped.
#[derive(Debug)]
pub(crate) struct EnterGuard {
    _private: (),
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let driver = CURRENT.try_with(|c| c.borrow_mut().take()).ok().flatten();
        drop(driver);
    }
}

/// This thread's driver, if it runs a [`UringPool`](crate::UringPool) worker.
pub(crate) fn current() -> Option<Rc<Driver>> {
    CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
}

/// The error of a socket used off its worker, or created off any worker.
pub(crate) fn off_worker() -> io::Error {
    io::Error::other(
        "backend-uring: sockets must be created and used on the UringPool worker that owns them",
    )
}
