//! # harness: the iopool echo comparison tool
//!
//! `harness` answers one question with numbers you can publish: on a syscall-bound TCP
//! echo load, how does a pool of per-thread reactors compare with tokio's multi-thread
//! runtime?
//!
//! ## How it works
//!
//! The data flows one way, and the modules follow it:
//!
//! 1. [`cli`] parses the flags;
//! 2. [`backend`] turns the backend name into a type (the only `match` on the kind);
//! 3. [`serve`] runs the echo server, written once, generic over [`pool_core::Runtime`];
//! 4. [`load`] drives it from a separate process (`harness load`, a re-exec of the same
//!    binary), one single-threaded tokio runtime per client thread;
//! 5. [`metrics`] records latency into HdrHistograms and reads CPU times;
//! 6. [`report`] writes the table, the JSON, the `.hgrm` file and the serialized
//!    histogram.
//!
//! [`app`] holds the subcommands that wire these together; `main.rs` only calls it.
//!
//! ## When not to trust the numbers
//!
//! On a machine with few cores the server and the load generator share CPUs, so the
//! generator's own cost shows up in the server's figures. `--pin` separates them when
//! there are enough CPUs; the result records the machine either way.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod app;
pub mod backend;
pub mod cli;
pub mod load;
pub mod metrics;
pub mod report;
pub mod result;
pub mod serve;
