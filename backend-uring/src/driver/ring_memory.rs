//! [`RingMemory`]: the raw memory of a provided buffer ring, shared by the ring and
//! the buffers it lends ([`Lent`](super::Lent)).

use std::alloc::{self, Layout};
use std::ptr::NonNull;
use std::sync::{Arc, OnceLock};

use pool_exec::Inbox;

/// `count` buffers of `size` bytes in one raw allocation.
///
/// No Rust reference ever covers the whole allocation: the kernel may write any
/// buffer that is in the ring at any time, so only [`slice`](RingMemory::slice)
/// makes references, each over part of one buffer that is out of the ring.
///
/// # Invariant
///
/// `ptr` is a live allocation of `layout` (`count * size` bytes, zeroed) until drop.
/// It is shared (an `Arc`) by the [`BufRing`](super::bufring::BufRing) and every
/// lent buffer, so it outlives all of them; the ring leaks its share rather than
/// drop it while the kernel may still write.
pub(crate) struct RingMemory {
    ptr: NonNull<u8>,
    layout: Layout,
    size: usize,
    /// The worker whose ring this is: lent buffers go back to it. Set when the first
    /// buffer is lent (the driver's id is assigned after the ring is set up).
    home: OnceLock<Home>,
}

/// Where a lent buffer goes back to: its driver, reached through its worker's inbox
/// from other threads.
#[derive(Debug)]
pub(crate) struct Home {
    pub(crate) driver: u64,
    pub(crate) inbox: Arc<Inbox>,
}

// SAFETY: the allocation is plain bytes owned by this value; it is read only through
// `slice`, whose callers own the buffer they read (so no thread writes it meanwhile),
// and written only by the kernel into buffers in the ring.
unsafe impl Send for RingMemory {}
// SAFETY: as for `Send`: `&RingMemory` gives no access but `slice` and `addr`.
unsafe impl Sync for RingMemory {}

impl RingMemory {
    /// Allocates `count` zeroed buffers of `size` bytes (`count * size > 0`).
    pub(crate) fn new(count: u16, size: usize) -> Self {
        let layout = Layout::from_size_align(usize::from(count) * size, 64)
            .expect("ring buffer sizes are small constants");
        // SAFETY: the layout has a non-zero size (count and size are >= 1).
        let raw = unsafe { alloc::alloc_zeroed(layout) };
        let Some(ptr) = NonNull::new(raw) else {
            alloc::handle_alloc_error(layout)
        };
        RingMemory {
            ptr,
            layout,
            size,
            home: OnceLock::new(),
        }
    }

    /// The address of buffer `bid`, for the kernel.
    pub(crate) fn addr(&self, bid: u16) -> *mut u8 {
        self.ptr.as_ptr().wrapping_add(usize::from(bid) * self.size)
    }

    /// Bytes `off..off + len` of buffer `bid` (clamped to the buffer).
    ///
    /// # Safety
    ///
    /// Buffer `bid` is out of the ring (a completion delivered it and it has not been
    /// given back) and nothing writes it while the slice lives.
    pub(crate) unsafe fn slice(&self, bid: u16, off: usize, len: usize) -> &[u8] {
        let off = off.min(self.size);
        let len = len.min(self.size - off);
        let start = usize::from(bid) * self.size + off;
        assert!(
            start + len <= self.layout.size(),
            "buffer id {bid} out of the ring"
        );
        // SAFETY: `addr(bid) + off .. + len` lies inside buffer `bid` of the live
        // allocation (checked above); the caller guarantees no one writes it meanwhile.
        unsafe { std::slice::from_raw_parts(self.addr(bid).add(off), len) }
    }

    /// The home of buffers lent from this memory, set on first use.
    pub(crate) fn home(&self, init: impl FnOnce() -> Home) -> &Home {
        self.home.get_or_init(init)
    }

    /// The home, if a buffer was ever lent.
    pub(crate) fn home_if_set(&self) -> Option<&Home> {
        self.home.get()
    }
}

impl Drop for RingMemory {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout; the last share is gone, and the
        // ring drops its share only once the kernel no longer uses the memory.
        unsafe { alloc::dealloc(self.ptr.as_ptr(), self.layout) };
    }
}

impl std::fmt::Debug for RingMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RingMemory")
            .field("bytes", &self.layout.size())
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}
