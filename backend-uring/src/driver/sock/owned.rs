//! Owned-buffer I/O on a socket: lent receives and owned sends
//! ([`pool_core::net::OwnedIo`] of [`TcpStream`](crate::TcpStream)).
//!
//! - **Receive.** [`SockRef::poll_recv_lent`] lends the first received chunk as it is:
//!   a ring buffer moves to the task (a [`Lent`]) instead of being copied out.
//! - **Send.** [`SockRef::poll_write_owned`] moves the buffer into the driver and
//!   pushes its `IORING_OP_SEND` from the call, or queues it behind the owned send in
//!   flight; the completion handler resubmits the rest of a short send and starts the
//!   next queued one itself. A `send_owned` returns as soon as its buffer is taken,
//!   so the task is not woken for the completion; a `write_all_owned` is woken once,
//!   when all is sent, and gets its buffer back. A lent ring buffer is sent from
//!   where the kernel received it, and given back to the ring when sent.
//!
//! The driver owns a send's buffer until its last completion: a dropped future, or a
//! dropped stream, leaves it there (the stream's socket stays open until its sends
//! are done or fail).

use std::any::Any;
use std::collections::VecDeque;
use std::io;
use std::os::fd::AsRawFd;
use std::task::{Context, Poll, Waker};

use io_uring::{opcode, types};
use pool_core::net::{IoBuf, OwnedWrite};
use pool_exec::Inbox;
use uring_core::RingBuf;

use super::{errno, set_waker, Chunk, SockRef, MAX_SEND};
use crate::driver::lent::HomeBuf;
use crate::driver::{Inner, Lent, Slot};
use crate::net::UringBuf;

/// Owned sends queued behind the one in flight, at most (backpressure).
const MAX_QUEUED: usize = 4;

/// The buffer of an owned send, held by the driver.
pub(crate) enum SendBuf {
    /// A ring buffer of this driver, out of the ring while the guard lives.
    Ring(RingBuf),
    /// A `Vec`, whose heap memory does not move with it.
    Vec(Vec<u8>),
    /// Any other buffer, boxed so that its bytes do not move.
    Other(Box<dyn ErasedBuf>),
}

/// An [`IoBuf`] of a type the driver does not know.
pub(crate) trait ErasedBuf: Any {
    fn bytes(&self) -> &[u8];
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<B: IoBuf> ErasedBuf for B {
    fn bytes(&self) -> &[u8] {
        IoBuf::bytes(self)
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// One owned send.
///
/// # Invariant
///
/// `ptr..ptr + len` are the bytes of `buf`, taken once when the entry was made; `buf`
/// is neither moved (its bytes are on the heap) nor touched until the entry drops.
pub(crate) struct SendEntry {
    buf: SendBuf,
    ptr: *const u8,
    len: usize,
    sent: usize,
    /// The ticket of the `write_all_owned` that waits for the buffer; 0: none.
    ticket: u64,
}

impl std::fmt::Debug for SendEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendEntry")
            .field("len", &self.len)
            .field("sent", &self.sent)
            .field("ticket", &self.ticket)
            .finish_non_exhaustive()
    }
}

/// A socket's owned sends.
#[derive(Default)]
pub(crate) struct OwnedSends {
    /// The send in flight (its slot's `user_data`), which owns its buffer until its
    /// completion is reaped: the socket's [`Slot::SendOwned`].
    in_flight: Option<(u64, SendEntry)>,
    queue: VecDeque<SendEntry>,
    /// The first send error: every later owned write fails with it.
    error: Option<(io::ErrorKind, Option<i32>)>,
    /// The buffer of a finished `write_all_owned`, by ticket, with its result.
    returned: Option<(u64, io::Result<()>, SendBuf)>,
    last_ticket: u64,
}

impl std::fmt::Debug for OwnedSends {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnedSends")
            .field("in_flight", &self.in_flight.as_ref().map(|(ud, _)| ud))
            .field("queued", &self.queue.len())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl OwnedSends {
    /// Whether an owned send is in flight (and maybe more queued).
    pub(crate) fn busy(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The `user_data` of the send in flight.
    pub(crate) fn in_flight(&self) -> Option<u64> {
        self.in_flight.as_ref().map(|(ud, _)| *ud)
    }

    /// The error every later write reports, if a send failed.
    pub(crate) fn error(&self) -> Option<io::Error> {
        self.error.map(|(kind, code)| match code {
            Some(code) => io::Error::from_raw_os_error(code),
            None => kind.into(),
        })
    }
}

impl SockRef {
    /// Lends the first received chunk (at most `max` bytes of it), or reports end of
    /// stream (an empty buffer) or the read error.
    pub(crate) fn poll_recv_lent(
        &self,
        cx: &mut Context<'_>,
        max: usize,
    ) -> Poll<io::Result<UringBuf>> {
        if max == 0 {
            return Poll::Ready(Ok(UringBuf {
                lent: Lent::Owned(Vec::new()),
            }));
        }
        let (driver, inbox) = (self.driver, &self.inbox);
        let polled = self.poll_with(cx, |inner, key, waker| {
            inner.poll_recv_lent(key, max, waker, driver, inbox)
        });
        polled.map_ok(|lent| UringBuf { lent })
    }

    /// Polls an owned write (see [`OwnedWrite`]).
    pub(crate) fn poll_write_owned<B: IoBuf>(
        &self,
        cx: &mut Context<'_>,
        write: &mut OwnedWrite<B>,
    ) -> Poll<io::Result<()>> {
        let (driver, inbox) = (self.driver, &self.inbox);
        self.poll_with(cx, |inner, key, waker| {
            inner.poll_write_owned(key, write, waker, driver, inbox)
        })
    }
}

impl Inner {
    fn poll_recv_lent(
        &mut self,
        key: usize,
        max: usize,
        waker: &Waker,
        driver: u64,
        inbox: &std::sync::Arc<Inbox>,
    ) -> Poll<io::Result<Lent>> {
        // Over half the ring lent out (a buffer stays lent until its echo is sent):
        // lend copies, so that the ring does not run dry, which would end every
        // multishot receive on the worker (`ENOBUFS`) and cost each a re-arm.
        let ring_low = self
            .bufs
            .as_ref()
            .is_some_and(|bufs| bufs.lent() * 2 > usize::from(bufs.count()));
        let sock = &mut self.socks[key];
        let Some(chunk) = sock.chunks.front_mut() else {
            return self
                .poll_unqueued(key, max, waker)
                .map_ok(|()| Lent::Owned(Vec::new()));
        };
        let lent = match chunk {
            Chunk::Ring { buf, off } if buf.len() - *off <= max && !ring_low => {
                let Some(Chunk::Ring { mut buf, off }) = sock.chunks.pop_front() else {
                    unreachable!("matched above")
                };
                // No copy: the task gets the ring buffer itself.
                buf.advance(off);
                Lent::Ring(HomeBuf::new(buf, driver, std::sync::Arc::clone(inbox)))
            }
            Chunk::Owned { buf, off } if *off == 0 && buf.len() <= max => {
                let Some(Chunk::Owned { buf, .. }) = sock.chunks.pop_front() else {
                    unreachable!("matched above")
                };
                Lent::Owned(buf)
            }
            chunk => {
                // A copy of what fits; a chunk read to its end is dropped (a ring
                // buffer goes back to the ring).
                let (bytes, off) = chunk.unread_mut();
                let n = (bytes.len() - *off).min(max);
                let part = bytes[*off..*off + n].to_vec();
                *off += n;
                if *off == bytes.len() {
                    sock.chunks.pop_front();
                }
                Lent::Owned(part)
            }
        };
        Poll::Ready(Ok(lent))
    }

    fn poll_write_owned<B: IoBuf>(
        &mut self,
        key: usize,
        write: &mut OwnedWrite<B>,
        waker: &Waker,
        driver: u64,
        inbox: &std::sync::Arc<Inbox>,
    ) -> Poll<io::Result<()>> {
        let sock = &mut self.socks[key];
        if write.token != 0 {
            // Our buffer is in the driver: wait until it is back.
            let ticket = write.token;
            if sock.owned.returned.as_ref().is_some_and(|r| r.0 == ticket) {
                let (_, result, buf) = sock.owned.returned.take().expect("checked");
                self.give_back(write, buf, driver, inbox);
                return Poll::Ready(result);
            }
            set_waker(&mut sock.writer, waker);
            return Poll::Pending;
        }
        let Some(buf) = write.buf.as_ref() else {
            return Poll::Ready(Ok(())); // Taken by an earlier poll.
        };
        if let Some(e) = sock.owned.error() {
            return Poll::Ready(Err(e));
        }
        if IoBuf::bytes(buf).is_empty() {
            return Poll::Ready(Ok(()));
        }
        // In order: after an `AsyncWrite` send in flight, and behind a short queue.
        let full = sock.owned.busy() && sock.owned.queue.len() >= MAX_QUEUED;
        if sock.send_op.is_some() || full {
            set_waker(&mut sock.writer, waker);
            return Poll::Pending;
        }
        let returns = write.returns_buf();
        let ticket = if returns {
            sock.owned.last_ticket += 1;
            sock.owned.last_ticket
        } else {
            0
        };
        let entry = self.entry(&mut write.buf, ticket);
        write.token = ticket;
        let sock = &mut self.socks[key];
        if sock.owned.busy() {
            sock.owned.queue.push_back(entry);
        } else {
            self.submit_owned(key, entry);
        }
        if returns {
            set_waker(&mut self.socks[key].writer, waker);
            return Poll::Pending;
        }
        Poll::Ready(Ok(()))
    }

    /// Moves the buffer out of `slot` into a send entry.
    fn entry<B: IoBuf>(&mut self, slot: &mut Option<B>, ticket: u64) -> SendEntry {
        let any: &mut dyn Any = slot;
        let buf = if let Some(lent) = any.downcast_mut::<Option<UringBuf>>() {
            // A ring buffer is sent from where the kernel received it: no copy.
            match lent.take().expect("checked by the caller").lent {
                Lent::Ring(ring) => match ring.into_ring() {
                    Ok(ring) => SendBuf::Ring(ring),
                    Err(ring) => SendBuf::Other(Box::new(UringBuf {
                        lent: Lent::Ring(ring),
                    })),
                },
                Lent::Owned(vec) => SendBuf::Vec(vec),
            }
        } else if let Some(vec) = any.downcast_mut::<Option<Vec<u8>>>() {
            SendBuf::Vec(vec.take().expect("checked by the caller"))
        } else {
            SendBuf::Other(Box::new(slot.take().expect("checked by the caller")))
        };
        let (ptr, len) = match &buf {
            SendBuf::Ring(ring) => (ring.as_slice().as_ptr(), ring.len()),
            SendBuf::Vec(vec) => (vec.as_ptr(), vec.len()),
            SendBuf::Other(other) => (other.bytes().as_ptr(), other.bytes().len()),
        };
        SendEntry {
            buf,
            ptr,
            len,
            sent: 0,
            ticket,
        }
    }

    /// Puts a returned buffer back where the caller's future expects it.
    fn give_back<B: IoBuf>(
        &mut self,
        write: &mut OwnedWrite<B>,
        buf: SendBuf,
        driver: u64,
        inbox: &std::sync::Arc<Inbox>,
    ) {
        let slot: &mut dyn Any = &mut write.buf;
        match buf {
            SendBuf::Ring(ring) => {
                // Not asked for back: dropped, the guard gives the buffer to the ring.
                if let Some(slot) = slot.downcast_mut::<Option<UringBuf>>() {
                    let lent = Lent::Ring(HomeBuf::new(ring, driver, std::sync::Arc::clone(inbox)));
                    *slot = Some(UringBuf { lent });
                }
            }
            SendBuf::Vec(vec) => {
                if let Some(slot) = slot.downcast_mut::<Option<Vec<u8>>>() {
                    *slot = Some(vec);
                }
            }
            SendBuf::Other(other) => {
                if let Ok(b) = other.into_any().downcast::<B>() {
                    write.buf = Some(*b);
                }
            }
        }
    }

    /// Pushes the send of the rest of `entry` (up to [`MAX_SEND`] bytes).
    fn submit_owned(&mut self, key: usize, entry: SendEntry) {
        let fd = types::Fd(self.socks[key].fd.as_raw_fd());
        let ptr = entry.ptr.wrapping_add(entry.sent);
        let len = (entry.len - entry.sent).min(MAX_SEND) as u32;
        let ud = self.insert_slot(key, Slot::SendOwned);
        self.socks[key].owned.in_flight = Some((ud, entry));
        let sqe = opcode::Send::new(fd, ptr, len)
            .flags(libc::MSG_NOSIGNAL)
            .build()
            .user_data(ud);
        // SAFETY: buffer lifetime: the entry, in the socket's send slot until its
        // completion is reaped (the socket stays in the slab until then), owns the buffer whose bytes `ptr..ptr + len` are (a ring buffer out
        // of the ring, a Vec's heap memory, or a boxed buffer: none moves or is
        // touched meanwhile; see `SendEntry`). fd lifetime: the Sock keeps the
        // descriptor open until its last op completes.
        unsafe { self.push(&sqe) };
    }

    /// The completion of owned send `user_data` on socket `s`: resubmit the rest of a
    /// short send, or finish it and start the next; on error fail it and the queue.
    pub(in crate::driver) fn complete_owned(&mut self, s: usize, user_data: u64, result: i32) {
        let owned = &mut self.socks[s].owned;
        let Some((ud, mut entry)) = owned.in_flight.take() else {
            return debug_assert!(false, "a send completion without its send");
        };
        debug_assert_eq!(ud, user_data);
        let failed = match owned.error() {
            // Failed meanwhile (the driver is draining): send no more.
            Some(e) => Some(e),
            None if result > 0 => None,
            None if result == 0 => Some(io::Error::from(io::ErrorKind::WriteZero)),
            None => Some(errno(result)),
        };
        let next = if let Some(e) = failed {
            owned.error = Some((e.kind(), e.raw_os_error()));
            let queued: Vec<SendEntry> = owned.queue.drain(..).collect();
            for entry in std::iter::once(entry).chain(queued) {
                let e = self.socks[s].owned.error().expect("set above");
                self.finish_entry(s, entry, Err(e));
            }
            None
        } else {
            entry.sent += result as usize;
            if entry.sent < entry.len {
                Some(entry)
            } else {
                self.finish_entry(s, entry, Ok(()));
                self.socks[s].owned.queue.pop_front()
            }
        };
        // The next send keeps the socket in the slab before this op is finished.
        if let Some(next) = next {
            self.submit_owned(s, next);
        }
        if let Some(w) = self.socks[s].writer.take() {
            self.wake.push(w);
        }
        self.finish_op(s, user_data);
    }

    /// The driver is draining: no owned send starts or resumes; the queued ones fail.
    pub(crate) fn stop_owned_sends(&mut self) {
        let keys: Vec<usize> = self.socks.iter().map(|(key, _)| key).collect();
        for s in keys {
            let owned = &mut self.socks[s].owned;
            if owned.error.is_none() {
                owned.error = Some((io::ErrorKind::Other, Some(libc::ECANCELED)));
            }
            let queued: Vec<SendEntry> = owned.queue.drain(..).collect();
            for entry in queued {
                let e = self.socks[s].owned.error().expect("set above");
                self.finish_entry(s, entry, Err(e));
            }
        }
    }

    /// A send is done: its buffer goes to the `write_all_owned` waiting for it, or is
    /// dropped (a ring buffer goes back to the ring).
    fn finish_entry(&mut self, s: usize, entry: SendEntry, result: io::Result<()>) {
        if entry.ticket == 0 {
            return self.drop_send_buf(entry.buf);
        }
        let returned = (entry.ticket, result, entry.buf);
        if let Some((_, _, stale)) = self.socks[s].owned.returned.replace(returned) {
            // Its future was dropped.
            self.drop_send_buf(stale);
        }
    }

    /// Drops a send buffer the driver holds, giving a ring buffer back to the ring.
    pub(super) fn drop_send_buf(&mut self, buf: SendBuf) {
        drop(buf); // A ring buffer's guard gives it back to the ring.
    }

    /// The socket is being removed: give back the buffer nobody came for.
    pub(super) fn drop_returned(&mut self, s: usize) {
        if let Some((_, _, buf)) = self.socks[s].owned.returned.take() {
            self.drop_send_buf(buf);
        }
    }
}
