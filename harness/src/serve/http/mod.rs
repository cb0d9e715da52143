//! The HTTP workload's server side: hyper on the pools ([`serve_http`]), a hand-rolled
//! responder on the references ([`Minimal`]), the same answer from both.

mod date;
mod minimal;
pub mod plaintext;
mod service;

pub use minimal::Minimal;
pub use service::serve_http;
