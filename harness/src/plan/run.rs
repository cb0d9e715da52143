//! `harness run`: backends, server, load and output.

use std::path::PathBuf;

use super::load::LoadPlan;
use super::park::Park;
use super::placement::Place;
use super::server::ServerPlan;
use super::target::Target;
use crate::backend::ServerKind;

/// Where result files go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputPlan {
    /// The directory for result files, or `None` to write none (`--no-files`).
    pub dir: Option<PathBuf>,
}

impl OutputPlan {
    /// No files: print only.
    pub fn none() -> OutputPlan {
        OutputPlan { dir: None }
    }
}

/// One `harness run`: every backend of `backends`, interleaved, `repeat` times, each
/// serving `server` in-process against a load child driving `load`.
#[derive(Clone, Debug, PartialEq)]
pub struct RunPlan {
    /// The backends (and maybe the reference), in the order of one repetition.
    pub backends: Vec<ServerKind>,
    /// The park policies to run each backend under, each a target of its own
    /// ([`Target::expand`]).
    pub parks: Vec<Park>,
    /// The placement policies to run each backend under, each a target of its own
    /// ([`Target::expand`]).
    pub placements: Vec<Place>,
    /// Repetitions of every backend (at least 1).
    pub repeat: u32,
    /// Pin the server workers and the load threads to disjoint CPUs, when there are
    /// enough.
    pub pin: bool,
    /// The echo server.
    pub server: ServerPlan,
    /// The load on it.
    pub load: LoadPlan,
    /// The result files.
    pub output: OutputPlan,
}

impl RunPlan {
    /// One run of `backend` with every setting at its default, aimed at `conns`
    /// connections of `msg_size` bytes, writing no files.
    pub fn new(backend: impl Into<ServerKind>, conns: usize, msg_size: usize) -> RunPlan {
        RunPlan {
            backends: vec![backend.into()],
            parks: vec![Park::Immediate],
            placements: vec![Place::RoundRobin],
            repeat: super::defaults::REPEAT,
            pin: false,
            server: ServerPlan::default(),
            load: LoadPlan::new(conns, msg_size, None),
            output: OutputPlan::none(),
        }
    }

    /// What one repetition runs, in order, and a note for each backend that cannot
    /// honour a policy asked for ([`Target::planned`]).
    pub fn targets(&self) -> (Vec<Target>, Vec<String>) {
        Target::planned(
            &self.backends,
            &self.parks,
            &self.placements,
            self.server.work,
        )
    }
}
