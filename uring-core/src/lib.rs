//! # uring-core: the io_uring core of iopool
//!
//! What `backend-uring` (the pool) and `uring-ref` (the runtime-free reference loop)
//! both need from io_uring, written once:
//!
//! - **Set-up and probing.** [`build_best`] sets a ring up with the best
//!   [`SetupMode`] the kernel accepts; [`features`] probes the kernel once per process
//!   ([`Features`]), and [`fallback_features`] turns every multishot path off, so
//!   that the fallbacks can be tested on a kernel that has the newer paths.
//! - **The provided buffer ring.** [`BufRing`] registers `count` buffers as a buffer
//!   group; a completion that names one becomes a [`RingBuf`], a guard over exactly
//!   that buffer's received bytes, which gives the buffer back to the ring when it is
//!   dropped. The guard holds an `Rc` to the ring, so it can be lent to a reader
//!   (zero-copy) and may outlive the ring's owner.
//! - **Multishot accept and receive.** [`recv_multi`] and [`accept_multi`] build the
//!   entries; [`received`] and [`accepted`] say what each completion means
//!   ([`Received`], [`Accepted`]) and whether the operation stays armed
//!   ([`Multishot::more`]).
//! - **Wake-ups.** [`eventfd`] and [`signal`]: another thread wakes a ring that
//!   keeps a read of the eventfd in flight.
//!
//! It has no runtime, no sockets and no completion loop: each user owns its ring, its
//! operations and how it waits.
//!
//! ## When not to use it
//!
//! Anywhere but on Linux with io_uring: [`features`] and [`build_best`] then say why
//! not (the kernel, `kernel.io_uring_disabled`, seccomp, or
//! [`FORCE_UNAVAILABLE_ENV`]), and a caller falls back to readiness I/O.
//!
//! ## Implementation
//!
//! The buffer ring's entry array and buffers are two raw allocations. Rust never holds
//! a reference over memory the kernel may write: entries are written field by field
//! through raw pointers, only at slots past the published tail; the tail (which
//! overlays entry 0) is only stored atomically, with release ordering; and the only
//! slice ever made is a [`RingBuf`]'s, over one buffer the kernel handed back and that
//! is not pushed again until the guard drops. The memory is freed only after
//! [`BufRing::unregister`] (whose caller promises no operation selecting from the ring
//! is in flight); a ring dropped while registered is leaked, never freed. That memory
//! logic has unit tests on a plain allocation, with the kernel simulated, and they run
//! under Miri (`make miri`).
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod bufring;
mod eventfd;
mod multishot;
mod probe;
mod setup;

pub use bufring::{BufRing, RingBuf, ONLY_GROUP};
pub use eventfd::{eventfd, signal};
pub use multishot::{accept_multi, accepted, received, recv_multi, Accepted, Multishot, Received};
pub use probe::{fallback_features, features, Features};
pub use setup::{build_best, forced_unavailable, SetupMode, FORCE_UNAVAILABLE_ENV};
