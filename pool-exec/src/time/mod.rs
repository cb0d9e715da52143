//! Timers for tasks on a worker of a backend built on this executor (`MioPool`,
//! `UringPool`): [`sleep`] and [`timeout`], kept in the worker's [`timers`].
//!
//! The timers are reactor-independent: a worker enters them ([`timers::enter`]),
//! bounds its blocking wait by [`Timers::next_deadline`](timers::Timers::next_deadline)
//! (an `epoll_wait` timeout on mio, an `IORING_OP_TIMEOUT` on io_uring) and fires the
//! due ones after each wait ([`Timers::fire`](timers::Timers::fire)).

mod sleep;
mod timeout;
pub mod timers;

pub use pool_core::time::Elapsed;
pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, Timeout};
