//! Runs the cells of a matrix in order: per section (profile and server threads), per
//! message size the kernel's send+recv once, then per connection count the closed
//! loop (every backend interleaved, repeated), then the open-loop levels at fractions
//! of the baseline's closed-loop median just measured in the same section. A failed
//! run is recorded and the matrix goes on.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::backend::BackendKind;
use crate::cmd::progress::Progress;
use crate::cmd::run_once::RunOnce;
use crate::metrics::{send_recv, SendRecv};
use crate::os::pinning::{self, CpuPlan};
use crate::os::{check_fds, Interrupt, NofileLimit};
use crate::plan::{defaults, MatrixPlan, Profile, Section, Target};
use crate::report::grid::thousands;
use crate::report::markdown::Failure;
use crate::report::{size_name, write_files, CellKey, Level, Spread};
use crate::result::RunResult;

/// The state of a matrix run: what is done so far.
#[derive(Debug)]
pub(super) struct Runner<'a> {
    pub(super) plan: &'a MatrixPlan,
    pub(super) runs_dir: PathBuf,
    pub(super) interrupt: &'a Interrupt,
    pub(super) progress: &'a Progress,
    pub(super) limit: NofileLimit,
    pub(super) results: Vec<RunResult>,
    pub(super) failures: Vec<Failure>,
    pub(super) send_recv: Vec<SendRecv>,
    pub(super) started: Instant,
    /// What every cell runs, in order ([`MatrixPlan::targets`]).
    targets: Vec<Target>,
    done_runs: usize,
    done_cost_ms: u64,
    /// The section being run, its CPUs and its (server, client) threads.
    section: Option<(Section, CpuPlan, (usize, usize))>,
}

/// Whether `result` belongs to `section`.
pub(super) fn in_section(result: &RunResult, section: Section) -> bool {
    result.profile == Some(section.profile)
        && result
            .server
            .as_ref()
            .is_some_and(|s| s.threads == section.threads)
}

impl<'a> Runner<'a> {
    pub(super) fn new(
        plan: &'a MatrixPlan,
        runs_dir: PathBuf,
        interrupt: &'a Interrupt,
        progress: &'a Progress,
        limit: NofileLimit,
    ) -> Runner<'a> {
        Runner {
            plan,
            runs_dir,
            interrupt,
            progress,
            limit,
            results: Vec::new(),
            failures: Vec::new(),
            send_recv: Vec::new(),
            started: Instant::now(),
            targets: plan.targets().0,
            done_runs: 0,
            done_cost_ms: 0,
            section: None,
        }
    }

    /// Runs the whole matrix, or until interrupted.
    ///
    /// # Errors
    ///
    /// If the floor cannot be measured or a result file cannot be written; a failed
    /// run is not an error.
    pub(super) fn run_all(&mut self) -> anyhow::Result<()> {
        let plan = self.plan;
        let mut pairs = Vec::new();
        for &size in &plan.sizes {
            self.progress.status(&format!(
                "measuring the kernel's blocking send+recv of {} over loopback",
                size_name(size as u64)
            ));
            let pair = send_recv::measure(size, defaults::SEND_RECV_BUDGET).map_err(|e| {
                anyhow::anyhow!("cannot measure a blocking send+recv over loopback: {e}")
            })?;
            self.send_recv.push(pair);
            pairs.push((size, pair));
        }
        let cpus = core_affinity::get_core_ids().map_or(1, |c| c.len()).max(1);
        for section in plan.sections() {
            let client = plan.section_client_threads(section, cpus);
            let placement = match section.profile {
                Profile::Shared => Ok(CpuPlan::default()),
                Profile::Isolated => pinning::plan(section.threads, client),
            };
            match placement {
                Ok(placement) => {
                    self.progress.status(&format!(
                        "section: {section}; server CPUs {:?}, client CPUs {:?}",
                        placement.server.as_deref().unwrap_or_default(),
                        placement.client
                    ));
                    self.section = Some((section, placement, (section.threads, client)));
                    self.run_section(&pairs)?;
                }
                Err(why) => self.skip_section(section, why),
            }
        }
        Ok(())
    }

    /// Records every cell of a section that cannot be placed as skipped.
    fn skip_section(&mut self, section: Section, why: String) {
        self.progress
            .status(&format!("section {section}: skipped: {why}"));
        self.failures.push(Failure {
            backend: "all".to_owned(),
            level: "every level".to_owned(),
            conns: 0,
            msg_size: 0,
            repetition: None,
            error: why,
            section: Some(section.slug()),
        });
        let per_section = self.plan.runs() / self.plan.sections().len().max(1);
        self.done_runs += per_section;
    }

    fn run_section(&mut self, pairs: &[(usize, SendRecv)]) -> anyhow::Result<()> {
        let plan = self.plan;
        for &(size, floor) in pairs {
            if self.interrupt.is_raised() {
                return Ok(());
            }
            for &conns in &plan.conns {
                let closed = CellKey {
                    level: Level::Closed,
                    msg_size: size as u64,
                    conns: u64::from(conns),
                };
                self.cell(closed, floor, None)?;
                let baseline = self.baseline_max(closed);
                for &pct in &plan.open_levels {
                    let fraction = f64::from(pct) / 100.0;
                    let cell = CellKey {
                        level: Level::OfBaseline(fraction),
                        ..closed
                    };
                    match baseline {
                        Some(max) => self.cell(cell, floor, Some(max * fraction))?,
                        None => self.skip(
                            cell,
                            format!(
                                "skipped: no {} closed-loop throughput for this cell to take \
                                 {pct}% of",
                                BackendKind::BASELINE.name()
                            ),
                        ),
                    }
                }
            }
        }
        Ok(())
    }

    /// The baseline's median closed-loop throughput in `cell`, if it has one.
    fn baseline_max(&self, cell: CellKey) -> Option<f64> {
        let baseline = BackendKind::BASELINE.name();
        let section = self.section.as_ref().map(|s| s.0);
        Spread::of(
            self.results
                .iter()
                .filter(|r| section.is_some_and(|s| in_section(r, s)))
                .filter(|r| CellKey::of(r) == cell && r.backend.as_deref() == Some(baseline))
                .map(|r| r.load.throughput_rps),
        )
        .map(|s| s.median)
        .filter(|&m| m > 0.0)
    }

    /// Records a whole cell as skipped.
    fn skip(&mut self, cell: CellKey, why: String) {
        self.progress.status(&format!(
            "{}, {} conns, {}: {why}",
            cell.level,
            thousands(cell.conns),
            size_name(cell.msg_size)
        ));
        self.failures.push(Failure {
            backend: "all".to_owned(),
            level: cell.level.to_string(),
            conns: cell.conns,
            msg_size: cell.msg_size,
            repetition: None,
            error: why,
            section: self.section.as_ref().map(|s| s.0.slug()),
        });
        let n = self.plan.repeat as usize * self.targets.len();
        self.advance(cell, n);
    }

    /// Runs every backend, interleaved, `repeat` times in one cell.
    fn cell(&mut self, cell: CellKey, floor: SendRecv, rate: Option<f64>) -> anyhow::Result<()> {
        if let Err(e) = check_fds(cell.conns, "server", self.limit) {
            self.skip(cell, e.to_string());
            return Ok(());
        }
        for repetition in 0..self.plan.repeat {
            for i in 0..self.targets.len() {
                if self.interrupt.is_raised() {
                    return Ok(());
                }
                self.one(self.targets[i], cell, repetition, floor, rate)?;
            }
        }
        Ok(())
    }

    fn one(
        &mut self,
        target: Target,
        cell: CellKey,
        repetition: u32,
        floor: SendRecv,
        rate: Option<f64>,
    ) -> anyhow::Result<()> {
        let Some((section, placement, threads)) = self.section.clone() else {
            anyhow::bail!("internal: a run outside a section");
        };
        let plan = self.plan.run_plan(
            target,
            threads,
            cell.conns as u32,
            cell.msg_size as usize,
            rate,
        );
        let run = target.kind.serve(RunOnce {
            target,
            plan: &plan,
            cpus: &placement,
            send_recv: floor,
            repetition,
            interrupt: self.interrupt,
            progress: self.progress,
        });
        let line = match run {
            // A run cut short by Ctrl-C is partial: left out of the tables.
            Ok(result) if result.load.interrupted => return Ok(()),
            Err(_) if self.interrupt.is_raised() => return Ok(()),
            Ok(mut result) => {
                if let Level::OfBaseline(f) = cell.level {
                    result.baseline_fraction = Some(f);
                }
                result.profile = Some(section.profile);
                let dir = self.runs_dir.join(section.slug());
                std::fs::create_dir_all(&dir)?;
                write_files(&result, &dir)?;
                let l = &result.load;
                let mut line = format!(
                    "{} req/s, p99 {} µs",
                    thousands(l.throughput_rps.round() as u64),
                    thousands(l.latency.p99_us)
                );
                if let Some(s) = &result.server {
                    line.push_str(&format!(", {:.2} µs CPU/echo", s.cpu_per_echo_us));
                }
                if l.error_total > 0 {
                    line.push_str(&format!(", {} errors", l.error_total));
                }
                self.results.push(result);
                line
            }
            Err(e) => {
                let error = format!("{e:#}");
                self.failures.push(Failure {
                    backend: target.label(),
                    level: cell.level.to_string(),
                    conns: cell.conns,
                    msg_size: cell.msg_size,
                    repetition: Some(repetition),
                    error: error.clone(),
                    section: Some(section.slug()),
                });
                format!("FAILED: {error}")
            }
        };
        self.advance(cell, 1);
        self.progress.status(&format!(
            "[{:>3}/{}] {}: {}, {} conns, {}, {target} #{}: {line}{}",
            self.done_runs,
            self.plan.runs(),
            section.slug(),
            cell.level,
            thousands(cell.conns),
            size_name(cell.msg_size),
            repetition + 1,
            self.eta()
        ));
        Ok(())
    }

    /// Counts `n` runs of `cell` as done.
    fn advance(&mut self, cell: CellKey, n: usize) {
        self.done_runs += n;
        self.done_cost_ms += self.plan.run_cost_ms(cell.conns as u32) * n as u64;
        self.progress.set_position(self.done_cost_ms);
    }

    /// ` (ETA 12m 5s)`, from the planned cost left and indicatif's estimate of the pace.
    fn eta(&self) -> String {
        self.progress.eta().map_or_else(String::new, |left| {
            let whole = Duration::from_secs(left.as_secs());
            format!(" (ETA {})", humantime::format_duration(whole))
        })
    }

    /// Runs that produced a result.
    pub(super) fn runs_done(&self) -> usize {
        self.results.len()
    }
}
