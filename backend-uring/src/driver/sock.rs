//! [`Sock`]: a socket's state in its worker's driver, and [`SockRef`], the handle a
//! listener or stream holds; the poll functions that adapt completions to the
//! poll-based net traits. Owned-buffer I/O is in [`owned`].

mod owned;

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use io_uring::{opcode, types};
use pool_exec::{coop, Inbox};
use uring_core::{Accepted, Received, RingBuf};

use super::lent::on_home;
use super::{current, off_worker, op, Inner, Op, OpKind, Slot};
use owned::OwnedSends;

/// The largest single send: a bigger write is reported as a short write.
const MAX_SEND: usize = 256 * 1024;
/// The largest owned receive buffer (when no buffer ring is used).
const MAX_RECV: usize = 64 * 1024;
/// Owned-buffer receives re-arm at once while fewer chunks than this wait unread.
const READ_AHEAD_CHUNKS: usize = 4;

/// Received bytes waiting to be read.
#[derive(Debug)]
enum Chunk {
    /// In a buffer of the buffer ring (given back when dropped), `off..` unread.
    Ring { buf: RingBuf, off: usize },
    /// In an owned buffer, `off..` unread.
    Owned { buf: Vec<u8>, off: usize },
}

impl Chunk {
    /// Its bytes, and the offset of the first unread one.
    fn unread_mut(&mut self) -> (&[u8], &mut usize) {
        match self {
            Chunk::Ring { buf, off } => (buf.as_slice(), off),
            Chunk::Owned { buf, off } => (buf.as_slice(), off),
        }
    }
}

/// A socket's state in its worker's driver.
///
/// It owns the descriptor (with the [`SockRef`], through an `Arc`) and stays in the
/// driver's slab until its handle is dropped *and* its last operation has completed
/// (fd lifetime: the kernel never sees a closed or reused descriptor number).
#[derive(Debug)]
pub(crate) struct Sock {
    gen: u32,
    fd: Arc<OwnedFd>,
    /// The handle still exists.
    open: bool,
    /// Operations in flight on it.
    pub(crate) inflight: u32,
    chunks: VecDeque<Chunk>,
    eof: bool,
    read_err: Option<io::Error>,
    recv_op: Option<u64>,
    /// The buffer ring ran dry under the last multishot receive: the next receive
    /// uses an owned buffer.
    nobufs: bool,
    reader: Option<Waker>,
    send_op: Option<u64>,
    send_done: Option<io::Result<usize>>,
    spare: Vec<u8>,
    writer: Option<Waker>,
    accepted: VecDeque<io::Result<OwnedFd>>,
    accept_op: Option<u64>,
    connect_op: Option<u64>,
    connect_done: Option<io::Result<()>>,
    owned: OwnedSends,
}

impl Sock {
    /// Its generation: distinguishes it from earlier sockets in the same slab slot.
    pub(crate) fn gen(&self) -> u32 {
        self.gen
    }

    /// The `user_data` of its slot operations in flight ([`Slot`]).
    pub(crate) fn slot_ops(&self) -> impl Iterator<Item = u64> {
        let recv = self.recv_op.filter(|ud| op::split_slot(*ud).is_some());
        recv.into_iter().chain(self.owned.in_flight())
    }
}

fn set_waker(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(w) if w.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

fn errno(result: i32) -> io::Error {
    io::Error::from_raw_os_error(-result)
}

/// The handle of a socket registered with a worker's driver. Dropping it cancels the
/// socket's operations; the descriptor closes once they have all completed.
#[derive(Debug)]
pub(crate) struct SockRef {
    key: usize,
    gen: u32,
    driver: u64,
    fd: Arc<OwnedFd>,
    inbox: Arc<Inbox>,
}

impl SockRef {
    /// Registers `fd` with the driver of the worker on this thread.
    ///
    /// # Errors
    ///
    /// Off a worker.
    pub(crate) fn register(fd: OwnedFd) -> io::Result<Self> {
        let driver = current().ok_or_else(off_worker)?;
        let mut inner = driver.inner.borrow_mut();
        inner.next_gen = op::next_gen(inner.next_gen);
        let gen = inner.next_gen;
        let fd = Arc::new(fd);
        let key = inner.socks.insert(Sock {
            gen,
            fd: Arc::clone(&fd),
            open: true,
            inflight: 0,
            chunks: VecDeque::new(),
            eof: false,
            read_err: None,
            recv_op: None,
            nobufs: false,
            reader: None,
            send_op: None,
            send_done: None,
            spare: Vec::new(),
            writer: None,
            accepted: VecDeque::new(),
            accept_op: None,
            connect_op: None,
            connect_done: None,
            owned: OwnedSends::default(),
        });
        Ok(SockRef {
            key,
            gen,
            driver: driver.id,
            fd,
            inbox: Arc::clone(&driver.inbox),
        })
    }

    /// The descriptor, for `getsockname`, `setsockopt` and the like.
    pub(crate) fn fd(&self) -> &OwnedFd {
        &self.fd
    }

    /// Runs `f` on this socket's state in the driver of the worker on this thread.
    fn with<R>(&self, f: impl FnOnce(&mut Inner, usize) -> io::Result<R>) -> io::Result<R> {
        let driver = current().filter(|d| d.id == self.driver);
        let Some(driver) = driver else {
            return Err(off_worker());
        };
        let mut inner = driver.inner.borrow_mut();
        debug_assert_eq!(inner.socks[self.key].gen, self.gen);
        f(&mut inner, self.key)
    }

    fn poll_with<R>(
        &self,
        cx: &mut Context<'_>,
        f: impl FnOnce(&mut Inner, usize, &Waker) -> Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let polled = self
            .with(|inner, key| Ok(f(inner, key, cx.waker())))
            .unwrap_or_else(|e| Poll::Ready(Err(e)));
        if polled.is_ready() {
            coop::spend();
        }
        polled
    }

    /// Reads received bytes into `buf` (at least one, or none at end of stream).
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.poll_with(cx, |inner, key, waker| inner.poll_read(key, buf, waker))
    }

    /// Sends from `buf`: Pending until the send's completion, then how much was sent.
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.poll_with(cx, |inner, key, waker| inner.poll_write(key, buf, waker))
    }

    /// Waits for a send in flight (one whose result nobody took) and every owned send
    /// to complete; the error of a failed owned send.
    pub(crate) fn poll_sent(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with(|inner, key| {
            let sock = &mut inner.socks[key];
            Ok(if sock.send_op.is_some() || sock.owned.busy() {
                set_waker(&mut sock.writer, cx.waker());
                Poll::Pending
            } else {
                Poll::Ready(sock.owned.error().map_or(Ok(()), Err))
            })
        })
        .unwrap_or_else(|e| Poll::Ready(Err(e)))
    }

    /// Takes an accepted connection as a nonblocking std stream.
    pub(crate) fn poll_accept(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(std::net::TcpStream, SocketAddr)>> {
        self.poll_with(cx, |inner, key, waker| inner.poll_accept(key, waker))
    }

    /// Starts a connect to `addr` (once), then waits for its completion.
    pub(crate) fn poll_connect(
        &self,
        cx: &mut Context<'_>,
        addr: SocketAddr,
    ) -> Poll<io::Result<()>> {
        self.with(|inner, key| Ok(inner.poll_connect(key, addr, cx.waker())))
            .unwrap_or_else(|e| Poll::Ready(Err(e)))
    }
}

impl Drop for SockRef {
    fn drop(&mut self) {
        let (key, gen) = (self.key, self.gen);
        // On the owning worker (as when its task is dropped) at once; elsewhere the
        // owning worker releases it. If it has stopped, its driver drains every
        // operation and closes every socket when it is dropped.
        on_home(self.driver, &self.inbox, move |inner| {
            inner.release(key, gen)
        });
    }
}

impl Inner {
    /// The handle of socket `key` (generation `gen`) is gone: cancel its operations,
    /// drop what it received, and remove it once nothing is in flight.
    pub(crate) fn release(&mut self, key: usize, gen: u32) {
        let Some(sock) = self.socks.get_mut(key).filter(|s| s.gen == gen) else {
            return;
        };
        sock.open = false;
        sock.reader = None;
        sock.writer = None;
        sock.accepted.clear();
        // Received bytes nobody will read: their ring buffers go back.
        sock.chunks.clear();
        // Owned sends are not cancelled: they were taken, so they finish first.
        let ops = [sock.recv_op, sock.send_op, sock.accept_op, sock.connect_op];
        let idle = sock.inflight == 0;
        self.drop_returned(key);
        for ud in ops.into_iter().flatten() {
            self.cancel(ud);
        }
        if idle {
            self.socks.remove(key);
        }
    }

    /// Acts on a completion of an op on socket `s`; `done` is the op if this was its
    /// last completion.
    pub(crate) fn complete_sock(
        &mut self,
        s: usize,
        user_data: u64,
        result: i32,
        flags: u32,
        done: Option<Op>,
    ) {
        let kind = done.as_ref().map(|op| &op.kind);
        let owned = matches!(kind, Some(OpKind::Recv(_)));
        let is_recv = self.socks[s].recv_op == Some(user_data);
        if is_recv && owned && result > 0 {
            let Some(Op {
                kind: OpKind::Recv(mut buf),
                ..
            }) = done
            else {
                unreachable!("matched above")
            };
            let size = buf.len();
            buf.truncate(result as usize);
            return self.finish_recv(s, Chunk::Owned { buf, off: 0 }, size);
        }
        let received = match &self.bufs {
            Some(bufs) if is_recv && !owned => {
                // SAFETY: this is a completion, reaped once, of the socket's multishot
                // receive on this io_uring, which selects from `bufs`' group.
                unsafe { uring_core::received(bufs, result, flags) }.event
            }
            _ => Received::without_buffer(result),
        };
        let sock = &mut self.socks[s];
        let open = sock.open;
        if is_recv {
            match received {
                // A closed socket's bytes are dropped: the buffer goes back.
                Received::Data(buf) if open => sock.chunks.push_back(Chunk::Ring { buf, off: 0 }),
                Received::Data(_) | Received::Cancelled => {}
                Received::Eof => sock.eof = true,
                Received::NoBuffers => sock.nobufs = true,
                Received::Failed(e) => sock.read_err = Some(e),
            }
            if let Some(w) = sock.reader.take() {
                self.wake.push(w);
            }
            if owned {
                sock.nobufs = false;
            }
        } else if sock.send_op == Some(user_data) {
            sock.send_done = Some(if result >= 0 {
                Ok(result as usize)
            } else {
                Err(errno(result))
            });
            if let Some(w) = sock.writer.take() {
                self.wake.push(w);
            }
        } else if sock.accept_op == Some(user_data) {
            // SAFETY: fd lifetime: this is the completion, reaped once, of the
            // socket's accept: a non-negative result is a descriptor made for us.
            match unsafe { uring_core::accepted(result, flags) }.event {
                Accepted::Conn(fd) if open => sock.accepted.push_back(Ok(fd)),
                // A closed listener's connection is closed at once.
                Accepted::Conn(_) | Accepted::Cancelled => {}
                Accepted::Failed(e) if open => sock.accepted.push_back(Err(e)),
                Accepted::Failed(_) => {}
            }
            if let Some(w) = sock.reader.take() {
                self.wake.push(w);
            }
        } else if sock.connect_op == Some(user_data) {
            sock.connect_done = Some(if result >= 0 {
                Ok(())
            } else {
                Err(errno(result))
            });
            if let Some(w) = sock.writer.take() {
                self.wake.push(w);
            }
        }
        match done {
            Some(op) => self.finish(s, user_data, op),
            // The last completion of the multishot receive slot.
            None if !io_uring::cqueue::more(flags) && op::split_slot(user_data).is_some() => {
                self.finish_op(s, user_data);
            }
            None => {}
        }
    }

    /// An owned-buffer receive of `size` bytes completed with `chunk`. Unless enough
    /// is queued already, the next receive is armed at once (read-ahead), as a
    /// multishot receive stays armed: a task that reads only after other work (an
    /// echo that writes first) then finds the next bytes already received.
    fn finish_recv(&mut self, s: usize, chunk: Chunk, size: usize) {
        let sock = &mut self.socks[s];
        sock.nobufs = false;
        if sock.open {
            sock.chunks.push_back(chunk);
        }
        if let Some(w) = sock.reader.take() {
            self.wake.push(w);
        }
        let ud = sock.recv_op.expect("a receive was in flight");
        self.finish_op(s, ud);
        let read_ahead = self
            .socks
            .get(s)
            .is_some_and(|sock| sock.open && sock.chunks.len() < READ_AHEAD_CHUNKS);
        if read_ahead {
            self.arm_recv(s, size);
        }
    }

    /// The last completion of op `user_data` on socket `s` arrived: the op (and its
    /// buffer) is dropped now.
    fn finish(&mut self, s: usize, user_data: u64, op: Op) {
        if let OpKind::Send(mut buf) = op.kind {
            // Keep the allocation for the next send.
            buf.clear();
            self.socks[s].spare = buf;
        }
        self.finish_op(s, user_data);
    }

    fn finish_op(&mut self, s: usize, user_data: u64) {
        if op::split_slot(user_data).is_some() {
            self.slot_ops -= 1;
        }
        let sock = &mut self.socks[s];
        for slot in [
            &mut sock.recv_op,
            &mut sock.send_op,
            &mut sock.accept_op,
            &mut sock.connect_op,
        ] {
            if *slot == Some(user_data) {
                *slot = None;
            }
        }
        sock.inflight -= 1;
        if !sock.open && sock.inflight == 0 {
            self.drop_returned(s);
            // Its unread ring buffers go back to the ring as it drops.
            self.socks.remove(s);
        }
    }

    fn arm_recv(&mut self, key: usize, want: usize) {
        let fd = self.socks[key].fd.as_raw_fd();
        let ring = self.bufs.as_ref().filter(|_| !self.socks[key].nobufs);
        let (ud, entry) = if let Some(ring) = ring {
            let entry = uring_core::recv_multi(fd, ring);
            (self.insert_slot(key, Slot::RecvMulti), entry)
        } else {
            let mut buf = vec![0u8; want.clamp(1, MAX_RECV)];
            let (ptr, len) = (buf.as_mut_ptr(), buf.len() as u32);
            let ud = self.insert_op(Some(key), OpKind::Recv(buf));
            (ud, opcode::Recv::new(types::Fd(fd), ptr, len).build())
        };
        self.socks[key].recv_op = Some(ud);
        // SAFETY: buffer lifetime: the owned buffer (a heap allocation that does not
        // move with the Vec) lives in the op until its completion; the ring buffers
        // live as long as the ring. fd lifetime: the Sock keeps the descriptor open
        // until its last op completes.
        unsafe { self.push(&entry.user_data(ud)) };
    }

    fn poll_read(
        &mut self,
        key: usize,
        buf: &mut tokio::io::ReadBuf<'_>,
        waker: &Waker,
    ) -> Poll<io::Result<()>> {
        let sock = &mut self.socks[key];
        if !sock.chunks.is_empty() {
            while buf.remaining() > 0 {
                let Some(chunk) = self.socks[key].chunks.front_mut() else {
                    break;
                };
                let (bytes, off) = chunk.unread_mut();
                let n = (bytes.len() - *off).min(buf.remaining());
                buf.put_slice(&bytes[*off..*off + n]);
                *off += n;
                let consumed = *off == bytes.len();
                if !consumed {
                    break;
                }
                // A ring buffer goes back to the ring as its chunk drops.
                self.socks[key].chunks.pop_front();
            }
            return Poll::Ready(Ok(()));
        }
        self.poll_unqueued(key, buf.remaining(), waker)
    }

    /// A read found nothing queued: the read error, end of stream (`Ok`), or
    /// `Pending` with a receive of up to `want` bytes armed.
    fn poll_unqueued(&mut self, key: usize, want: usize, waker: &Waker) -> Poll<io::Result<()>> {
        let sock = &mut self.socks[key];
        if let Some(e) = sock.read_err.take() {
            return Poll::Ready(Err(e));
        }
        if sock.eof {
            return Poll::Ready(Ok(()));
        }
        set_waker(&mut sock.reader, waker);
        if sock.recv_op.is_none() {
            self.arm_recv(key, want);
        }
        Poll::Pending
    }

    fn poll_write(&mut self, key: usize, buf: &[u8], waker: &Waker) -> Poll<io::Result<usize>> {
        let sock = &mut self.socks[key];
        if let Some(done) = sock.send_done.take() {
            return Poll::Ready(done);
        }
        set_waker(&mut sock.writer, waker);
        if sock.send_op.is_some() || sock.owned.busy() {
            return Poll::Pending;
        }
        if let Some(e) = sock.owned.error() {
            return Poll::Ready(Err(e));
        }
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let mut owned = std::mem::take(&mut sock.spare);
        owned.clear();
        owned.extend_from_slice(&buf[..buf.len().min(MAX_SEND)]);
        let (ptr, len) = (owned.as_ptr(), owned.len() as u32);
        let fd = types::Fd(sock.fd.as_raw_fd());
        let ud = self.insert_op(Some(key), OpKind::Send(owned));
        self.socks[key].send_op = Some(ud);
        let entry = opcode::Send::new(fd, ptr, len)
            .flags(libc::MSG_NOSIGNAL)
            .build()
            .user_data(ud);
        // SAFETY: buffer lifetime: the copy lives in the op until its completion;
        // fd lifetime: the Sock keeps the descriptor open until then.
        unsafe { self.push(&entry) };
        Poll::Pending
    }

    fn poll_accept(
        &mut self,
        key: usize,
        waker: &Waker,
    ) -> Poll<io::Result<(std::net::TcpStream, SocketAddr)>> {
        let multishot = self.features.multishot_accept;
        let sock = &mut self.socks[key];
        while let Some(accepted) = sock.accepted.pop_front() {
            let stream = match accepted {
                Ok(fd) => std::net::TcpStream::from(fd),
                Err(e) => return Poll::Ready(Err(e)),
            };
            match stream.peer_addr() {
                Ok(peer) => return Poll::Ready(Ok((stream, peer))),
                // Reset before we looked: take the next one.
                Err(_) => continue,
            }
        }
        set_waker(&mut sock.reader, waker);
        if sock.accept_op.is_none() {
            let fd = types::Fd(sock.fd.as_raw_fd());
            let flags = libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
            let (ud, entry) = if multishot {
                let entry = uring_core::accept_multi(fd.0, flags);
                (self.insert_op(Some(key), OpKind::AcceptMulti), entry)
            } else {
                let ud = self.insert_op(Some(key), OpKind::Accept);
                let (addr, len) = (std::ptr::null_mut(), std::ptr::null_mut());
                (ud, opcode::Accept::new(fd, addr, len).flags(flags).build())
            };
            self.socks[key].accept_op = Some(ud);
            // SAFETY: no buffer (the peer address is not asked for); fd lifetime: the
            // Sock keeps the listener open until the op completes.
            unsafe { self.push(&entry.user_data(ud)) };
        }
        Poll::Pending
    }

    fn poll_connect(
        &mut self,
        key: usize,
        addr: SocketAddr,
        waker: &Waker,
    ) -> Poll<io::Result<()>> {
        let sock = &mut self.socks[key];
        if let Some(done) = sock.connect_done.take() {
            return Poll::Ready(done);
        }
        set_waker(&mut sock.writer, waker);
        if sock.connect_op.is_none() {
            let fd = types::Fd(sock.fd.as_raw_fd());
            let addr = Box::new(socket2::SockAddr::from(addr));
            let (ptr, len) = (addr.as_ptr(), addr.len());
            let ud = self.insert_op(Some(key), OpKind::Connect(addr));
            self.socks[key].connect_op = Some(ud);
            let entry = opcode::Connect::new(fd, ptr.cast(), len)
                .build()
                .user_data(ud);
            // SAFETY: buffer lifetime: the boxed address lives in the op until its
            // completion; fd lifetime: the Sock keeps the socket open until then.
            unsafe { self.push(&entry) };
        }
        Poll::Pending
    }
}
