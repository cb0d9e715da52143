//! [`BufRing`]: a provided buffer ring, the buffers multishot receives land in.

use std::alloc::{self, Layout};
use std::io;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

use io_uring::types::BufRingEntry;
use io_uring::Submitter;

use super::ring_memory::RingMemory;

/// The buffer group id of a worker's ring (one group per ring).
pub(crate) const GROUP: u16 = 0;

/// A ring of `count` buffers of `size` bytes registered with one io_uring as buffer
/// group [`GROUP`]. The kernel takes a buffer from the ring for each receive
/// completion; the driver gives it back ([`recycle`](BufRing::recycle)) once the bytes
/// have been read out of it.
///
/// # Invariant
///
/// `entries` (the ring the kernel reads) and `buffers` (the memory it writes) stay
/// allocated until the ring is unregistered or the io_uring is closed: the driver
/// drops a `BufRing` only after it has waited for every operation in flight, and
/// unregisters it in [`unregister`](BufRing::unregister) first. `buffers` is shared
/// with the buffers lent to tasks, and outlives them.
pub(crate) struct BufRing {
    entries: NonNull<BufRingEntry>,
    layout: Layout,
    buffers: Arc<RingMemory>,
    count: u16,
    size: usize,
    /// The next tail to publish (the kernel sees it after [`publish`](Self::publish)).
    tail: u16,
    registered: bool,
}

impl BufRing {
    /// Allocates and registers a ring of `count` (a power of two) buffers of `size`.
    ///
    /// # Errors
    ///
    /// If the kernel refuses the registration (no buffer rings before Linux 5.19).
    pub(crate) fn new(submitter: &Submitter<'_>, count: u16, size: usize) -> io::Result<Self> {
        assert!(count.is_power_of_two());
        let layout = Layout::from_size_align(usize::from(count) * size_of::<BufRingEntry>(), 4096)
            .map_err(io::Error::other)?;
        // SAFETY: the layout has a non-zero size (count >= 1).
        let raw = unsafe { alloc::alloc_zeroed(layout) };
        let Some(entries) = NonNull::new(raw.cast::<BufRingEntry>()) else {
            alloc::handle_alloc_error(layout)
        };
        let mut ring = BufRing {
            entries,
            layout,
            buffers: Arc::new(RingMemory::new(count, size)),
            count,
            size,
            tail: 0,
            registered: false,
        };
        // SAFETY: buffer lifetime: `entries` stays allocated until `Drop`, and the
        // driver unregisters the ring (or closes the io_uring) before dropping it.
        unsafe {
            submitter.register_buf_ring_with_flags(entries.as_ptr() as u64, count, GROUP, 0)?;
        }
        ring.registered = true;
        for bid in 0..count {
            ring.push(bid);
        }
        ring.publish();
        Ok(ring)
    }

    /// The bytes buffer `bid` holds, `len` of them. Call only for a buffer a
    /// completion delivered and that has not been recycled.
    pub(crate) fn slice(&self, bid: u16, len: usize) -> &[u8] {
        // SAFETY: the driver calls this only for a buffer out of the ring (delivered,
        // not recycled); nothing writes it while the driver holds `&self`.
        unsafe { self.buffers.slice(bid, 0, len) }
    }

    /// The memory, to lend buffers from it.
    pub(crate) fn memory(&self) -> &Arc<RingMemory> {
        &self.buffers
    }

    fn push(&mut self, bid: u16) {
        let index = usize::from(self.tail & (self.count - 1));
        let addr = self.buffers.addr(bid) as u64;
        // SAFETY: `index < count`, inside the allocation; the kernel only reads the
        // entries between its head and the published tail, and this slot is past the
        // published tail until `publish`.
        let entry = unsafe { &mut *self.entries.as_ptr().add(index) };
        entry.set_addr(addr);
        entry.set_len(self.size as u32);
        entry.set_bid(bid);
        self.tail = self.tail.wrapping_add(1);
    }

    fn publish(&self) {
        // SAFETY: `BufRingEntry::tail` names the tail field inside the first entry of
        // our live allocation; it is a u16 the kernel reads atomically, aligned as one.
        let tail = unsafe { &*(BufRingEntry::tail(self.entries.as_ptr()) as *const AtomicU16) };
        tail.store(self.tail, Ordering::Release);
    }

    /// Gives buffer `bid` back to the kernel: its bytes have been consumed.
    pub(crate) fn recycle(&mut self, bid: u16) {
        self.push(bid);
        self.publish();
    }

    /// Unregisters the ring from the io_uring. Call only once no operation that
    /// selects from it is in flight.
    pub(crate) fn unregister(&mut self, submitter: &Submitter<'_>) {
        if self.registered && submitter.unregister_buf_ring(GROUP).is_ok() {
            self.registered = false;
        }
    }

    /// Whether the kernel may still use the memory (not unregistered).
    pub(crate) fn is_registered(&self) -> bool {
        self.registered
    }
}

impl Drop for BufRing {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout; the driver drops a registered
        // ring only after the io_uring itself is closed and every operation has
        // completed (buffer lifetime, see the type's invariant).
        unsafe { alloc::dealloc(self.entries.as_ptr().cast(), self.layout) };
    }
}

impl std::fmt::Debug for BufRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BufRing")
            .field("count", &self.count)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}
