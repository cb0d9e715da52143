//! [`Lent`]: received bytes lent to a task, in a ring buffer (given back to the ring
//! when dropped) or an owned one; and [`on_home`], which runs driver work on the
//! worker a socket belongs to.

use std::mem::ManuallyDrop;
use std::thread::{self, ThreadId};

use pool_core::backend::Task;
use pool_exec::Inbox;
use uring_core::RingBuf;

use super::{current, Inner};

/// Bytes lent by a receive.
#[derive(Debug)]
pub(crate) enum Lent {
    /// A buffer of the worker's provided buffer ring, out of the ring while the guard
    /// lives (the kernel does not write it); dropped, it goes back to the ring.
    Ring(HomeBuf),
    /// An owned buffer (a receive without the buffer ring, or a copied part).
    Owned(Vec<u8>),
}

impl Lent {
    /// The lent bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Lent::Ring(buf) => buf.bytes(),
            Lent::Owned(vec) => vec,
        }
    }
}

/// Runs `f` on the state of driver `driver`: at once if this thread runs it and it is
/// not in use, else as a task on its worker (`inbox`). If the worker has stopped, `f`
/// is dropped: its driver has drained and released everything.
pub(crate) fn on_home(driver: u64, inbox: &Inbox, f: impl FnOnce(&mut Inner) + Send + 'static) {
    if let Some(home) = current().filter(|d| d.id == driver) {
        if let Ok(mut inner) = home.inner.try_borrow_mut() {
            return f(&mut inner);
        }
    }
    let job = Task::Ready(Box::pin(async move {
        if let Some(home) = current().filter(|d| d.id == driver) {
            f(&mut home.inner.borrow_mut());
        }
    }));
    drop(inbox.submit(job));
}

/// A [`RingBuf`] that may travel to other threads (tasks and their buffers are
/// `Send`), though `RingBuf` is not: its `Rc` is touched (cloned, dropped) only on
/// the thread it came from, `home`; elsewhere only the bytes, through `ptr`/`len`
/// taken at home, are read.
///
/// # Invariant
///
/// `ptr..ptr + len` are the bytes of `buf`, a held buffer (the kernel does not write
/// it) whose memory the `Rc` inside `buf` keeps alive. `buf` is dropped only on
/// `home`; dropped elsewhere, it is sent home, or leaked if home is gone.
#[derive(Debug)]
pub(crate) struct HomeBuf {
    buf: ManuallyDrop<RingBuf>,
    ptr: *const u8,
    len: usize,
    home: ThreadId,
    driver: u64,
    inbox: std::sync::Arc<Inbox>,
}

// SAFETY: off `home`, a `HomeBuf` is only read through `ptr` (bytes nobody writes,
// kept alive by the `Rc` that is not dropped meanwhile) and its `Rc` is never
// touched: `Drop` sends it home or leaks it (see the invariant).
unsafe impl Send for HomeBuf {}
// SAFETY: `&HomeBuf` gives only `bytes` (reads through `ptr`) and `Debug`.
unsafe impl Sync for HomeBuf {}

impl HomeBuf {
    /// Wraps `buf`, on the thread of its ring (driver `driver`, worker `inbox`).
    pub(crate) fn new(buf: RingBuf, driver: u64, inbox: std::sync::Arc<Inbox>) -> Self {
        let bytes = buf.as_slice();
        let (ptr, len) = (bytes.as_ptr(), bytes.len());
        HomeBuf {
            buf: ManuallyDrop::new(buf),
            ptr,
            len,
            home: thread::current().id(),
            driver,
            inbox,
        }
    }

    /// The bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: see the invariant: `ptr..ptr + len` is a held buffer's bytes, alive
        // and unwritten while `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// The guard, if this is its home thread (else `self` goes back, untouched).
    pub(crate) fn into_ring(self) -> Result<RingBuf, HomeBuf> {
        if thread::current().id() != self.home {
            return Err(self);
        }
        let mut me = ManuallyDrop::new(self);
        // SAFETY: `me` is never dropped, so `buf` is taken once; the `Arc` is moved
        // out the same way and dropped here.
        let (buf, inbox) = unsafe { (ManuallyDrop::take(&mut me.buf), std::ptr::read(&me.inbox)) };
        drop(inbox);
        Ok(buf)
    }
}

impl Drop for HomeBuf {
    fn drop(&mut self) {
        // SAFETY: `buf` is taken only here, once.
        let buf = AtHome(
            ManuallyDrop::new(unsafe { ManuallyDrop::take(&mut self.buf) }),
            self.home,
        );
        if thread::current().id() == self.home {
            return drop(buf);
        }
        on_home(self.driver, &self.inbox, move |_| drop(buf));
    }
}

/// A `RingBuf` carried home to be dropped; dropped anywhere else, it is leaked.
struct AtHome(ManuallyDrop<RingBuf>, ThreadId);

// SAFETY: its `Rc` is dropped only on thread `.1` (its home), see `Drop`.
unsafe impl Send for AtHome {}

impl Drop for AtHome {
    fn drop(&mut self) {
        if thread::current().id() == self.1 {
            // SAFETY: taken once, here.
            drop(unsafe { ManuallyDrop::take(&mut self.0) });
        }
    }
}
