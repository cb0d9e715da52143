//! [`Op`]: one operation in flight on a worker's ring, and what it owns until its
//! completion arrives.

use io_uring::types::Timespec;

use super::sock::SendEntry;

/// The `user_data` of a cancel request: its completion is ignored.
pub(crate) const CANCEL: u64 = u64::MAX;

/// An operation submitted to the ring and not yet completed (for multishot ones: not
/// yet finished, a completion without `IORING_CQE_F_MORE` not yet seen).
///
/// # Invariant
///
/// Every buffer the kernel may read or write for this operation is owned by its
/// [`OpKind`], inside the driver's slab, until the operation's last completion has
/// been reaped. A socket or future that is dropped earlier only asks for a cancel.
#[derive(Debug)]
pub(crate) struct Op {
    /// Distinguishes this op from earlier ones in the same slab slot.
    pub(crate) gen: u32,
    /// The socket it works on, if any (a key into the driver's socket slab).
    pub(crate) sock: Option<usize>,
    pub(crate) kind: OpKind,
}

/// What an operation is, with the memory it lends the kernel.
#[derive(Debug)]
pub(crate) enum OpKind {
    /// Multishot receive into the buffer ring.
    RecvMulti,
    /// One receive into an owned buffer.
    Recv(Vec<u8>),
    /// One send from an owned buffer.
    Send(Vec<u8>),
    /// One send of an owned write ([`pool_core::net::OwnedIo`]), with its buffer.
    SendOwned(SendEntry),
    /// Multishot accept.
    AcceptMulti,
    /// One accept (the peer address is read afterwards with `getpeername`).
    Accept,
    /// A connect, with the address the kernel reads.
    #[allow(dead_code)] // Held for the kernel, never read here.
    Connect(Box<socket2::SockAddr>),
    /// A ring timeout bounding the worker's wait.
    #[allow(dead_code)] // Held for the kernel, never read here.
    Timeout(Box<Timespec>),
    /// The read of the worker's eventfd, into an owned counter.
    #[allow(dead_code)] // Held for the kernel, never read here.
    WakeRead(Box<u64>),
}

/// The `user_data` of slot `key` in generation `gen`.
pub(crate) fn user_data(key: usize, gen: u32) -> u64 {
    (u64::from(gen) << 32) | key as u64
}

/// The slot and generation of a `user_data`.
pub(crate) fn split(user_data: u64) -> (usize, u32) {
    ((user_data & 0xffff_ffff) as usize, (user_data >> 32) as u32)
}
