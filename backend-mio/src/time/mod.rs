//! Timers for tasks on a [`MioPool`](crate::MioPool) worker: [`sleep`] and
//! [`timeout`].

mod sleep;
mod timeout;

pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, Elapsed, Timeout};
