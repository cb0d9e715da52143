//! What a matrix run records about itself besides the per-run results: the plan, the
//! failures, the wall time. Written as `matrix.json` in the run directory; the index
//! reads it.

use serde::{Deserialize, Serialize};

use crate::metrics::SendRecv;
use crate::plan::Section;
use crate::report::CellKey;
use crate::result::Metadata;

/// The file name of the summary in a run directory.
pub const SUMMARY_FILE: &str = "matrix.json";

/// A run of the matrix that produced no result, or a cell that was skipped.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Failure {
    /// Backend name, or `all` when the whole cell was skipped.
    pub backend: String,
    /// The load level, as [`crate::report::Level`] displays it.
    pub level: String,
    /// Connections.
    pub conns: u64,
    /// Message size in bytes.
    pub msg_size: u64,
    /// The repetition (0-based), if one run failed rather than the whole cell.
    pub repetition: Option<u32>,
    /// The error, with its causes.
    pub error: String,
    /// The matrix section (`isolated-t1`, `shared-t2`), absent in older summaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

impl Failure {
    /// Whether this failure concerns `cell` of `section` (for `backend`, or for all
    /// backends).
    pub fn is_for(&self, section: Option<&str>, cell: CellKey, backend: &str) -> bool {
        (self.section.is_none() || self.section.as_deref() == section)
            && self.level == cell.level.to_string()
            && self.conns == cell.conns
            && self.msg_size == cell.msg_size
            && (self.backend == backend || self.backend == "all")
    }
}

/// A matrix run: its plan, how it went, and where it ran.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MatrixSummary {
    /// The run directory's name: `<YYYY-MM-DD>-<host tag>[-quick]`.
    pub name: String,
    /// The date the run started (UTC), `YYYY-MM-DD`.
    pub date: String,
    /// The host tag: `<cores>c-<cpu model slug>`.
    pub host_tag: String,
    /// The `--quick` smoke version.
    pub quick: bool,
    /// Backends, baseline first.
    pub backends: Vec<String>,
    /// Connection counts.
    pub conns: Vec<u64>,
    /// Message sizes in bytes.
    pub sizes: Vec<u64>,
    /// Open-loop levels, percent of the baseline's closed-loop max.
    pub open_levels: Vec<u32>,
    /// Repetitions per cell.
    pub repeat: u32,
    /// Measured seconds per run.
    pub duration_s: f64,
    /// Warm-up seconds per run.
    pub warmup_s: f64,
    /// Server worker threads of the shared profile.
    pub server_threads: usize,
    /// The sections run, in order (absent in older summaries: one unpinned section).
    #[serde(default)]
    pub sections: Vec<Section>,
    /// Load generator threads.
    pub client_threads: usize,
    /// Runs planned.
    pub runs_planned: usize,
    /// Runs that produced a result.
    pub runs_done: usize,
    /// Wall time of the whole matrix, seconds.
    pub wall_s: f64,
    /// Stopped by Ctrl-C: the tables hold what was done.
    pub interrupted: bool,
    /// The kernel's blocking send+recv pair, measured once per message size (a kernel
    /// figure, not a lower bound; `floors` in older summaries).
    #[serde(default, alias = "floors")]
    pub send_recv: Vec<SendRecv>,
    /// Runs without a result, and skipped cells.
    pub failures: Vec<Failure>,
    /// The headline plot, relative to the run directory.
    pub headline: Option<String>,
    /// Machine, toolchain, crate versions and the exact command.
    pub metadata: Metadata,
}
