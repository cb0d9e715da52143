//! [`Op`]: one operation in flight on a worker's ring, and what it owns until its
//! completion arrives.

use io_uring::types::Timespec;

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
    /// One receive into an owned buffer.
    Recv(Vec<u8>),
    /// One send from an owned buffer.
    Send(Vec<u8>),
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

/// Marks the `user_data` of a socket's own operation slot ([`Slot`]), which lives in
/// the socket (no entry in the op slab): bits 0..32 are the socket's key, bits 32..62
/// its generation, bit 62 the slot.
const SLOT_TAG: u64 = 1 << 63;
const SLOT_SEND: u64 = 1 << 62;
const SLOT_GEN_MASK: u32 = (1 << 30) - 1;

/// The operations a socket holds in slots of its own rather than in the op slab: the
/// two of every echo, so a completion goes straight to its socket.
///
/// # Invariant
///
/// What the kernel may touch for a slot's operation is owned by the socket (a send's
/// `SendEntry` in its `OwnedSends`; a multishot receive
/// selects from the buffer ring), and the socket stays in the socket slab until the
/// slot's last completion has been reaped (it counts in `Sock::inflight`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// The multishot receive into the buffer ring.
    RecvMulti,
    /// The owned send in flight ([`pool_core::net::OwnedIo`]).
    SendOwned,
}

/// The `user_data` of socket `sock`'s (generation `gen`) `slot`; never [`CANCEL`].
pub(crate) fn slot_data(sock: usize, gen: u32, slot: Slot) -> u64 {
    let key = u32::try_from(sock).expect("fewer than 2^32 sockets");
    let tag = match slot {
        Slot::RecvMulti => SLOT_TAG,
        Slot::SendOwned => SLOT_TAG | SLOT_SEND,
    };
    tag | (u64::from(gen & SLOT_GEN_MASK) << 32) | u64::from(key)
}

/// The socket, generation (its low 30 bits) and slot of a slot `user_data`; `None`
/// for an op slab `user_data` (whose generation, below 2^31, never sets the top bit:
/// see [`next_gen`]).
pub(crate) fn split_slot(user_data: u64) -> Option<(usize, u32, Slot)> {
    if user_data & SLOT_TAG == 0 || user_data == CANCEL {
        return None;
    }
    let slot = if user_data & SLOT_SEND == 0 {
        Slot::RecvMulti
    } else {
        Slot::SendOwned
    };
    let gen = (user_data >> 32) as u32 & SLOT_GEN_MASK;
    Some(((user_data & 0xffff_ffff) as usize, gen, slot))
}

/// Whether `gen` is the generation a slot `user_data` of socket generation `sock_gen`
/// carries.
pub(crate) fn slot_gen_matches(gen: u32, sock_gen: u32) -> bool {
    gen == sock_gen & SLOT_GEN_MASK
}

/// The generation after `gen`: below 2^31, so that an op slab `user_data` never has
/// the [`Slot`] tag bit.
pub(crate) fn next_gen(gen: u32) -> u32 {
    gen.wrapping_add(1) & 0x7fff_ffff
}

/// The `user_data` of op slab entry `key` in generation `gen` (below 2^31).
pub(crate) fn user_data(key: usize, gen: u32) -> u64 {
    (u64::from(gen) << 32) | key as u64
}

/// The slot and generation of a `user_data`.
pub(crate) fn split(user_data: u64) -> (usize, u32) {
    ((user_data & 0xffff_ffff) as usize, (user_data >> 32) as u32)
}
