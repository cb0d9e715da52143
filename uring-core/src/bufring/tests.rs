//! The ring memory without a kernel: a simulated kernel consumes published entries
//! and writes buffers as a receive would. Run under Miri by `make miri`.

use std::io;
use std::ptr;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;

use super::mem::{Entry, RingMem};
use super::{BufRing, RingBuf};

#[cfg(miri)]
const ROUNDS: usize = 48;
#[cfg(not(miri))]
const ROUNDS: usize = 20_000;

/// The kernel's side of a buffer ring: its private head, and what it reads.
struct SimKernel {
    head: u16,
}

/// One entry as the kernel reads it: (addr, len, bid).
///
/// # Safety
///
/// `entry` is an entry of a live ring, published (behind the tail the caller loaded
/// with acquire ordering) and not yet consumed.
unsafe fn read_entry(entry: *const Entry) -> (u64, u32, u16) {
    // SAFETY: the caller's guarantee: the entry is live and nobody writes it now.
    unsafe {
        (
            ptr::addr_of!((*entry).addr).read(),
            ptr::addr_of!((*entry).len).read(),
            ptr::addr_of!((*entry).bid).read(),
        )
    }
}

fn published_tail(mem: &RingMem) -> u16 {
    mem.tail_atomic().load(Ordering::Acquire)
}

impl SimKernel {
    /// Picks the next published buffer and writes `data` into it, as a receive does;
    /// `None` when the ring is empty (`ENOBUFS`).
    fn recv(&mut self, mem: &RingMem, data: &[u8]) -> Option<(u16, u32)> {
        if published_tail(mem) == self.head {
            return None;
        }
        let entry = mem.entry_ptr(self.head & (mem.count() - 1));
        // SAFETY: the slot is between the head and the tail just loaded (acquire).
        let (addr, len, bid) = unsafe { read_entry(entry) };
        assert_eq!(
            addr,
            mem.buf_ptr(bid) as u64,
            "entry {bid} points at its buffer"
        );
        assert_eq!(len, mem.size());
        assert!(data.len() <= len as usize);
        // SAFETY: buffer `bid` was published to the kernel: only it writes it now.
        unsafe { ptr::copy_nonoverlapping(data.as_ptr(), mem.buf_ptr(bid), data.len()) };
        self.head = self.head.wrapping_add(1);
        Some((bid, data.len() as u32))
    }
}

/// A completion of `bid` with `len` bytes, taken as the driver takes it.
fn take(ring: &Rc<BufRing>, (bid, len): (u16, u32)) -> RingBuf {
    // SAFETY: (bid, len) come from the simulated kernel's completion, taken once.
    unsafe { ring.take(bid, len) }.expect("a valid completion")
}

#[test]
fn every_buffer_is_published_at_start() {
    let ring = BufRing::for_test(3, 8, 64, 0);
    let mem = ring.mem();
    assert_eq!(published_tail(mem), 8);
    let mut bids: Vec<u16> = (0..8)
        // SAFETY: all 8 entries are published and none is consumed.
        .map(|slot| unsafe { read_entry(mem.entry_ptr(slot)) }.2)
        .collect();
    bids.sort_unstable();
    assert_eq!(bids, (0..8).collect::<Vec<_>>());
    assert_eq!(
        (ring.group(), ring.count(), ring.buf_size(), ring.lent()),
        (3, 8, 64, 0)
    );
}

#[test]
fn a_guard_holds_exactly_the_received_bytes_and_gives_the_buffer_back() {
    let ring = BufRing::for_test(0, 4, 16, 0);
    let mut kernel = SimKernel { head: 0 };
    let first = take(&ring, kernel.recv(ring.mem(), b"hello").unwrap());
    let second = take(&ring, kernel.recv(ring.mem(), b"world!").unwrap());
    assert_eq!(
        (&*first, second.as_slice()),
        (&b"hello"[..], &b"world!"[..])
    );
    assert_ne!(first.bid(), second.bid());
    assert_eq!(ring.lent(), 2);
    let bid = first.bid();
    drop(first);
    assert_eq!(ring.lent(), 1);
    // Pushed at the tail (slot 4 & 3 = 0) and published.
    assert_eq!(published_tail(ring.mem()), 5);
    // SAFETY: slot 0 is published again and not consumed.
    assert_eq!(unsafe { read_entry(ring.mem().entry_ptr(0)) }.2, bid);
    drop(second);
    assert_eq!(published_tail(ring.mem()), 6);
}

#[test]
fn advance_consumes_from_the_front_and_the_buffer_goes_back_on_drop() {
    let ring = BufRing::for_test(0, 2, 16, 0);
    let mut kernel = SimKernel { head: 0 };
    let mut buf = take(&ring, kernel.recv(ring.mem(), b"partial read").unwrap());
    buf.advance(8);
    assert_eq!((&*buf, buf.len()), (&b"read"[..], 4));
    buf.advance(4);
    assert!(buf.is_empty() && buf.as_slice().is_empty());
    assert_eq!(ring.lent(), 1, "consumed, but still held");
    let past = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| buf.advance(1)));
    assert!(past.is_err(), "advance past the end panics");
    drop(buf);
    assert_eq!(ring.lent(), 0);
}

#[test]
fn an_empty_ring_refuses_until_a_buffer_comes_back() {
    let ring = BufRing::for_test(0, 4, 8, 0);
    let mut kernel = SimKernel { head: 0 };
    let mut held: Vec<RingBuf> = (0..4)
        .map(|i| take(&ring, kernel.recv(ring.mem(), &[i]).unwrap()))
        .collect();
    assert!(kernel.recv(ring.mem(), b"x").is_none(), "ENOBUFS");
    let returned = held.remove(2).bid();
    let again = take(&ring, kernel.recv(ring.mem(), b"y").unwrap());
    assert_eq!((again.bid(), &*again), (returned, &b"y"[..]));
    for (i, buf) in held.iter().enumerate() {
        assert_eq!(buf.len(), 1, "buffer {i} untouched");
    }
}

#[test]
fn the_tail_wraps_around_u16() {
    let start = u16::MAX - 5;
    let ring = BufRing::for_test(0, 8, 32, start);
    let mut kernel = SimKernel { head: start };
    let mut held = std::collections::VecDeque::new();
    for round in 0..ROUNDS.min(200) {
        let msg = round.to_le_bytes();
        held.push_back(take(&ring, kernel.recv(ring.mem(), &msg).unwrap()));
        if held.len() == 5 {
            let buf = held.pop_front().unwrap();
            assert_eq!(&*buf, &(round - 4).to_le_bytes()[..]);
        }
    }
    assert!(kernel.head < start, "the head wrapped");
    assert_eq!(
        ring.mem().tail().wrapping_sub(kernel.head),
        8 - held.len() as u16
    );
}

#[test]
fn a_completion_that_does_not_fit_is_an_error_not_a_slice() {
    let ring = BufRing::for_test(0, 4, 8, 0);
    let mut kernel = SimKernel { head: 0 };
    let (bid, len) = kernel.recv(ring.mem(), b"abc").unwrap();
    // SAFETY: each call names a buffer this ring really handed out, or an invalid one
    // (which `take` must refuse without touching memory).
    unsafe {
        assert_eq!(
            ring.take(9, 1).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert_eq!(
            ring.take(bid, 9).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        let buf = ring.take(bid, len).unwrap();
        let twice = ring.take(bid, len).unwrap_err();
        assert!(twice.to_string().contains("already held"), "{twice}");
        drop(buf);
    }
    assert_eq!(ring.lent(), 0);
}

#[test]
fn a_guard_outlives_the_rings_owner() {
    let ring = BufRing::for_test(0, 2, 8, 0);
    let mut kernel = SimKernel { head: 0 };
    let buf = take(&ring, kernel.recv(ring.mem(), b"late").unwrap());
    drop(ring);
    // The memory is still there; dropping the guard gives the buffer back and then
    // frees the ring (Miri reports a leak or a use after free otherwise).
    assert_eq!(&*buf, b"late");
    assert_eq!(buf.ring().lent(), 1);
    drop(buf);
}

#[test]
fn bad_rings_are_refused() {
    for (count, size) in [(0, 8), (3, 8), (u16::MAX, 8), (4, 0)] {
        let err = RingMem::new(count, size).err().expect("refused");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{count} x {size}");
    }
}

/// Raw ring addresses for the kernel thread.
#[derive(Clone, Copy)]
struct Shared {
    mem: *const RingMem,
}

// SAFETY: the kernel thread touches the ring only through raw pointers, in the ways
// the kernel does (an acquire load of the tail, reads of published entries, writes
// of published buffers); the `RingMem` outlives the thread (joined in the test).
unsafe impl Send for Shared {}

/// The main thread plays the driver, another the kernel, with a channel as the
/// completion queue: Miri checks that publishing (release) and consuming (acquire)
/// order the entry writes, and that no buffer is written while a guard reads it.
#[test]
fn a_concurrent_kernel_sees_every_published_entry() {
    let ring = BufRing::for_test(0, 4, 8, 0);
    let shared = Shared { mem: ring.mem() };
    let (cqe_tx, cqe_rx) = mpsc::channel::<(u16, u32)>();
    let kernel = std::thread::spawn(move || {
        let shared = shared;
        // SAFETY: the ring (and so its `RingMem`) lives until after the join; only
        // `&self` methods are used, none of which touches the `Cell` tail.
        let mem = unsafe { &*shared.mem };
        let mut kernel = SimKernel { head: 0 };
        let mut round = 0usize;
        while round < ROUNDS {
            match kernel.recv(mem, &round.to_le_bytes()) {
                Some(cqe) => {
                    cqe_tx.send(cqe).unwrap();
                    round += 1;
                }
                None => std::thread::yield_now(),
            }
        }
    });
    for round in 0..ROUNDS {
        let buf = take(&ring, cqe_rx.recv().unwrap());
        assert_eq!(&*buf, &round.to_le_bytes()[..]);
    }
    kernel.join().unwrap();
    assert_eq!(ring.lent(), 0);
}
