//! [`RingBuf`]: one buffer of a [`BufRing`], handed back by the kernel with a
//! completion, lent to Rust until the guard is dropped.

use std::fmt;
use std::ops::Deref;
use std::rc::Rc;

use super::BufRing;

/// The bytes a completion left in one buffer of a [`BufRing`]. Dropping it gives the
/// buffer back to the ring (the kernel may fill it again at once).
///
/// It holds an `Rc` to its ring, so it may outlive the ring's owner (a driver that is
/// dropped while buffers are lent out): the memory stays valid, and the buffer is
/// given back to the (by then possibly unregistered) ring when the guard drops. It is
/// `!Send`: it lives on the thread of its io_uring.
///
/// ```
/// use uring_core::RingBuf;
///
/// // What a reader does with a received buffer: look at the bytes, then drop it.
/// fn echo_line(buf: RingBuf, out: &mut Vec<u8>) {
///     out.extend_from_slice(&buf); // `Deref<Target = [u8]>`
///     assert_eq!(buf.len(), buf.as_slice().len());
/// } // the buffer goes back to the ring here
/// # let _ = echo_line;
/// ```
///
/// # Invariant
///
/// `bid` is held in `ring` (its `held` flag is set) by this guard alone, and
/// `start <= len <= ` the ring's buffer size.
#[must_use = "dropping a RingBuf gives its buffer back to the ring"]
pub struct RingBuf {
    ring: Rc<BufRing>,
    bid: u16,
    /// The bytes before it were consumed ([`advance`](RingBuf::advance)).
    start: u32,
    len: u32,
}

impl RingBuf {
    /// The guard over held buffer `bid` (see the invariant; made by
    /// [`BufRing::take`]).
    pub(super) fn new(ring: Rc<BufRing>, bid: u16, len: u32) -> RingBuf {
        RingBuf {
            ring,
            bid,
            start: 0,
            len,
        }
    }

    /// The buffer id the completion named.
    pub fn bid(&self) -> u16 {
        self.bid
    }

    /// The number of received bytes not yet consumed.
    pub fn len(&self) -> usize {
        (self.len - self.start) as usize
    }

    /// Whether every received byte was consumed (or none was received).
    pub fn is_empty(&self) -> bool {
        self.len == self.start
    }

    /// The received bytes not yet consumed.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: this guard holds `bid` (the invariant) for as long as the borrow of
        // `self` lasts, and the `Rc` keeps the ring's memory alive.
        let all = unsafe { self.ring.bytes(self.bid, self.len) };
        &all[self.start as usize..]
    }

    /// Consumes the first `n` bytes (a reader took them): [`as_slice`] starts after
    /// them. The buffer goes back to the ring only when the guard drops.
    ///
    /// [`as_slice`]: RingBuf::as_slice
    ///
    /// # Panics
    ///
    /// If `n` is more than [`len`](RingBuf::len).
    #[track_caller]
    pub fn advance(&mut self, n: usize) {
        assert!(n <= self.len(), "advance({n}) past {} bytes", self.len());
        self.start += n as u32;
    }

    /// The ring the buffer belongs to.
    pub fn ring(&self) -> &Rc<BufRing> {
        &self.ring
    }
}

impl Deref for RingBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for RingBuf {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Drop for RingBuf {
    fn drop(&mut self) {
        self.ring.give_back(self.bid);
    }
}

impl fmt::Debug for RingBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingBuf")
            .field("group", &self.ring.group())
            .field("bid", &self.bid)
            .field("start", &self.start)
            .field("len", &self.len)
            .finish()
    }
}
