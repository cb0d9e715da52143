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
//! 1. [`cli`] parses the flags and turns them, once, into a [`plan`] (every default
//!    lives in [`plan::defaults`]); nothing below it reads flags;
//! 2. [`backend`] turns the backend name into a type (the only `match` on the kind);
//! 3. [`serve`] runs the echo server, written once, generic over [`pool_core::Runtime`];
//! 4. [`load`] drives it from a separate process (a re-exec of the same binary, handed
//!    its [`plan::LoadJob`] as JSON), one single-threaded tokio runtime per client
//!    thread;
//! 5. [`metrics`] records latency into HdrHistograms and reads CPU times;
//! 6. [`result`] holds what a run measured, with the machine [`result::Metadata`];
//! 7. [`report`] writes the table, the JSON, the `.hgrm` file and the serialized
//!    histogram.
//!
//! [`cmd`] holds the subcommands that wire these together, and [`os`] the plumbing they
//! share (signals, the open-file limit, CPU pinning, the load child process); `main.rs`
//! only parses the flags and calls [`cmd::main`].
//!
//! ## When not to trust the numbers
//!
//! On a machine with few cores the server and the load generator share CPUs, so the
//! generator's own cost shows up in the server's figures. `--pin` separates them when
//! there are enough CPUs; the result records the machine either way.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod backend;
pub mod cli;
pub mod cmd;
pub mod load;
pub mod metrics;
pub mod os;
pub mod plan;
pub mod report;
pub mod result;
pub mod serve;
