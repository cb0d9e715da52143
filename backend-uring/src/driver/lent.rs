//! [`Lent`]: received bytes lent to a task, in a ring buffer (given back to the ring
//! when dropped) or an owned one; and [`on_home`], which runs driver work on the
//! worker a socket or buffer belongs to.

use std::sync::Arc;

use pool_core::backend::Task;
use pool_exec::Inbox;

use super::ring_memory::RingMemory;
use super::{current, Inner};

/// Bytes lent by a receive.
#[derive(Debug)]
pub(crate) enum Lent {
    /// Part of a buffer of a worker's provided buffer ring.
    Ring(RingLoan),
    /// An owned buffer (a receive without the buffer ring, or a copied part).
    Owned(Vec<u8>),
}

/// One buffer of a ring, out of the ring while this lives, with the bytes
/// `off..off + len` of it lent.
///
/// # Invariant
///
/// While `mem` is `Some`, buffer `bid` is out of the ring and this loan is its only
/// owner: the kernel does not write it and nothing else reads or recycles it. Dropped,
/// the loan gives the buffer back to its ring, on its worker.
#[derive(Debug)]
pub(crate) struct RingLoan {
    mem: Option<Arc<RingMemory>>,
    bid: u16,
    off: u32,
    len: u32,
}

impl Lent {
    /// Lends bytes `off..off + len` of buffer `bid`, which the caller owns (delivered
    /// by a completion, not recycled) and hands over; `mem`'s home is set.
    pub(crate) fn ring(mem: Arc<RingMemory>, bid: u16, off: usize, len: usize) -> Self {
        Lent::Ring(RingLoan {
            mem: Some(mem),
            bid,
            off: off as u32,
            len: len as u32,
        })
    }

    /// The lent bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Lent::Ring(RingLoan {
                mem: Some(mem),
                bid,
                off,
                len,
            }) => {
                // SAFETY: the loan owns buffer `bid` (see `RingLoan`'s invariant), so
                // neither the kernel nor the driver writes it while `&self` lives.
                unsafe { mem.slice(*bid, *off as usize, *len as usize) }
            }
            Lent::Ring(_) => &[],
            Lent::Owned(vec) => vec,
        }
    }

    /// Takes the ring buffer out of the loan, as `(bid, off, len)`, if it belongs to
    /// driver `driver`: the caller owns it from then on (the loan gives nothing back).
    pub(crate) fn take_ring(&mut self, driver: u64) -> Option<(u16, usize, usize)> {
        let Lent::Ring(loan) = self else {
            return None;
        };
        let ours = loan
            .mem
            .as_ref()
            .and_then(|mem| mem.home_if_set())
            .is_some_and(|home| home.driver == driver);
        if !ours {
            return None;
        }
        loan.mem = None;
        Some((loan.bid, loan.off as usize, loan.len as usize))
    }
}

impl Drop for RingLoan {
    fn drop(&mut self) {
        let Some(mem) = self.mem.take() else {
            return;
        };
        let Some(home) = mem.home_if_set() else {
            return; // Never lent: unreachable, as `Lent::ring` callers set the home.
        };
        let bid = self.bid;
        on_home(home.driver, &home.inbox, move |inner| {
            inner.recycle_bid(bid)
        });
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

impl Inner {
    /// Gives ring buffer `bid` back to the kernel.
    pub(crate) fn recycle_bid(&mut self, bid: u16) {
        if let Some(bufs) = self.bufs.as_mut() {
            bufs.recycle(bid);
        }
    }
}
