//! A provided buffer ring (`IORING_REGISTER_PBUF_RING`): `entries` buffers of `size`
//! bytes that the kernel picks from for multishot receives, and that the worker hands
//! back once it has copied what the kernel wrote.
//!
//! Ownership: the ring's entry array and the buffers are allocated here and freed
//! only in [`BufRing::free`], which the worker calls after the ring was unregistered
//! and no receive is in flight (see the worker's shutdown). Until then the kernel may
//! write into any buffer it holds, so no buffer is ever freed while in its hands.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::io;
use std::sync::atomic::{AtomicU16, Ordering};

use io_uring::types::BufRingEntry;
use io_uring::Submitter;

/// The buffer group id of every worker's ring (each worker has its own io_uring).
pub(crate) const GROUP: u16 = 0;

/// A registered buffer ring and its buffers.
#[derive(Debug)]
pub(crate) struct BufRing {
    ring: *mut BufRingEntry,
    ring_layout: Layout,
    bufs: *mut u8,
    bufs_layout: Layout,
    entries: u16,
    size: usize,
    /// The tail this side has published (the kernel owns the head).
    tail: u16,
}

impl BufRing {
    /// Allocates `entries` (a power of two, at most 32768) buffers of `size` bytes,
    /// publishes all of them, and registers the ring with `submitter`'s io_uring.
    ///
    /// # Errors
    ///
    /// If the memory cannot be allocated, or the kernel refuses the registration
    /// (a kernel older than 5.19).
    pub(crate) fn register(
        submitter: &Submitter<'_>,
        entries: u16,
        size: usize,
    ) -> io::Result<BufRing> {
        assert!(
            entries.is_power_of_two() && entries <= 1 << 15,
            "ring entries"
        );
        let ring_layout = Layout::from_size_align(
            usize::from(entries) * std::mem::size_of::<BufRingEntry>(),
            4096,
        )
        .map_err(io::Error::other)?;
        let bufs_layout =
            Layout::from_size_align(usize::from(entries) * size, 64).map_err(io::Error::other)?;
        // SAFETY: both layouts have a non-zero size (entries ≥ 1, size ≥ 1).
        let ring = unsafe { alloc_zeroed(ring_layout) }.cast::<BufRingEntry>();
        // SAFETY: as above.
        let bufs = unsafe { alloc_zeroed(bufs_layout) };
        if ring.is_null() || bufs.is_null() {
            // SAFETY: each pointer is freed with the layout it was allocated with, and
            // only if the allocation succeeded.
            unsafe {
                if !ring.is_null() {
                    dealloc(ring.cast(), ring_layout);
                }
                if !bufs.is_null() {
                    dealloc(bufs, bufs_layout);
                }
            }
            return Err(io::ErrorKind::OutOfMemory.into());
        }
        let mut this = BufRing {
            ring,
            ring_layout,
            bufs,
            bufs_layout,
            entries,
            size,
            tail: 0,
        };
        for bid in 0..entries {
            this.push(bid);
        }
        this.publish();
        // SAFETY: the ring memory is page-aligned, holds `entries` entries, and stays
        // allocated until `free`, which runs only after `unregister`. Ring ownership:
        // this ring is registered with the worker's own io_uring only.
        let registered =
            unsafe { submitter.register_buf_ring_with_flags(ring as u64, entries, GROUP, 0) };
        if let Err(e) = registered {
            this.free();
            return Err(e);
        }
        Ok(this)
    }

    /// The bytes of buffer `bid` that a receive completion reported (`len` of them).
    ///
    /// # Panics
    ///
    /// If `bid` or `len` is out of range (a kernel contract violation).
    pub(crate) fn data(&self, bid: u16, len: usize) -> &[u8] {
        assert!(
            bid < self.entries && len <= self.size,
            "buffer {bid}, {len} B"
        );
        // SAFETY: buffer `bid` lies inside the allocation; the kernel wrote `len` bytes
        // into it and handed it to us with this completion, and it does not touch it
        // again until `recycle` gives it back. Buffer lifetime: allocated until `free`.
        unsafe { std::slice::from_raw_parts(self.bufs.add(usize::from(bid) * self.size), len) }
    }

    /// Hands buffer `bid` back to the kernel.
    pub(crate) fn recycle(&mut self, bid: u16) {
        self.push(bid);
        self.publish();
    }

    /// Writes the entry for `bid` at the tail (not yet visible to the kernel).
    fn push(&mut self, bid: u16) {
        let mask = self.entries - 1;
        let slot = usize::from(self.tail & mask);
        // SAFETY: `slot < entries`, inside the ring allocation. The kernel reads entries
        // only between its head and the published tail, and this slot is past the
        // published tail: no one else accesses it now.
        let entry = unsafe { &mut *self.ring.add(slot) };
        // SAFETY: as in `data`: buffer `bid` lies inside the buffer allocation.
        let addr = unsafe { self.bufs.add(usize::from(bid) * self.size) };
        entry.set_addr(addr as u64);
        entry.set_len(self.size as u32);
        entry.set_bid(bid);
        self.tail = self.tail.wrapping_add(1);
    }

    /// Makes the entries pushed so far visible to the kernel.
    fn publish(&self) {
        // SAFETY: `tail` points at the ring's tail field, inside the ring allocation
        // (it overlays the first entry's reserved bytes); the kernel reads it
        // concurrently, so it is written atomically, with release ordering so that the
        // entries written before are visible first.
        unsafe {
            let tail = BufRingEntry::tail(self.ring).cast_mut().cast::<AtomicU16>();
            (*tail).store(self.tail, Ordering::Release);
        }
    }

    /// Frees the ring and the buffers. Call it only once the ring is unregistered and
    /// no receive is in flight, or the io_uring is closed and drained.
    pub(crate) fn free(self) {
        // SAFETY: each pointer is freed once, with its layout; the caller guarantees the
        // kernel no longer holds any buffer nor reads the ring.
        unsafe {
            dealloc(self.ring.cast(), self.ring_layout);
            dealloc(self.bufs, self.bufs_layout);
        }
    }
}
