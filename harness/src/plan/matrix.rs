//! `harness matrix`: which cells, in which order, how long each run lasts; and the
//! [`RunPlan`] of each run.

use std::path::PathBuf;
use std::time::Duration;

use super::defaults;
use super::load::LoadPlan;
use super::park::Park;
use super::placement::Place;
use super::profile::{Profile, Section};
use super::run::{OutputPlan, RunPlan};
use super::server::ServerPlan;
use super::skew::Skew;
use super::target::Target;
use crate::backend::ServerKind;

/// What one matrix run does.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixPlan {
    /// Backends, baseline first, and the reference, interleaved in every cell.
    pub backends: Vec<ServerKind>,
    /// Profiles, each run over the whole grid.
    pub profiles: Vec<Profile>,
    /// Server thread counts of the isolated profile, ascending: more than one is the
    /// thread-scaling series (`--threads 1,2,4,...`).
    pub isolated_threads: Vec<usize>,
    /// Connection counts, ascending.
    pub conns: Vec<u32>,
    /// Message sizes in bytes, ascending.
    pub sizes: Vec<usize>,
    /// Open-loop levels, percent of the baseline's closed-loop max, ascending.
    pub open_levels: Vec<u32>,
    /// Repetitions of every cell.
    pub repeat: u32,
    /// Measured duration of each run.
    pub duration: Duration,
    /// Warm-up of each run.
    pub warmup: Duration,
    /// The echo server of every run; its thread count is the shared profile's.
    pub server: ServerPlan,
    /// Client threads (`None`: the default, capped by the connections).
    pub client_threads: Option<usize>,
    /// The `--quick` smoke version.
    pub quick: bool,
    /// Root of the published results.
    pub root: PathBuf,
    /// The run directory's name, instead of `<YYYY-MM-DD>-<host tag>[-quick]`.
    pub name: Option<String>,
    /// Park policies: each backend runs once per policy it can honour.
    pub parks: Vec<Park>,
    /// Placement policies: each backend runs once per policy it can honour.
    pub placements: Vec<Place>,
    /// The load generator's threads spin instead of sleeping.
    pub client_spin: bool,
    /// Per-request work on a share of the connections, in every cell.
    pub skew: Option<Skew>,
    /// Connection churn: requests per connection, in every cell.
    pub conn_requests: Option<u64>,
}

impl MatrixPlan {
    /// The published matrix, or its `--quick` version, writing under `root`.
    pub fn published(quick: bool, root: PathBuf) -> MatrixPlan {
        use defaults::matrix as m;
        let (duration, warmup, repeat) = if quick {
            (m::QUICK_DURATION, m::QUICK_WARMUP, m::QUICK_REPEAT)
        } else {
            (m::DURATION, m::WARMUP, m::REPEAT)
        };
        let (conns, open_levels) = if quick {
            (m::QUICK_CONNS.to_vec(), m::QUICK_OPEN_LEVELS.to_vec())
        } else {
            (m::CONNS.to_vec(), m::OPEN_LEVELS.to_vec())
        };
        MatrixPlan {
            backends: ServerKind::all().to_vec(),
            profiles: m::PROFILES.to_vec(),
            isolated_threads: vec![m::isolated_threads()],
            conns,
            sizes: m::SIZES.to_vec(),
            open_levels,
            repeat,
            duration,
            warmup,
            server: ServerPlan::default(),
            client_threads: None,
            quick,
            root,
            name: None,
            parks: vec![Park::Immediate],
            placements: vec![Place::RoundRobin],
            client_spin: false,
            skew: None,
            conn_requests: None,
        }
    }

    /// Sorts and deduplicates the lists.
    pub fn normalized(mut self) -> MatrixPlan {
        for list in [&mut self.conns, &mut self.open_levels] {
            list.sort_unstable();
            list.dedup();
        }
        for list in [&mut self.sizes, &mut self.isolated_threads] {
            list.sort_unstable();
            list.dedup();
        }
        self.profiles.sort_unstable();
        self.profiles.dedup();
        self
    }

    /// The sections in run order: the isolated profile at each of its thread counts,
    /// then the shared profile.
    pub fn sections(&self) -> Vec<Section> {
        let mut out = Vec::new();
        for &profile in &self.profiles {
            match profile {
                Profile::Isolated => out.extend(
                    self.isolated_threads
                        .iter()
                        .map(|&threads| Section { profile, threads }),
                ),
                Profile::Shared => out.push(Section {
                    profile,
                    threads: self.server.threads,
                }),
            }
        }
        out
    }

    /// Client threads in `section` when the machine has `cpus` CPUs: the CPUs the
    /// server leaves (at least 1) when isolated, else [`Self::client_threads`].
    pub fn section_client_threads(&self, section: Section, cpus: usize) -> usize {
        match section.profile {
            Profile::Isolated => self
                .client_threads
                .unwrap_or_else(|| cpus.saturating_sub(section.threads).max(1)),
            Profile::Shared => self.client_threads(),
        }
    }

    /// The plan of one run: `backend` with `threads` server workers and
    /// `client_threads` load threads, at `conns` connections of `msg_size` bytes, closed
    /// loop or at `rate`. The runner pins and writes the files itself.
    pub fn run_plan(
        &self,
        target: Target,
        (threads, client_threads): (usize, usize),
        conns: u32,
        msg_size: usize,
        rate: Option<f64>,
    ) -> RunPlan {
        let mut load = LoadPlan::new(conns as usize, msg_size, Some(client_threads));
        load.duration = self.duration;
        load.warmup = self.warmup;
        load.rate = rate;
        load.client_spin = self.client_spin;
        load.skew = self.skew;
        load.conn_requests = self.conn_requests;
        load.workload = self.server.workload;
        RunPlan {
            backends: vec![target.kind],
            parks: vec![target.park],
            placements: vec![target.placement],
            repeat: 1,
            pin: false,
            server: ServerPlan {
                threads,
                work: self.skew.map_or(Duration::ZERO, |s| s.work),
                ..self.server.clone()
            },
            load,
            output: OutputPlan::none(),
        }
    }

    /// Client threads as the summary reports them (before the cap by connections).
    pub fn client_threads(&self) -> usize {
        self.client_threads.unwrap_or_else(defaults::client_threads)
    }

    /// What every cell runs, in order, and a note for each backend that cannot honour
    /// a policy asked for ([`Target::planned`]).
    pub fn targets(&self) -> (Vec<Target>, Vec<String>) {
        Target::planned(
            &self.backends,
            &self.parks,
            &self.placements,
            self.skew.map_or(Duration::ZERO, |s| s.work),
        )
    }

    /// Runs in the whole matrix.
    pub fn runs(&self) -> usize {
        self.sections().len()
            * self.sizes.len()
            * self.conns.len()
            * (1 + self.open_levels.len())
            * self.repeat as usize
            * self.targets().0.len()
    }

    /// The expected wall time of one run at `conns` connections, in milliseconds: the
    /// warm-up and the window, plus start-up, connecting and shutdown.
    pub fn run_cost_ms(&self, conns: u32) -> u64 {
        let fixed = Duration::from_millis(400) + Duration::from_micros(200) * conns;
        (self.warmup + self.duration + fixed).as_millis() as u64
    }

    /// The expected wall time of the whole matrix, in milliseconds.
    pub fn cost_ms(&self) -> u64 {
        let per_conns: u64 = self.conns.iter().map(|&c| self.run_cost_ms(c)).sum();
        per_conns
            * (self.sections().len()
                * self.sizes.len()
                * (1 + self.open_levels.len())
                * self.targets().0.len()) as u64
            * u64::from(self.repeat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::BackendKind;

    #[test]
    fn published_matrix_uses_the_defaults() {
        let plan = MatrixPlan::published(false, "bench-results".into());
        // Every server, less those that cannot run here (io_uring refused), each left
        // out with a note.
        let (targets, notes) = plan.targets();
        let here = plan
            .backends
            .iter()
            .filter(|k| k.available().is_ok())
            .count();
        assert_eq!(targets.len(), here, "{notes:?}");
        assert_eq!(notes.len(), plan.backends.len() - here, "{notes:?}");
        assert_eq!(plan.runs(), 2 * 3 * 3 * 5 * here);
        assert_eq!(plan.sections()[0].profile, Profile::Isolated);
        let run = plan.run_plan(BackendKind::Mio.into(), (1, 1), 10_000, 4096, Some(1000.0));
        assert_eq!(run.server.threads, 1);
        assert_eq!(run.load.threads, 1);
        assert_eq!(run.server.backlog, defaults::BACKLOG);
        assert_eq!(run.load.connect_timeout, defaults::CONNECT_TIMEOUT);
        assert_eq!(run.load.duration, defaults::matrix::DURATION);
        assert_eq!(run.load.rate, Some(1000.0));
        assert_eq!(run.output, OutputPlan::none());
        let quick = MatrixPlan::published(true, "x".into());
        assert_eq!(quick.repeat, defaults::matrix::QUICK_REPEAT);
        // The budgets the README promises: about 19 minutes (5 servers since uring
        // joined; 15 with 4), and 2 for --quick.
        assert!(plan.cost_ms() <= 19 * 60_000, "{} ms", plan.cost_ms());
        assert!(quick.cost_ms() <= 150_000, "{} ms", quick.cost_ms());
    }
}
