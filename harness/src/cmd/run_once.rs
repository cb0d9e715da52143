//! One run of `harness run` on one backend: start the server, run the load child,
//! snapshot the server around the measured window.

use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use pool_core::{Pinning, PoolMetrics};

use super::progress::Progress;
use crate::backend::WithServer;
use crate::load::Event;
use crate::metrics::{activity, CpuTime, SendRecv};
use crate::os::child::{describe_failure, Line, LoadChild};
use crate::os::pinning::{self, CpuPlan};
use crate::os::Interrupt;
use crate::plan::{LoadJob, RunPlan, Target};
use crate::result::{Balance, LoadResult, Metadata, RunResult, ServerResult, WorkerResult, SCHEMA};
use crate::serve::{EchoServer, ServerConfig, StatsSnapshot};

/// How the child's own error messages start (see `cmd::main`).
const CHILD_ERROR: &str = "harness: error: ";

/// What the load child said, besides its events.
#[derive(Debug, Default)]
struct Followed {
    start: Option<Snapshot>,
    end: Option<Snapshot>,
    result: Option<LoadResult>,
    /// The child's last error message, held back to be quoted in the failure.
    error: Option<String>,
}

/// The arguments of one run; [`WithServer`] picks the server type.
#[derive(Debug)]
pub(super) struct RunOnce<'a> {
    /// What runs: its kind picks the server type, its park and placement are the
    /// server's.
    pub(super) target: Target,
    pub(super) plan: &'a RunPlan,
    pub(super) cpus: &'a CpuPlan,
    pub(super) send_recv: SendRecv,
    pub(super) repetition: u32,
    pub(super) interrupt: &'a Interrupt,
    pub(super) progress: &'a Progress,
}

/// The server's counters and CPU times at one instant.
#[derive(Debug)]
struct Snapshot {
    at: Instant,
    stats: StatsSnapshot,
    cpu: CpuTime,
    workers: Vec<CpuTime>,
    pool: PoolMetrics,
}

impl Snapshot {
    fn take<S: EchoServer>(server: &S) -> Snapshot {
        Snapshot {
            at: Instant::now(),
            stats: server.stats().snapshot(),
            cpu: CpuTime::process(),
            workers: server.worker_cpu(),
            pool: server.metrics(),
        }
    }
}

impl WithServer for RunOnce<'_> {
    type Output = anyhow::Result<RunResult>;

    fn run<S: EchoServer>(self) -> anyhow::Result<RunResult> {
        let plan = self.plan;
        let pinning = self
            .cpus
            .server
            .clone()
            .map_or(Pinning::None, Pinning::Cpus);
        let server = S::start(&ServerConfig {
            park: self.target.park.policy(),
            placement: self.target.placement.policy(),
            ..plan.server.config(plan.load.msg_size, pinning)
        })?;
        // This thread follows the load generator, and the threads that read its output
        // are started from it: keep them off the client's CPUs.
        let _confined = self
            .cpus
            .server
            .as_deref()
            .map(pinning::confine_current_thread);
        let job = LoadJob {
            target: server.addr(),
            plan: plan.load.clone(),
            cpus: self.cpus.client.clone(),
            start_at: None,
        };
        let child = match LoadChild::spawn(&job) {
            Ok(child) => child,
            Err(e) => {
                server.stop();
                return Err(e);
            }
        };
        self.interrupt.set_child(Some(child.pid()));
        let followed = self.follow(&server, &child);
        let status = child.wait();
        self.interrupt.set_child(None);
        let end = followed.end.unwrap_or_else(|| Snapshot::take(&server));
        server.stop();
        let Some(load) = followed.result else {
            anyhow::bail!(describe_failure(status, followed.error.as_deref()));
        };
        let server = followed.start.map(|start| self.server_result(&start, &end));
        Ok(RunResult {
            schema: SCHEMA.to_owned(),
            metadata: Metadata::collect()
                .pinned(self.cpus.server.clone(), self.cpus.client.clone()),
            backend: Some(self.target.label()),
            is_reference: self.target.kind.is_reference(),
            repetition: self.repetition,
            send_recv: Some(self.send_recv),
            server,
            load,
            baseline_fraction: None,
            profile: None,
        })
    }
}

impl RunOnce<'_> {
    /// Follows the child's events until it closes its stdout and stderr.
    fn follow<S: EchoServer>(&self, server: &S, child: &LoadChild) -> Followed {
        let mut f = Followed::default();
        let load = &self.plan.load;
        let mut phase: Option<(Instant, &str)> = None;
        loop {
            match child.next(Duration::from_millis(100)) {
                Ok(Line::Event(Event::Connected {
                    established,
                    failed,
                    elapsed_ms,
                })) => {
                    self.progress.note(&format!(
                        "connected {established} in {elapsed_ms:.0} ms ({failed} failed); warming up"
                    ));
                    self.progress.phase("warm-up", load.warmup);
                    phase = Some((Instant::now(), "warm-up"));
                }
                Ok(Line::Event(Event::Measuring)) => {
                    f.start = Some(Snapshot::take(server));
                    self.progress.phase("measure", load.duration);
                    phase = Some((Instant::now(), "measure"));
                }
                Ok(Line::Event(Event::WindowEnd)) => {
                    f.end = Some(Snapshot::take(server));
                    phase = None;
                }
                Ok(Line::Event(Event::Result { result })) => f.result = Some(*result),
                Ok(Line::Stderr(line)) => match line.strip_prefix(CHILD_ERROR) {
                    Some(error) => f.error = Some(error.to_owned()),
                    None => self.progress.status(&line),
                },
                Ok(Line::Other(line)) => self.progress.status(&line),
                Err(RecvTimeoutError::Timeout) => {
                    if let Some((since, name)) = phase {
                        let echoes = server.stats().snapshot().total_bytes() / load.msg_size as u64;
                        self.progress
                            .tick(since.elapsed(), format!("{name}: {echoes} echoes"));
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        f
    }

    fn server_result(&self, start: &Snapshot, end: &Snapshot) -> ServerResult {
        let msg = self.plan.load.msg_size as u64;
        let window = end.stats.since(&start.stats);
        let echoes = window.total_bytes() / msg;
        let cpu = end.cpu - start.cpu;
        let per_echo = if echoes > 0 {
            cpu.total_s() * 1e6 / echoes as f64
        } else {
            0.0
        };
        let whole_run = &end.stats;
        let activity = activity::between(&start.pool, &end.pool, end.at - start.at);
        let workers = window
            .workers
            .iter()
            .enumerate()
            .map(|(i, w)| WorkerResult {
                worker: i + 1,
                accepted: whole_run.workers.get(i).map_or(0, |c| c.accepted),
                echoes: w.bytes / msg,
                cpu_s: match (end.workers.get(i), start.workers.get(i)) {
                    (Some(&e), Some(&s)) => (e - s).total_s(),
                    _ => 0.0,
                },
                busy_pct: activity.get(i).and_then(|a| a.busy_pct),
                polls: activity.get(i).and_then(|a| a.polls),
                hot_echoes: w.hot,
            })
            .collect::<Vec<_>>();
        let other_echoes = window.other.bytes / msg;
        ServerResult {
            backend: self.target.label(),
            threads: self.plan.server.threads,
            accept: self.plan.server.accept,
            echoes,
            cpu,
            cpu_per_echo_us: per_echo,
            balance: Balance::of(&workers, other_echoes),
            work_us: self.plan.server.work.as_secs_f64() * 1e6,
            workers,
            other_echoes,
            accept_errors: whole_run.accept_errors,
        }
    }
}
