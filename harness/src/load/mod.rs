//! The load generator: many connections over a few client threads, each thread with
//! its own single-threaded tokio runtime.

mod busy;
mod conn;
mod connect;
mod errors;
mod event;
mod exchange;
mod generator;
mod http;
mod pacer;
mod pattern;
mod sockperf;
mod spin;
mod stop;
mod thread;

pub use busy::Busy;
pub use errors::{ConnError, ErrorCounts};
pub use event::Event;
pub use generator::{run, LoadError, LoadOutcome};
pub use pattern::{fill, first_mismatch};
pub use stop::Stop;
