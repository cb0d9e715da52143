//! [`BufRing`]: a provided buffer ring registered with one io_uring, and
//! [`RingBuf`], the guard over one buffer a completion handed back.

mod buf;
pub(crate) mod mem;
#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::fmt;
use std::io;
use std::rc::Rc;

use io_uring::Submitter;

pub use buf::RingBuf;
use mem::RingMem;

/// The buffer group id to register a ring's one buffer ring as (each io_uring has
/// its own groups, so every worker's ring can use the same id).
pub const ONLY_GROUP: u16 = 0;

/// A ring of buffers registered with one io_uring as a buffer group
/// (`IORING_REGISTER_PBUF_RING`, Linux 5.19): receives that select from the group
/// (multishot ones above all) land in one of its buffers, and each completion names
/// the buffer. [`take`](BufRing::take) turns that into a [`RingBuf`], which gives the
/// buffer back to the ring when it is dropped.
///
/// It lives in an `Rc` (the guards hold one), on the thread of its io_uring.
///
/// ```
/// use uring_core::BufRing;
///
/// let Ok((ring, _mode)) = uring_core::build_best(8) else {
///     return; // no io_uring here
/// };
/// match BufRing::register(&ring.submitter(), 0, 64, 4096) {
///     Ok(bufs) => {
///         assert_eq!((bufs.group(), bufs.count(), bufs.buf_size()), (0, 64, 4096));
///         // SAFETY: no operation selects from the group: none was submitted.
///         unsafe { bufs.unregister(&ring.submitter()) }.unwrap();
///     }
///     Err(e) => println!("no buffer ring on this kernel: {e}"),
/// }
/// ```
///
/// # Invariant
///
/// Buffer lifetime: while the ring is registered, the kernel may read the entries and
/// write the buffers of any pushed entry, so the memory is never freed then (it is
/// leaked if the ring is dropped registered). A buffer whose `held` flag is set was handed back by the kernel and not pushed
/// since: only its [`RingBuf`] reads it.
pub struct BufRing {
    mem: RingMem,
    group: u16,
    held: Box<[Cell<bool>]>,
    /// How many `held` flags are set.
    lent: Cell<usize>,
}

impl BufRing {
    /// Allocates `count` (a power of two, at most 32768) buffers of `size` bytes,
    /// pushes all of them, and registers the ring with `submitter`'s io_uring as
    /// buffer group `group`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad `count` or `size`, `OutOfMemory`, or the kernel's
    /// refusal (`EINVAL` before Linux 5.19, `EEXIST` if `group` is taken).
    pub fn register(
        submitter: &Submitter<'_>,
        group: u16,
        count: u16,
        size: u32,
    ) -> io::Result<Rc<BufRing>> {
        let ring = BufRing::unregistered(group, RingMem::new(count, size)?);
        // Marked first: should anything below fail to return, the memory is leaked.
        ring.mem.set_registered(true);
        // SAFETY: the address is a page-aligned array of `count` entries, each naming
        // a buffer of `size` bytes inside the buffer allocation. Buffer lifetime: both
        // stay allocated while the ring is registered (`RingMem` leaks them if it is
        // dropped registered), i.e. until `unregister` or for ever.
        let registered = unsafe {
            submitter.register_buf_ring_with_flags(ring.mem.entries_addr(), count, group, 0)
        };
        if let Err(e) = registered {
            // The kernel refused it: it never saw the memory.
            ring.mem.set_registered(false);
            return Err(e);
        }
        Ok(Rc::new(ring))
    }

    /// A ring over `mem` with every buffer pushed and published, not registered.
    fn unregistered(group: u16, mem: RingMem) -> BufRing {
        let count = mem.count();
        let ring = BufRing {
            mem,
            group,
            held: (0..count).map(|_| Cell::new(false)).collect(),
            lent: Cell::new(0),
        };
        for bid in 0..count {
            ring.mem.push(bid);
        }
        ring.mem.publish();
        ring
    }

    /// An unregistered ring of `count` buffers of `size` bytes whose tail starts at
    /// `tail`: the kernel is simulated in the tests.
    #[cfg(test)]
    pub(crate) fn for_test(group: u16, count: u16, size: u32, tail: u16) -> Rc<BufRing> {
        let mem = RingMem::new(count, size).expect("valid test ring");
        mem.set_tail(tail);
        Rc::new(BufRing::unregistered(group, mem))
    }

    /// The ring's memory (the tests' simulated kernel reads it).
    #[cfg(test)]
    pub(crate) fn mem(&self) -> &RingMem {
        &self.mem
    }

    /// The buffer group id receives select with (`IOSQE_BUFFER_SELECT`).
    pub fn group(&self) -> u16 {
        self.group
    }

    /// The number of buffers.
    pub fn count(&self) -> u16 {
        self.mem.count()
    }

    /// The size of each buffer.
    pub fn buf_size(&self) -> u32 {
        self.mem.size()
    }

    /// The number of buffers held by a [`RingBuf`] now (a counter: cheap enough to
    /// check on every receive, as a backend does to copy before the ring runs dry).
    pub fn lent(&self) -> usize {
        debug_assert_eq!(
            self.lent.get(),
            self.held.iter().filter(|h| h.get()).count()
        );
        self.lent.get()
    }

    /// The guard over buffer `bid`, which a completion reported holding `len` bytes.
    ///
    /// # Errors
    ///
    /// `InvalidData` if `bid` or `len` is out of range, or `bid` is already held: the
    /// completion does not come from this ring.
    ///
    /// # Safety
    ///
    /// `bid` and `len` come from a completion, reaped on this ring's io_uring, of an
    /// operation that selected a buffer from this ring's group: the kernel has
    /// finished writing the buffer and will not write it again until it is pushed.
    pub unsafe fn take(self: &Rc<Self>, bid: u16, len: u32) -> io::Result<RingBuf> {
        let bad = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("buffer ring {}: completion names {what}", self.group),
            )
        };
        let Some(held) = self.held.get(usize::from(bid)) else {
            return Err(bad(&format!("buffer {bid} of {}", self.count())));
        };
        if len > self.buf_size() {
            return Err(bad(&format!("{len} B in a {} B buffer", self.buf_size())));
        }
        if held.replace(true) {
            return Err(bad(&format!("buffer {bid}, which is already held")));
        }
        self.lent.set(self.lent.get() + 1);
        Ok(RingBuf::new(Rc::clone(self), bid, len))
    }

    /// The bytes of held buffer `bid`.
    ///
    /// # Safety
    ///
    /// `bid` is held (by the caller, a [`RingBuf`]) for the slice's lifetime.
    unsafe fn bytes(&self, bid: u16, len: u32) -> &[u8] {
        debug_assert!(self.held[usize::from(bid)].get());
        // SAFETY: a held buffer was handed back by the kernel and is not pushed until
        // its guard is dropped (the caller's guarantee): nothing writes it.
        unsafe { self.mem.bytes(bid, len) }
    }

    /// Gives held buffer `bid` back to the kernel.
    fn give_back(&self, bid: u16) {
        let was_held = self.held[usize::from(bid)].replace(false);
        debug_assert!(was_held, "buffer {bid} given back twice");
        if was_held {
            self.lent.set(self.lent.get() - 1);
            self.mem.push(bid);
            self.mem.publish();
        }
    }

    /// Unregisters the ring from the io_uring; its memory is freed when the last
    /// `Rc` (the ring's owner's, or a [`RingBuf`]'s) is dropped. A ring that is never
    /// unregistered is leaked, never freed.
    ///
    /// # Errors
    ///
    /// The kernel's refusal (the ring is then still registered and will be leaked).
    ///
    /// # Safety
    ///
    /// `submitter` belongs to the io_uring the ring was registered with, and no
    /// operation that may select from its group is in flight (all their last
    /// completions were reaped): afterwards the kernel never touches the memory.
    pub unsafe fn unregister(&self, submitter: &Submitter<'_>) -> io::Result<()> {
        if self.mem.is_registered() {
            submitter.unregister_buf_ring(self.group)?;
            self.mem.set_registered(false);
        }
        Ok(())
    }

    /// Whether the ring is registered (the kernel may still use its memory).
    pub fn is_registered(&self) -> bool {
        self.mem.is_registered()
    }
}

impl fmt::Debug for BufRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufRing")
            .field("group", &self.group)
            .field("count", &self.count())
            .field("buf_size", &self.buf_size())
            .field("registered", &self.is_registered())
            .finish_non_exhaustive()
    }
}
