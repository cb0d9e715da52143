//! Dispatch: the one `match` that turns a [`BackendKind`] into a
//! [`Runtime`](pool_core::Runtime) type ([`BackendKind::with`]), and a [`ServerKind`]
//! into an [`EchoServer`](crate::serve::EchoServer) type ([`ServerKind::serve`]). What
//! to run, the [`Target`](crate::plan::Target)s, is planned in [`crate::plan`].
//!
//! Adding a backend is one variant and one arm in [`BackendKind::with`].

mod kind;
mod server;

pub use kind::{BackendKind, WithBackend};
pub use server::{ServerKind, WithServer};
