//! [`RingMem`]: the memory of a provided buffer ring, the entry array the kernel reads
//! and the buffers it writes, and the tail arithmetic that publishes entries. No
//! kernel is involved here, so its tests run on a plain allocation (and under Miri).

use std::alloc::{self, Layout};
use std::cell::Cell;
use std::io;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicU16, Ordering};

use io_uring::types::BufRingEntry;

/// The kernel ABI's `struct io_uring_buf`: one entry of a provided buffer ring. The
/// ring's tail is a `u16` that overlays `resv` of entry 0 (`struct io_uring_buf_ring`).
#[repr(C)]
pub(crate) struct Entry {
    pub(crate) addr: u64,
    pub(crate) len: u32,
    pub(crate) bid: u16,
    resv: u16,
}

/// Where the tail lives: the offset of `resv` in entry 0.
pub(crate) const TAIL_OFFSET: usize = 14;

const _: () = assert!(size_of::<Entry>() == size_of::<BufRingEntry>());
const _: () = assert!(std::mem::offset_of!(Entry, resv) == TAIL_OFFSET);

/// The most entries a ring may have (the kernel's limit).
pub(crate) const MAX_ENTRIES: u16 = 1 << 15;

/// The entry array and the buffers of one ring, in two raw allocations that Rust never
/// holds a reference over, except over one buffer the kernel has handed back
/// ([`bytes`](RingMem::bytes)).
///
/// # Invariant
///
/// `entries` points at `count` zero-initialised [`Entry`]s, page-aligned, allocated
/// with `entries_layout`; `bufs` at `count * size` bytes allocated with
/// `bufs_layout`. Both stay allocated until `Drop`. `count` is a power of two. Entries
/// are written only through raw pointers, and only at slots past the published tail;
/// the tail only with an atomic store.
///
/// Buffer lifetime: while `registered`, the kernel may read the entries and write any
/// buffer pushed, so `Drop` leaks the memory instead of freeing it.
pub(crate) struct RingMem {
    entries: NonNull<Entry>,
    entries_layout: Layout,
    bufs: NonNull<u8>,
    bufs_layout: Layout,
    count: u16,
    size: u32,
    /// The tail after the last [`push`](RingMem::push): published by
    /// [`publish`](RingMem::publish).
    tail: Cell<u16>,
    registered: Cell<bool>,
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what)
}

/// Allocates `layout` zeroed (`layout` has a non-zero size).
fn alloc_zeroed(layout: Layout) -> io::Result<NonNull<u8>> {
    // SAFETY: every caller passes a layout of non-zero size (checked in `new`).
    NonNull::new(unsafe { alloc::alloc_zeroed(layout) })
        .ok_or_else(|| io::ErrorKind::OutOfMemory.into())
}

impl RingMem {
    /// Allocates `count` entries and `count` buffers of `size` bytes; no entry is
    /// pushed yet.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `count` is not a power of two in `1..=32768` or `size` is 0;
    /// `OutOfMemory` if an allocation fails.
    pub(crate) fn new(count: u16, size: u32) -> io::Result<RingMem> {
        if !count.is_power_of_two() || count > MAX_ENTRIES {
            return Err(invalid(format!(
                "a buffer ring needs a power of two of at most {MAX_ENTRIES} buffers, not {count}"
            )));
        }
        if size == 0 {
            return Err(invalid("a buffer ring's buffers cannot be empty".into()));
        }
        let entries_layout = Layout::from_size_align(usize::from(count) * size_of::<Entry>(), 4096)
            .map_err(|e| invalid(e.to_string()))?;
        let bufs_len = usize::from(count)
            .checked_mul(size as usize)
            .ok_or_else(|| invalid(format!("{count} buffers of {size} B overflow")))?;
        let bufs_layout =
            Layout::from_size_align(bufs_len, 64).map_err(|e| invalid(e.to_string()))?;
        let entries = alloc_zeroed(entries_layout)?;
        let bufs = match alloc_zeroed(bufs_layout) {
            Ok(bufs) => bufs,
            Err(e) => {
                // SAFETY: allocated just above with this layout, and shared with no one.
                unsafe { alloc::dealloc(entries.as_ptr(), entries_layout) };
                return Err(e);
            }
        };
        Ok(RingMem {
            entries: entries.cast(),
            entries_layout,
            bufs,
            bufs_layout,
            count,
            size,
            tail: Cell::new(0),
            registered: Cell::new(false),
        })
    }

    /// The address of the entry array, for `IORING_REGISTER_PBUF_RING`.
    pub(crate) fn entries_addr(&self) -> u64 {
        self.entries.as_ptr() as u64
    }

    /// Whether the memory is registered with an io_uring (see the invariant).
    pub(crate) fn is_registered(&self) -> bool {
        self.registered.get()
    }

    /// Records a registration or an unregistration.
    pub(crate) fn set_registered(&self, registered: bool) {
        self.registered.set(registered);
    }

    /// The number of buffers.
    pub(crate) fn count(&self) -> u16 {
        self.count
    }

    /// The size of each buffer.
    pub(crate) fn size(&self) -> u32 {
        self.size
    }

    /// The tail after the pushes so far (published or not).
    #[cfg(test)]
    pub(crate) fn tail(&self) -> u16 {
        self.tail.get()
    }

    /// A pointer to the first byte of buffer `bid` (`bid < count`).
    pub(crate) fn buf_ptr(&self, bid: u16) -> *mut u8 {
        assert!(bid < self.count, "buffer id {bid} of {}", self.count);
        // SAFETY: `bid < count`, so the offset stays inside the buffer allocation.
        unsafe {
            self.bufs
                .as_ptr()
                .add(usize::from(bid) * self.size as usize)
        }
    }

    /// A pointer to entry `slot` (`slot < count`).
    pub(crate) fn entry_ptr(&self, slot: u16) -> *mut Entry {
        debug_assert!(slot < self.count);
        // SAFETY: `slot < count`, so the offset stays inside the entry array.
        unsafe { self.entries.as_ptr().add(usize::from(slot)) }
    }

    /// The ring's tail, which the kernel reads (it overlays `resv` of entry 0).
    pub(crate) fn tail_atomic(&self) -> &AtomicU16 {
        // SAFETY: TAIL_OFFSET + 2 <= size_of::<Entry>(), so the pointer is inside entry
        // 0, aligned for a u16 (the array is page-aligned, the offset even), and valid
        // as long as `self`. Those two bytes are only ever accessed atomically (here
        // and by the kernel), never through a reference to the entry.
        unsafe {
            let tail = self.entries.as_ptr().cast::<u8>().add(TAIL_OFFSET);
            AtomicU16::from_ptr(tail.cast())
        }
    }

    /// Writes the entry for buffer `bid` at the tail (the kernel sees it only after
    /// [`publish`](RingMem::publish)). The caller pushes each buffer at most once
    /// between two hand-backs by the kernel, so at most `count` entries are pending.
    pub(crate) fn push(&self, bid: u16) {
        let addr = self.buf_ptr(bid) as u64;
        let tail = self.tail.get();
        let entry = self.entry_ptr(tail & (self.count - 1));
        // SAFETY: `entry` is inside the array (see `entry_ptr`). The kernel reads only
        // the entries from its head up to the published tail, and this slot is past
        // it. The fields are written one by one through raw pointers: `resv` of entry
        // 0 is the tail, which the kernel reads concurrently and which is not touched.
        unsafe {
            ptr::addr_of_mut!((*entry).addr).write(addr);
            ptr::addr_of_mut!((*entry).len).write(self.size);
            ptr::addr_of_mut!((*entry).bid).write(bid);
        }
        self.tail.set(tail.wrapping_add(1));
    }

    /// Makes the entries pushed so far visible to the kernel: a release store of the
    /// tail, so that the entries written before it are seen first.
    pub(crate) fn publish(&self) {
        self.tail_atomic().store(self.tail.get(), Ordering::Release);
    }

    /// The `len` bytes at the start of buffer `bid`.
    ///
    /// # Safety
    ///
    /// For as long as the slice lives, nothing writes buffer `bid`: the kernel handed
    /// it back (a completion reported it) and it has not been pushed since.
    pub(crate) unsafe fn bytes(&self, bid: u16, len: u32) -> &[u8] {
        assert!(len <= self.size, "{len} B in a buffer of {}", self.size);
        // SAFETY: buffer `bid` (checked by `buf_ptr`) is `size >= len` initialised
        // (zeroed at allocation) bytes inside the live allocation; the caller
        // guarantees no one writes it meanwhile.
        unsafe { std::slice::from_raw_parts(self.buf_ptr(bid), len as usize) }
    }

    /// Starts the tail at `tail` instead of 0 (tests of the wrap-around).
    #[cfg(test)]
    pub(crate) fn set_tail(&self, tail: u16) {
        self.tail.set(tail);
    }
}

impl Drop for RingMem {
    fn drop(&mut self) {
        if self.registered.get() {
            // Buffer lifetime: the kernel may still use the memory: leak it.
            return;
        }
        // SAFETY: both were allocated in `new` with these layouts and are freed once;
        // the ring is not registered, so the kernel no longer uses them.
        unsafe {
            alloc::dealloc(self.entries.as_ptr().cast(), self.entries_layout);
            alloc::dealloc(self.bufs.as_ptr(), self.bufs_layout);
        }
    }
}
