//! One client thread: its own current-thread tokio runtime, its share of the
//! connections, per-thread histograms.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::rc::Rc;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

use futures::future::join_all;
use tokio::sync::Semaphore;
use tokio::task::{JoinSet, LocalSet};

use super::busy::{Busy, Sample};
use super::conn::{Churn, Conn, Schedule, Timing};
use super::connect::connect;
use super::errors::ErrorCounts;
use super::pacer::{self, Pacer};
use super::spin;
use super::stop::Stop;
use crate::metrics::histogram::{self, record, Latency};
use crate::plan::LoadJob;

/// What one client thread measured.
#[derive(Debug)]
pub(super) struct ThreadStats {
    pub(super) latency: Latency,
    pub(super) uncorrected: Latency,
    /// Open loop: the generator's own lag, actual minus due send.
    pub(super) lag: Latency,
    /// Latency per second of the run, warm-up included, by completion time: entry `i`
    /// covers `[start + i s, start + (i + 1) s)`.
    pub(super) intervals: Vec<Latency>,
    /// The thread's activity over the window (`None` if the window never started).
    pub(super) busy: Option<Busy>,
    pub(super) connect: Latency,
    pub(super) requests: u64,
    /// Of `requests`, those of hot connections.
    pub(super) hot_requests: u64,
    /// Connections re-established after `conn_requests` requests (whole run).
    pub(super) reconnects: u64,
    pub(super) bytes: u64,
    pub(super) established: u64,
    pub(super) errors: ErrorCounts,
    pub(super) first_error: Option<String>,
    pub(super) connect_error: Option<String>,
}

impl ThreadStats {
    pub(super) fn new() -> ThreadStats {
        ThreadStats {
            latency: histogram::new(),
            uncorrected: histogram::new(),
            lag: histogram::new(),
            intervals: Vec::new(),
            busy: None,
            connect: histogram::new(),
            requests: 0,
            hot_requests: 0,
            reconnects: 0,
            bytes: 0,
            established: 0,
            errors: ErrorCounts::default(),
            first_error: None,
            connect_error: None,
        }
    }
}

impl ThreadStats {
    /// Counts one echoed request of `msg_size` bytes (of a hot connection if `hot`):
    /// in the time series if it completed before the end, and in the window's figures
    /// if it completed inside `window`.
    pub(super) fn count(
        &mut self,
        t: &Timing,
        start: Instant,
        window: RangeInclusive<Instant>,
        (msg_size, hot): (usize, bool),
    ) {
        if t.done > *window.end() {
            return;
        }
        let corrected = t.corrected();
        let second = t.done.saturating_duration_since(start).as_secs() as usize;
        if self.intervals.len() <= second {
            self.intervals.resize_with(second + 1, histogram::new);
        }
        record(&mut self.intervals[second], corrected);
        if !window.contains(&t.done) {
            return;
        }
        record(&mut self.latency, corrected);
        if let Some(lag) = t.lag() {
            record(&mut self.uncorrected, t.done - t.sent);
            record(&mut self.lag, lag);
        }
        self.requests += 1;
        self.hot_requests += u64::from(hot);
        self.bytes += msg_size as u64;
    }
}

/// A thread's connect phase result, sent to the coordinating thread.
#[derive(Debug)]
pub(super) struct ConnectReport {
    pub(super) established: u64,
    pub(super) failed: u64,
}

/// Everything a client thread needs.
#[derive(Debug)]
pub(super) struct ThreadPlan {
    pub(super) index: usize,
    pub(super) ids: Vec<u64>,
    pub(super) job: Arc<LoadJob>,
    pub(super) stop: Stop,
    pub(super) connected: mpsc::Sender<ConnectReport>,
    pub(super) schedule: mpsc::Receiver<Schedule>,
}

/// Runs one client thread to the end of the window, the stop signal, or the failure of
/// all its connections.
pub(super) fn run(plan: ThreadPlan) -> ThreadStats {
    let stats = RefCell::new(ThreadStats::new());
    let job = Arc::clone(&plan.job);
    let cfg = &job.plan;
    if !job.cpus.is_empty() {
        let id = job.cpus[plan.index % job.cpus.len()];
        core_affinity::set_for_current(core_affinity::CoreId { id });
    }
    pacer::lower_timer_slack();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let mut s = stats.into_inner();
            s.errors.connect += plan.ids.len() as u64;
            s.connect_error = Some(format!("cannot start a client runtime: {e}"));
            let _ = plan.connected.send(ConnectReport {
                established: 0,
                failed: plan.ids.len() as u64,
            });
            return s;
        }
    };
    let permits = (cfg.connect_concurrency / cfg.threads.max(1)).max(1);
    let streams = rt.block_on(connect_all(job.target, &plan, permits, &stats));
    let established = streams.len() as u64;
    let _ = plan.connected.send(ConnectReport {
        established,
        failed: plan.ids.len() as u64 - established,
    });
    let Ok(schedule) = plan.schedule.recv() else {
        return stats.into_inner();
    };
    let interval = cfg.interval();
    let conns = cfg.conns as f64;
    let stats = Rc::new(stats);
    let pacer = match interval.map(|_| rt.block_on(async { Pacer::new() })) {
        None => None,
        Some(Ok(pacer)) => Some(pacer),
        Some(Err(e)) => {
            let mut s = stats.borrow_mut();
            s.errors.other += 1;
            s.first_error = Some(format!("cannot create the pacing timer: {e}"));
            drop(s);
            return stats.replace(ThreadStats::new());
        }
    };
    let first = Rc::new(std::cell::Cell::new(None));
    // One task per connection, so that each has its own cooperative budget and the
    // scheduler serves them fairly.
    let local = LocalSet::new();
    local.block_on(&rt, async {
        let sampler = {
            let first = Rc::clone(&first);
            tokio::task::spawn_local(async move {
                tokio::time::sleep_until(schedule.warmup_end.into()).await;
                first.set(Some(Sample::now()));
            })
        };
        let driver = pacer.clone().map(|p| tokio::task::spawn_local(p.run()));
        let spinner = cfg
            .client_spin
            .then(|| tokio::task::spawn_local(spin::spin()));
        let mut tasks = JoinSet::new();
        for (id, stream) in streams {
            let open = interval.map(|i| (i, i.mul_f64(id as f64 / conns)));
            let conn = Conn {
                id,
                msg_size: cfg.msg_size,
                schedule,
                open,
                skew: cfg.skew,
                churn: cfg.conn_requests.map(|requests| Churn {
                    requests,
                    target: job.target,
                    connect_timeout: cfg.connect_timeout,
                }),
                workload: (cfg.workload, job.target),
            };
            tasks.spawn_local(conn.drive(stream, Rc::clone(&stats), pacer.clone()));
        }
        let all_done = async {
            let mut any_ok = false;
            while let Some(ok) = tasks.join_next().await {
                any_ok |= ok.unwrap_or(false);
            }
            any_ok
        };
        let end = tokio::time::sleep_until(schedule.end.into());
        tokio::pin!(end);
        tokio::select! {
            any_ok = all_done => {
                // Open-loop connections finish after their last planned send: hold the
                // thread to the end of the window, unless every connection failed (the
                // server died), which the coordinating thread should learn at once.
                if any_ok {
                    tokio::select! {
                        _ = &mut end => {}
                        _ = plan.stop.stopped() => {}
                    }
                }
            }
            _ = &mut end => {}
            _ = plan.stop.stopped() => {}
        }
        sampler.abort();
        if let Some(driver) = driver {
            driver.abort();
        }
        if let Some(spinner) = spinner {
            spinner.abort();
        }
    });
    drop(local);
    if let Some(first) = first.get() {
        stats.borrow_mut().busy = Some(first.until(&Sample::now()));
    }
    let taken = stats.replace(ThreadStats::new());
    drop(stats);
    taken
}

async fn connect_all(
    target: SocketAddr,
    plan: &ThreadPlan,
    permits: usize,
    stats: &RefCell<ThreadStats>,
) -> Vec<(u64, tokio::net::TcpStream)> {
    let gate = Semaphore::new(permits);
    let timeout = plan.job.plan.connect_timeout;
    let attempts = plan.ids.iter().map(|&id| {
        let gate = &gate;
        async move {
            let _permit = gate.acquire().await.ok()?;
            tokio::select! {
                r = connect(target, timeout, id) => Some((id, r)),
                _ = plan.stop.stopped() => None,
            }
        }
    });
    let mut streams = Vec::with_capacity(plan.ids.len());
    let outcomes = join_all(attempts).await;
    let mut s = stats.borrow_mut();
    for outcome in outcomes {
        match outcome {
            Some((id, Ok((stream, took)))) => {
                record(&mut s.connect, took);
                s.established += 1;
                streams.push((id, stream));
            }
            Some((_, Err(failure))) => {
                s.errors.connect += 1;
                if s.connect_error.is_none() {
                    s.connect_error = Some(format!("cannot connect to {target}: {failure}"));
                }
            }
            None => {}
        }
    }
    streams
}
