//! One thread of the reference server: its io_uring, its buffer ring, its connections,
//! and, on an accepting thread, a listener.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use io_uring::types::{CancelBuilder, Fd, SubmitArgs, Timespec};
use io_uring::{cqueue, opcode, squeue, IoUring};
use slab::Slab;
use uring_core::{Accepted, BufRing, Multishot, Received, ONLY_GROUP};

use crate::{Counters, Group, Respond, Setup};

/// Submission queue entries per ring.
const RING_ENTRIES: u32 = 4096;
/// Buffers in each worker's buffer ring (a power of two).
const BUFFERS: u16 = 1024;
/// How long an accepting thread waits before it re-arms its accept after an error
/// (`EMFILE`...): the backlog keeps the connection.
const ACCEPT_RETRY: Duration = Duration::from_millis(5);
/// How long a stopping worker waits for its cancelled operations to complete before it
/// gives up and leaks their buffers rather than free memory the kernel may touch.
const DRAIN_LIMIT: Duration = Duration::from_secs(2);

/// What a completion is for: the low bits of its `user_data`; the rest is the
/// connection's key.
const OP_BITS: u32 = 3;
const OP_WAKE: u64 = 1;
const OP_ACCEPT: u64 = 2;
const OP_RETRY: u64 = 3;
const OP_RECV: u64 = 4;
const OP_SEND: u64 = 5;
const OP_CANCEL: u64 = 6;

fn user_data(op: u64, key: usize) -> u64 {
    ((key as u64) << OP_BITS) | op
}

/// One thread of the server, before it runs.
#[derive(Debug)]
pub struct Worker {
    index: usize,
    listener: Option<(TcpListener, bool)>,
    group: Arc<Group>,
}

impl Worker {
    /// Worker `index` of `group`. With a listener, it accepts: when `hand_off`, it
    /// hands connections round-robin to every worker of the group (one acceptor);
    /// otherwise it keeps them (`SO_REUSEPORT`, one listener per worker).
    pub fn new(index: usize, listener: Option<(TcpListener, bool)>, group: Arc<Group>) -> Worker {
        Worker {
            index,
            listener,
            group,
        }
    }

    /// Runs on the calling thread (which creates, uses and drops the io_uring, as
    /// `SINGLE_ISSUER` requires) until [`Group::stop`]. `started` learns the setup in
    /// use, or why the worker could not start (then `run` returns at once).
    pub fn run<C: Counters>(self, counters: &C, started: impl FnOnce(io::Result<Setup>)) {
        let (ring, setup) = match uring_core::build_best(RING_ENTRIES) {
            Ok(r) => r,
            Err(e) => return started(Err(e)),
        };
        let size = u32::try_from(self.group.buf_size).unwrap_or(u32::MAX);
        let bufs = match BufRing::register(&ring.submitter(), ONLY_GROUP, BUFFERS, size) {
            Ok(b) => b,
            Err(e) => {
                return started(Err(io::Error::new(
                    e.kind(),
                    format!("cannot register a provided buffer ring (kernel 5.19+): {e}"),
                )))
            }
        };
        let mut lp = Loop {
            index: self.index,
            group: self.group,
            listener: self.listener,
            ring,
            bufs: Some(bufs),
            conns: Slab::new(),
            in_flight: 0,
            wake_buf: Box::new([0; 8]),
            retry_at: Box::new(Timespec::from(ACCEPT_RETRY)),
            cqes: Vec::with_capacity(1024),
        };
        let armed = lp.arm_wake().and_then(|()| lp.arm_accept());
        if let Err(e) = armed {
            lp.shutdown();
            return started(Err(e));
        }
        started(Ok(setup));
        lp.serve(counters);
        lp.shutdown();
    }
}

/// A connection: its socket, and the bytes to echo.
#[derive(Debug)]
struct Conn {
    stream: TcpStream,
    /// Bytes being sent, from `sent` on. The kernel reads them while `sending` is true:
    /// the vector is neither touched nor dropped then.
    out: Vec<u8>,
    sent: usize,
    sending: bool,
    /// Bytes received while a send was in flight.
    queued: Vec<u8>,
    /// The multishot receive is armed.
    receiving: bool,
    /// The connection ends once nothing is in flight.
    closing: bool,
    /// A cancel of the receive was submitted.
    cancelled: bool,
    /// The connection's protocol; `None`: the echo.
    respond: Option<Box<dyn Respond>>,
}

/// A running worker.
struct Loop {
    index: usize,
    group: Arc<Group>,
    listener: Option<(TcpListener, bool)>,
    /// Declared before the memory its operations use, and dropped explicitly in
    /// `shutdown` once they are drained.
    ring: IoUring,
    bufs: Option<Rc<BufRing>>,
    conns: Slab<Conn>,
    /// Operations submitted whose last completion has not been reaped.
    in_flight: usize,
    /// The eventfd read's target: the kernel writes it while the read is in flight.
    wake_buf: Box<[u8; 8]>,
    /// The accept-retry timeout's time: the kernel reads it while the timeout is armed.
    retry_at: Box<Timespec>,
    cqes: Vec<(u64, i32, u32)>,
}

impl Loop {
    /// Queues `entry`, submitting first if the submission queue is full.
    ///
    /// # Safety
    ///
    /// Every buffer and descriptor `entry` names must stay valid until its last
    /// completion is reaped (or the ring is drained at shutdown).
    unsafe fn push(&mut self, entry: &squeue::Entry) -> io::Result<()> {
        loop {
            // SAFETY: the caller keeps the entry's memory valid (see above).
            if unsafe { self.ring.submission().push(entry) }.is_ok() {
                self.in_flight += 1;
                return Ok(());
            }
            self.ring.submit()?;
        }
    }

    /// Arms the read of this worker's eventfd: new connections in the inbox, or stop.
    fn arm_wake(&mut self) -> io::Result<()> {
        let fd = self.group.inboxes[self.index].eventfd.as_raw_fd();
        let entry = opcode::Read::new(Fd(fd), self.wake_buf.as_mut_ptr(), 8)
            .build()
            .user_data(user_data(OP_WAKE, 0));
        // SAFETY: buffer lifetime: `wake_buf` is boxed (it does not move) and lives as
        // long as the loop, past the drain in `shutdown`. Fd lifetime: the eventfd
        // belongs to the group, which the loop holds.
        unsafe { self.push(&entry) }
    }

    /// Arms the multishot accept, if this worker has a listener.
    fn arm_accept(&mut self) -> io::Result<()> {
        let Some((listener, _)) = &self.listener else {
            return Ok(());
        };
        let entry = uring_core::accept_multi(listener.as_raw_fd(), libc::SOCK_CLOEXEC)
            .user_data(user_data(OP_ACCEPT, 0));
        // SAFETY: no buffer; fd lifetime: the listener lives as long as the loop.
        unsafe { self.push(&entry) }
    }

    /// Serves until the group stops.
    fn serve<C: Counters>(&mut self, counters: &C) {
        while !self.group.stopped() {
            match self.ring.submit_and_wait(1) {
                Ok(_) => {}
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINTR | libc::EBUSY)) => {}
                Err(_) => return,
            }
            self.cqes.clear();
            self.cqes.extend(
                self.ring
                    .completion()
                    .map(|c| (c.user_data(), c.result(), c.flags())),
            );
            for i in 0..self.cqes.len() {
                let (data, res, flags) = self.cqes[i];
                if !cqueue::more(flags) {
                    self.in_flight -= 1;
                }
                self.complete(data, res, flags, counters);
            }
        }
    }

    fn complete<C: Counters>(&mut self, data: u64, res: i32, flags: u32, counters: &C) {
        let key = (data >> OP_BITS) as usize;
        match data & ((1 << OP_BITS) - 1) {
            OP_WAKE => {
                for stream in self.group.take_inbox(self.index) {
                    self.adopt(stream, counters);
                }
                if !self.group.stopped() && self.arm_wake().is_err() {
                    self.group.stop();
                }
            }
            OP_ACCEPT => self.accepted(res, flags, counters),
            OP_RETRY => {
                let _ = self.arm_accept();
            }
            OP_RECV => self.received(key, res, flags),
            OP_SEND => self.sent(key, res, counters),
            _ => {}
        }
    }

    fn accepted<C: Counters>(&mut self, res: i32, flags: u32, counters: &C) {
        // SAFETY: fd lifetime: this is the completion, reaped once, of the multishot
        // accept: a non-negative result is a new descriptor that no one else owns.
        let Multishot { event, more } = unsafe { uring_core::accepted(res, flags) };
        if let Accepted::Conn(fd) = event {
            let stream = TcpStream::from(fd);
            let _ = stream.set_nodelay(true);
            let hand_off = self.listener.as_ref().is_some_and(|(_, h)| *h);
            let threads = self.group.inboxes.len();
            let target = if hand_off {
                self.group
                    .next
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    % threads
            } else {
                self.index
            };
            if target == self.index {
                self.adopt(stream, counters);
            } else {
                self.group.hand_to(target, stream);
            }
        } else if !matches!(event, Accepted::Cancelled) {
            counters.accept_error();
        }
        if !more && !self.group.stopped() {
            if res >= 0 {
                let _ = self.arm_accept();
            } else {
                // Retry after a pause, as the epoll reference does: re-arming at once
                // would fail at once while the descriptors are exhausted.
                let entry = opcode::Timeout::new(&*self.retry_at)
                    .build()
                    .user_data(user_data(OP_RETRY, 0));
                // SAFETY: buffer lifetime: `retry_at` is boxed and lives past the drain.
                let _ = unsafe { self.push(&entry) };
            }
        }
    }

    /// Registers a connection on this worker and arms its receive.
    fn adopt<C: Counters>(&mut self, stream: TcpStream, counters: &C) {
        let key = self.conns.insert(Conn {
            stream,
            out: Vec::new(),
            sent: 0,
            sending: false,
            queued: Vec::new(),
            receiving: false,
            closing: false,
            cancelled: false,
            respond: self.group.responder(),
        });
        if self.arm_recv(key).is_ok() {
            counters.accepted();
        } else {
            counters.accept_error();
            self.conns.remove(key);
        }
    }

    fn arm_recv(&mut self, key: usize) -> io::Result<()> {
        let Some(bufs) = &self.bufs else {
            return Err(io::ErrorKind::NotConnected.into());
        };
        let fd = self.conns[key].stream.as_raw_fd();
        let entry = uring_core::recv_multi(fd, bufs).user_data(user_data(OP_RECV, key));
        // SAFETY: buffer lifetime: the kernel writes into the buffer ring, which lives
        // until the drain in `shutdown`. Fd lifetime: the connection (and its socket)
        // is removed only once its receive has completed for the last time.
        unsafe { self.push(&entry) }?;
        self.conns[key].receiving = true;
        Ok(())
    }

    fn received(&mut self, key: usize, res: i32, flags: u32) {
        let Some(bufs) = self.bufs.as_ref() else {
            return;
        };
        // SAFETY: this is a completion, reaped once, of a multishot receive on this
        // io_uring, which selects from `bufs`' group.
        let Multishot { event, more } = unsafe { uring_core::received(bufs, res, flags) };
        let Some(conn) = self.conns.get_mut(key) else {
            return;
        };
        if !more {
            conn.receiving = false;
        }
        match event {
            Received::Data(data) => {
                let to = if conn.sending {
                    &mut conn.queued
                } else {
                    conn.out.clear();
                    conn.sent = 0;
                    &mut conn.out
                };
                match &mut conn.respond {
                    None => to.extend_from_slice(&data),
                    Some(respond) => conn.closing |= !respond.respond(&data, to),
                }
                // The buffer goes back to the ring as `data` drops.
            }
            // The ring ran dry: re-armed below once the receive has ended.
            Received::NoBuffers => {}
            // End of stream, reset, or cancelled: echo what is left, then close.
            Received::Eof | Received::Cancelled | Received::Failed(_) => conn.closing = true,
        }
        let start_send = !conn.sending && conn.sent < conn.out.len();
        let rearm = !more && !conn.closing;
        if start_send {
            self.send(key);
        }
        if rearm && self.arm_recv(key).is_err() {
            self.conns[key].closing = true;
        }
        self.maybe_close(key);
    }

    /// Sends the rest of the connection's `out`.
    fn send(&mut self, key: usize) {
        let conn = &self.conns[key];
        let rest = &conn.out[conn.sent..];
        let entry = opcode::Send::new(
            Fd(conn.stream.as_raw_fd()),
            rest.as_ptr(),
            rest.len() as u32,
        )
        .flags(libc::MSG_NOSIGNAL)
        .build()
        .user_data(user_data(OP_SEND, key));
        // SAFETY: buffer lifetime: `out` is neither touched nor dropped while `sending`
        // is true (new bytes go to `queued`), and a connection is removed only when no
        // send is in flight. Fd lifetime: likewise.
        match unsafe { self.push(&entry) } {
            Ok(()) => self.conns[key].sending = true,
            Err(_) => self.conns[key].closing = true,
        }
    }

    fn sent<C: Counters>(&mut self, key: usize, res: i32, counters: &C) {
        let Some(conn) = self.conns.get_mut(key) else {
            return;
        };
        conn.sending = false;
        if res > 0 {
            if conn.respond.is_none() {
                counters.echoed(res as usize);
            }
            conn.sent += res as usize;
            if conn.sent >= conn.out.len() {
                std::mem::swap(&mut conn.out, &mut conn.queued);
                conn.queued.clear();
                conn.sent = 0;
            }
            if conn.sent < conn.out.len() {
                self.send(key);
            }
        } else {
            conn.closing = true;
            conn.out.clear();
            conn.queued.clear();
        }
        self.maybe_close(key);
    }

    /// Closes a closing connection once nothing is in flight on it; cancels its
    /// receive first if it is still armed.
    fn maybe_close(&mut self, key: usize) {
        let Some(conn) = self.conns.get_mut(key) else {
            return;
        };
        if !conn.closing || conn.sending {
            return;
        }
        if conn.receiving {
            if !conn.cancelled {
                conn.cancelled = true;
                let entry = opcode::AsyncCancel::new(user_data(OP_RECV, key))
                    .build()
                    .user_data(user_data(OP_CANCEL, key));
                // SAFETY: no buffer, no descriptor.
                let _ = unsafe { self.push(&entry) };
            }
            return;
        }
        // Nothing in flight: closing the socket is safe.
        self.conns.remove(key);
    }

    /// Cancels everything in flight, waits for the completions, and frees the memory
    /// the kernel could touch only if they all came; otherwise leaks it.
    fn shutdown(mut self) {
        let entry = opcode::AsyncCancel2::new(CancelBuilder::any())
            .build()
            .user_data(user_data(OP_CANCEL, 0));
        // SAFETY: no buffer, no descriptor.
        let _ = unsafe { self.push(&entry) };
        let deadline = Instant::now() + DRAIN_LIMIT;
        while self.in_flight > 0 && Instant::now() < deadline {
            let wait = Timespec::from(Duration::from_millis(50));
            let args = SubmitArgs::new().timespec(&wait);
            match self.ring.submitter().submit_with_args(1, &args) {
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::ETIME | libc::EINTR | libc::EBUSY)
                    ) => {}
                Err(_) => break,
            }
            let reaped = self
                .ring
                .completion()
                .filter(|c| !cqueue::more(c.flags()))
                .count();
            self.in_flight -= reaped.min(self.in_flight);
        }
        if self.in_flight > 0 {
            // Operations the kernel still holds may touch these: leak, never free.
            std::mem::forget(self);
            return;
        }
        if let Some(bufs) = self.bufs.take() {
            // SAFETY: the ring is this io_uring's, and nothing is in flight (checked
            // above): no operation may select from it any more.
            let _ = unsafe { bufs.unregister(&self.ring.submitter()) };
            // Freed here if unregistered; leaked if the kernel refused.
        }
        // The ring, then the sockets and buffers, are dropped with `self`.
    }
}
