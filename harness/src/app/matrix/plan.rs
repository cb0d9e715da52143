//! The plan of a matrix: which cells, in which order, how long each run lasts.

use std::time::Duration;

use crate::backend::BackendKind;
use crate::cli::MatrixArgs;

/// The published connection counts.
const CONNS: [u32; 4] = [1, 100, 1000, 10_000];
/// The published message sizes.
const SIZES: [usize; 2] = [64, 4096];
/// The published open-loop levels, percent of the baseline's closed-loop max.
const OPEN_LEVELS: [u32; 2] = [50, 80];

/// What one matrix run does.
#[derive(Clone, Debug)]
pub(super) struct Plan {
    pub(super) backends: Vec<BackendKind>,
    pub(super) conns: Vec<u32>,
    pub(super) sizes: Vec<usize>,
    pub(super) open_levels: Vec<u32>,
    pub(super) repeat: u32,
    pub(super) duration: Duration,
    pub(super) warmup: Duration,
    pub(super) threads: Option<u32>,
    pub(super) client_threads: Option<u32>,
}

impl Plan {
    /// The published matrix (or its `--quick` version), with any overrides applied.
    pub(super) fn from_args(a: &MatrixArgs) -> Plan {
        let or = |list: &[u32], default: &[u32]| {
            if list.is_empty() {
                default.to_vec()
            } else {
                list.to_vec()
            }
        };
        let mut conns = or(&a.conns_list, &CONNS);
        conns.sort_unstable();
        conns.dedup();
        let mut sizes = if a.sizes.is_empty() {
            SIZES.to_vec()
        } else {
            a.sizes.clone()
        };
        sizes.sort_unstable();
        sizes.dedup();
        let mut open_levels = or(&a.open_levels, &OPEN_LEVELS);
        open_levels.sort_unstable();
        open_levels.dedup();
        let (duration, warmup, repeat) = if a.quick {
            (Duration::from_secs(1), Duration::from_millis(250), 1)
        } else {
            (Duration::from_secs(3), Duration::from_secs(1), 3)
        };
        Plan {
            backends: BackendKind::all().to_vec(),
            conns,
            sizes,
            open_levels,
            repeat: a.repeat.unwrap_or(repeat),
            duration: a.duration.unwrap_or(duration),
            warmup: a.warmup.unwrap_or(warmup),
            threads: a.threads,
            client_threads: a.client_threads,
        }
    }

    /// Runs in the whole matrix.
    pub(super) fn runs(&self) -> usize {
        self.sizes.len()
            * self.conns.len()
            * (1 + self.open_levels.len())
            * self.repeat as usize
            * self.backends.len()
    }

    /// The expected wall time of one run at `conns` connections, in milliseconds: the
    /// warm-up and the window, plus start-up, connecting and shutdown.
    pub(super) fn run_cost_ms(&self, conns: u32) -> u64 {
        let fixed = Duration::from_millis(400) + Duration::from_micros(200) * conns;
        (self.warmup + self.duration + fixed).as_millis() as u64
    }

    /// The expected wall time of the whole matrix, in milliseconds.
    pub(super) fn cost_ms(&self) -> u64 {
        let per_conns: u64 = self.conns.iter().map(|&c| self.run_cost_ms(c)).sum();
        per_conns
            * (self.sizes.len() * (1 + self.open_levels.len()) * self.backends.len()) as u64
            * u64::from(self.repeat)
    }
}
