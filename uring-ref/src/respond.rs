//! The hook for a protocol other than the echo: a connection's [`Respond`] turns the
//! bytes of each receive into the bytes to send back, with no I/O of its own.

use std::fmt;
use std::sync::Arc;

/// One connection's protocol: what to send back for the bytes received.
///
/// Without one, a connection echoes. The worker calls [`respond`](Respond::respond)
/// on its own thread, with each receive's bytes in order, and sends `out` (which may
/// stay empty: nothing to send) once earlier sends are done. A responder counts its
/// own requests: the worker then counts no echoed bytes for the connection.
///
/// ```
/// #[derive(Debug)]
/// struct Upper;
/// impl uring_ref::Respond for Upper {
///     fn respond(&mut self, input: &[u8], out: &mut Vec<u8>) -> bool {
///         out.extend(input.iter().map(u8::to_ascii_uppercase));
///         true
///     }
/// }
/// let mut out = Vec::new();
/// assert!(uring_ref::Respond::respond(&mut Upper, b"ok", &mut out));
/// assert_eq!(out, b"OK");
/// ```
pub trait Respond: Send + fmt::Debug {
    /// Appends to `out` the reply to `input`. Returns `false` when the connection must
    /// close once `out` is sent (a malformed request, say).
    fn respond(&mut self, input: &[u8], out: &mut Vec<u8>) -> bool;
}

/// Makes the [`Respond`] of each new connection ([`Group::respond_with`](crate::Group::respond_with)).
pub type Responders = Arc<dyn Fn() -> Box<dyn Respond> + Send + Sync>;
