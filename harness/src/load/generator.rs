//! [`run`]: starts the client threads, connects, runs warm-up and the measured window,
//! and merges the per-thread histograms.

use std::io;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::busy::Busy;
use super::conn::Schedule;
use super::errors::ErrorCounts;
use super::event::Event;
use super::stop::Stop;
use super::thread::{self, ThreadPlan, ThreadStats};
use crate::metrics::histogram::{self, merge, Latency};
use crate::metrics::CpuTime;
use crate::plan::LoadJob;

/// Time between sending the schedule and the first request, so every thread starts
/// together.
const START_DELAY: Duration = Duration::from_millis(5);

/// Everything the generator measured (merged over threads).
#[derive(Debug)]
pub struct LoadOutcome {
    /// Latency: from the send (closed loop) or the planned send (open loop).
    pub latency: Latency,
    /// Open loop: latency from the actual send, uncorrected for coordinated omission.
    pub uncorrected: Latency,
    /// Open loop: the generator's own lag per request, actual send minus the instant
    /// it could have left (`max(planned send, previous echo)`).
    pub lag: Latency,
    /// Latency per second of the run, warm-up included, by completion time: entry `i`
    /// covers `[series_start + i s, series_start + (i + 1) s)`.
    pub intervals: Vec<Latency>,
    /// When the series starts (the warm-up's start), by the wall clock.
    pub series_start: Option<SystemTime>,
    /// Each client thread's activity over the window.
    pub busy: Vec<Busy>,
    /// Time to establish each connection, retries included.
    pub connect: Latency,
    /// Time to establish all connections.
    pub connect_elapsed: Duration,
    /// Connections established.
    pub established: u64,
    /// Requests completed inside the measured window.
    pub requests: u64,
    /// Of `requests`, those of hot connections (`--work-us`).
    pub hot_requests: u64,
    /// Connections closed and re-established after `--conn-requests` requests, over
    /// the whole run.
    pub reconnects: u64,
    /// Payload bytes echoed inside the window (one direction).
    pub bytes: u64,
    /// The measured window's actual length (shorter if cut short).
    pub window: Duration,
    /// When the window started, by the wall clock (`None` if it never started).
    pub window_start: Option<SystemTime>,
    /// CPU time of the generator process during the window.
    pub client_cpu: CpuTime,
    /// Errors by kind.
    pub errors: ErrorCounts,
    /// The first error, as a message.
    pub first_error: Option<String>,
    /// Stopped by the stop signal (Ctrl-C).
    pub interrupted: bool,
    /// The window ran to its end.
    pub complete: bool,
}

/// Why the generator could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// No connection could be established. Fix: check that the server runs at the
    /// target address, or raise `--connect-timeout`.
    #[error("no connection to {target} could be established: {reason}")]
    NoConnection {
        /// The target.
        target: SocketAddr,
        /// The last connect error.
        reason: String,
    },
    /// A client thread could not be started.
    #[error("cannot start a client thread: {0}")]
    Thread(io::Error),
    /// Stopped (Ctrl-C) before any connection was measured.
    #[error("interrupted while connecting")]
    Interrupted,
    /// The common start (`--start-at`) had passed when the connections were up. Fix:
    /// choose a later start, leaving time to start every process and connect.
    #[error(
        "the common start (--start-at) passed {:.3} s ago, before the connections were up; \
         choose a later start",
        by.as_secs_f64()
    )]
    StartPassed {
        /// How long ago it passed.
        by: Duration,
    },
}

/// When the warm-up starts and when the window starts (by the wall clock too), for a
/// window that starts at `start_at`, or as soon as possible.
fn plan_window(
    start_at: Option<SystemTime>,
    warmup: Duration,
) -> Result<(Instant, Instant, SystemTime), LoadError> {
    let (now, wall) = (Instant::now(), SystemTime::now());
    let window_start = match start_at {
        None => now + START_DELAY + warmup,
        Some(at) => match at.duration_since(wall) {
            Ok(until) => now + until,
            Err(passed) => {
                return Err(LoadError::StartPassed {
                    by: passed.duration(),
                })
            }
        },
    };
    // A warm-up that cannot fit before a common start is shortened.
    let start = window_start
        .checked_sub(warmup)
        .unwrap_or(now)
        .max(now.min(window_start));
    Ok((start, window_start, wall + (window_start - now)))
}

/// Runs the load described by `config`, calling `on_event` as phases change (on the
/// calling thread). Stops early when `stop` is raised or every connection has failed.
///
/// # Errors
///
/// See [`LoadError`]. Errors during the run (server closed, bad echo) are counted in
/// [`LoadOutcome::errors`] instead.
pub fn run(
    config: &LoadJob,
    stop: &Stop,
    mut on_event: impl FnMut(&Event),
) -> Result<LoadOutcome, LoadError> {
    plan_window(config.start_at, config.plan.warmup)?;
    let config = Arc::new(config.clone());
    let plan = &config.plan;
    let threads = plan.threads.min(plan.conns).max(1);
    let (connected_tx, connected) = mpsc::channel();
    let mut schedules = Vec::with_capacity(threads);
    let mut handles = Vec::with_capacity(threads);
    let t0 = Instant::now();
    for index in 0..threads {
        let (schedule_tx, schedule) = mpsc::channel();
        schedules.push(schedule_tx);
        let plan = ThreadPlan {
            index,
            ids: (index..plan.conns)
                .step_by(threads)
                .map(|i| i as u64)
                .collect(),
            job: Arc::clone(&config),
            stop: stop.clone(),
            connected: connected_tx.clone(),
            schedule,
        };
        let finished = stop.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("load-{}", index + 1))
            .spawn(move || {
                let stats = thread::run(plan);
                finished.thread_finished();
                stats
            });
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                stop.stop();
                drop(schedules);
                join(handles);
                return Err(LoadError::Thread(e));
            }
        }
    }
    drop(connected_tx);

    let (mut established, mut failed) = (0, 0);
    for report in connected.iter().take(threads) {
        established += report.established;
        failed += report.failed;
    }
    let connect_elapsed = t0.elapsed();
    if established == 0 || stop.is_stopped() {
        let interrupted = stop.is_stopped();
        drop(schedules);
        let merged = Merged::of(join(handles));
        if interrupted {
            return Err(LoadError::Interrupted);
        }
        return Err(LoadError::NoConnection {
            target: config.target,
            reason: merged
                .connect_error
                .unwrap_or_else(|| "no connection succeeded".to_owned()),
        });
    }
    on_event(&Event::Connected {
        established,
        failed,
        elapsed_ms: connect_elapsed.as_secs_f64() * 1e3,
    });

    let (start, warmup_end, window_start) = match plan_window(config.start_at, plan.warmup) {
        Ok(times) => times,
        Err(e) => {
            drop(schedules);
            join(handles);
            return Err(e);
        }
    };
    let schedule = Schedule {
        start,
        warmup_end,
        end: warmup_end + plan.duration,
    };
    for tx in &schedules {
        let _ = tx.send(schedule);
    }
    let mut window = Duration::ZERO;
    let mut client_cpu = CpuTime::default();
    let mut complete = false;
    let mut started = None;
    let series_start = window_start.checked_sub(warmup_end - start);
    if stop.wait_until(warmup_end, threads) {
        started = Some(window_start);
        on_event(&Event::Measuring);
        let cpu0 = CpuTime::process();
        complete = stop.wait_until(schedule.end, threads);
        let now = Instant::now().min(schedule.end);
        window = now.saturating_duration_since(warmup_end);
        client_cpu = CpuTime::process() - cpu0;
        on_event(&Event::WindowEnd);
    }
    let interrupted = stop.is_stopped();
    let merged = Merged::of(join(handles));
    Ok(LoadOutcome {
        latency: merged.latency,
        uncorrected: merged.uncorrected,
        lag: merged.lag,
        intervals: merged.intervals,
        series_start,
        busy: merged.busy,
        connect: merged.connect,
        connect_elapsed,
        established,
        requests: merged.requests,
        hot_requests: merged.hot_requests,
        reconnects: merged.reconnects,
        bytes: merged.bytes,
        window,
        window_start: started,
        client_cpu,
        errors: merged.errors,
        first_error: merged.first_error.or(merged.connect_error),
        interrupted,
        complete: complete && !interrupted,
    })
}

/// Joins the client threads; a panicked thread counts as an error.
fn join(handles: Vec<std::thread::JoinHandle<ThreadStats>>) -> Vec<ThreadStats> {
    handles
        .into_iter()
        .map(|h| {
            h.join().unwrap_or_else(|_| {
                let mut s = ThreadStats::new();
                s.errors.other += 1;
                s.first_error = Some("a client thread panicked".to_owned());
                s
            })
        })
        .collect()
}

/// Per-thread statistics merged.
struct Merged {
    latency: Latency,
    uncorrected: Latency,
    lag: Latency,
    intervals: Vec<Latency>,
    busy: Vec<Busy>,
    connect: Latency,
    requests: u64,
    hot_requests: u64,
    reconnects: u64,
    bytes: u64,
    errors: ErrorCounts,
    first_error: Option<String>,
    connect_error: Option<String>,
}

impl Merged {
    fn of(stats: Vec<ThreadStats>) -> Merged {
        let mut m = Merged {
            latency: histogram::new(),
            uncorrected: histogram::new(),
            lag: histogram::new(),
            intervals: Vec::new(),
            busy: Vec::new(),
            connect: histogram::new(),
            requests: 0,
            hot_requests: 0,
            reconnects: 0,
            bytes: 0,
            errors: ErrorCounts::default(),
            first_error: None,
            connect_error: None,
        };
        for s in stats {
            // Same bounds on both sides: merging cannot fail.
            let _ = merge(&mut m.latency, &s.latency);
            let _ = merge(&mut m.uncorrected, &s.uncorrected);
            let _ = merge(&mut m.lag, &s.lag);
            let _ = merge(&mut m.connect, &s.connect);
            if m.intervals.len() < s.intervals.len() {
                m.intervals.resize_with(s.intervals.len(), histogram::new);
            }
            for (into, from) in m.intervals.iter_mut().zip(&s.intervals) {
                let _ = merge(into, from);
            }
            m.busy.extend(s.busy);
            m.requests += s.requests;
            m.hot_requests += s.hot_requests;
            m.reconnects += s.reconnects;
            m.bytes += s.bytes;
            m.errors.add(&s.errors);
            m.first_error = m.first_error.or(s.first_error);
            m.connect_error = m.connect_error.or(s.connect_error);
        }
        m
    }
}
