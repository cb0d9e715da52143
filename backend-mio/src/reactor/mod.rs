//! The I/O reactor of one worker: a `mio::Poll`, the sources registered with it and
//! their readiness, and the worker's timers.

mod driver;
mod readiness;
pub(crate) mod registration;
pub(crate) mod registry;

pub use driver::MioReactor;
pub(crate) use readiness::Direction;
pub(crate) use registration::Registration;
