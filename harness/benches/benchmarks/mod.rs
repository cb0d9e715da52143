//! The benchmark cases, one file per concept, and what they share.

pub(crate) mod block_on;
pub(crate) mod echo;
pub(crate) mod ping_pong;
pub(crate) mod spawn;
mod support;
