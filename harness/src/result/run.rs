//! One measured run: [`RunResult`] with its load, server and connection parts.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::balance::Balance;
use super::limits;
use super::metadata::Metadata;
use super::series::Series;
use crate::load::{ErrorCounts, LoadOutcome};
use crate::metrics::histogram::{self, HistogramError};
use crate::metrics::{CpuTime, Percentiles, SendRecv};
use crate::plan::{LoadJob, Mode, Profile, Workload};
use crate::serve::AcceptStrategy;

/// The schema name and version written into every result.
pub const SCHEMA: &str = "iopool-harness/1";

/// One measured run: a server (if in-process) and one load generator.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunResult {
    /// [`SCHEMA`].
    pub schema: String,
    /// Machine, toolchain and command.
    pub metadata: Metadata,
    /// The backend served (absent for `harness load` against an external server).
    pub backend: Option<String>,
    /// Whether `backend` is a runtime-free reference rather than a pool
    /// ([`crate::backend::ServerKind::is_reference`]): reports mark it and leave it out
    /// of the ratios. Results written before this field get it from
    /// [`read_input`](super::read_input).
    #[serde(default)]
    pub is_reference: bool,
    /// Which repetition this was (0-based).
    pub repetition: u32,
    /// The kernel's cost of one blocking send+recv pair over loopback, measured in the
    /// same invocation: a kernel figure, not a lower bound (read as `floor` from older
    /// results).
    #[serde(default, alias = "floor")]
    pub send_recv: Option<SendRecv>,
    /// The server's figures (absent for `harness load`).
    pub server: Option<ServerResult>,
    /// The load generator's figures.
    pub load: LoadResult,
    /// Open loop in `harness matrix`: the rate as a fraction of the baseline's median
    /// closed-loop throughput for the same connections and message size, measured in the
    /// same matrix run (0.5 for "50% of tokio-mt's max"). Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_fraction: Option<f64>,
    /// The matrix profile the run belonged to (absent outside `harness matrix`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
}

/// Connection set-up figures.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ConnectResult {
    /// Connections established.
    pub established: u64,
    /// Connections that failed (also counted in `errors.connect`).
    pub failed: u64,
    /// Time to establish all of them, in milliseconds.
    pub total_ms: f64,
    /// Per-connection connect time, retries included.
    pub latency: Percentiles,
}

/// The load generator's figures.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoadResult {
    /// The host the load generator ran on (absent in results of older harnesses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The load generator's process id on that host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// When the measured window started, by the wall clock, seconds since the Unix
    /// epoch: `harness report` checks that merged runs overlap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_start_unix_s: Option<f64>,
    /// The server address.
    pub target: String,
    /// `closed` or `open`.
    pub mode: Mode,
    /// Connections requested.
    pub conns: u64,
    /// Client threads.
    pub client_threads: u64,
    /// Message size in bytes.
    pub msg_size: u64,
    /// Requested measured duration, seconds.
    pub duration_s: f64,
    /// Warm-up, seconds.
    pub warmup_s: f64,
    /// Open loop: total requests per second asked for.
    pub rate: Option<f64>,
    /// The client threads spun instead of sleeping (`--client-spin`); absent in older
    /// results (they slept).
    #[serde(default)]
    pub client_spin: bool,
    /// Per-request work on a share of the connections (`--work-us`,
    /// `--hot-fraction`); absent for a plain echo load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skew: Option<SkewResult>,
    /// Connection churn: each connection closed and reconnected after this many
    /// requests (`--conn-requests`); absent when connections stayed open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn_requests: Option<u64>,
    /// What the requests were (`--workload`); absent for the echo.
    #[serde(default, skip_serializing_if = "Workload::is_echo_ref")]
    pub workload: Workload,
    /// Connections closed and re-established under churn, over the whole run.
    #[serde(default)]
    pub reconnects: u64,
    /// Connection set-up.
    pub connect: ConnectResult,
    /// The measured window's actual length, seconds.
    pub window_s: f64,
    /// Requests completed in the window.
    pub requests: u64,
    /// Requests per second.
    pub throughput_rps: f64,
    /// Payload megabytes (10^6 B) echoed per second, one direction.
    pub throughput_mb_s: f64,
    /// Latency in µs of the requests completed in the window: from the send (closed
    /// loop); open loop: corrected for coordinated omission, from the planned send,
    /// less the generator's own lag (see `lag`).
    pub latency: Percentiles,
    /// Open loop only: latency from the actual send (uncorrected).
    pub latency_uncorrected: Option<Percentiles>,
    /// Open loop only: the generator's own lag per request in µs, actual send minus the
    /// instant it could have left (the planned send, or the previous echo if that was
    /// later); values under 1 µs count as 1 µs. Absent in older results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag: Option<Percentiles>,
    /// Open loop: the achieved rate fell below 97% of the offered rate
    /// ([`limits::SATURATED_BELOW`]): the latency is that of an overloaded server (or
    /// generator), and no ratio should be computed from this run.
    #[serde(default)]
    pub saturated: bool,
    /// The load generator's busy share over the window, 0 to 1: the mean over client
    /// threads of the share of the window each was on a CPU or queued for one
    /// ([`limits::client_busy`]). Absent in older results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_busy: Option<f64>,
    /// The load generator's idle spinning, 0 to 1 of the window
    /// ([`limits::client_idle_spin`]): CPU it burnt waiting, not counted as busy.
    /// Absent in older results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_idle_spin: Option<f64>,
    /// `client_busy` reached 90% ([`limits::CLIENT_BOUND_AT`]): the throughput measures
    /// the load generator, not the server.
    #[serde(default)]
    pub client_bound: bool,
    /// Latency per second of the whole run, warm-up included (written as `.hlog`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<Series>,
    /// `latency`'s histogram: HdrHistogram V2, deflate, base64.
    pub histogram: String,
    /// `latency_uncorrected`'s histogram, same encoding.
    pub histogram_uncorrected: Option<String>,
    /// Errors by kind.
    pub errors: ErrorCounts,
    /// Sum of `errors`.
    pub error_total: u64,
    /// The first error's message.
    pub first_error: Option<String>,
    /// The generator process's CPU time during the window.
    pub client_cpu: CpuTime,
    /// Client CPU per request, µs.
    pub client_cpu_per_request_us: f64,
    /// Stopped by Ctrl-C: the figures are partial.
    pub interrupted: bool,
    /// The window ran to its end.
    pub complete: bool,
}

impl LoadResult {
    /// Summarizes a generator outcome.
    ///
    /// # Errors
    ///
    /// If a histogram cannot be serialized.
    pub fn new(job: &LoadJob, o: &LoadOutcome) -> Result<LoadResult, HistogramError> {
        let window = o.window.as_secs_f64();
        let per_s = |n: f64| if window > 0.0 { n / window } else { 0.0 };
        let plan = &job.plan;
        let open = plan.mode() == Mode::Open;
        let throughput = per_s(o.requests as f64);
        let client_busy = limits::client_busy(&o.busy);
        Ok(LoadResult {
            host: Some(super::metadata::hostname()),
            pid: Some(std::process::id()),
            window_start_unix_s: o.window_start.map(unix_s),
            target: job.target.to_string(),
            mode: plan.mode(),
            conns: plan.conns as u64,
            client_threads: plan.threads.min(plan.conns).max(1) as u64,
            msg_size: plan.msg_size as u64,
            duration_s: plan.duration.as_secs_f64(),
            warmup_s: plan.warmup.as_secs_f64(),
            client_spin: plan.client_spin,
            rate: plan.rate,
            skew: plan.skew.map(|skew| SkewResult {
                work_us: skew.work.as_secs_f64() * 1e6,
                hot_fraction: skew.hot_fraction,
                hot_requests: o.hot_requests,
            }),
            conn_requests: plan.conn_requests,
            workload: plan.workload,
            reconnects: o.reconnects,
            connect: ConnectResult {
                established: o.established,
                failed: o.errors.connect,
                total_ms: o.connect_elapsed.as_secs_f64() * 1e3,
                latency: Percentiles::of(&o.connect),
            },
            window_s: window,
            requests: o.requests,
            throughput_rps: throughput,
            throughput_mb_s: per_s(o.bytes as f64) / 1e6,
            latency: Percentiles::of(&o.latency),
            latency_uncorrected: open.then(|| Percentiles::of(&o.uncorrected)),
            lag: open.then(|| Percentiles::of(&o.lag)),
            saturated: limits::saturated(plan.rate, throughput),
            client_busy,
            client_idle_spin: limits::client_idle_spin(&o.busy),
            client_bound: limits::client_bound(client_busy),
            series: Series::of(o)?,
            histogram: histogram::encode(&o.latency)?,
            histogram_uncorrected: if open {
                Some(histogram::encode(&o.uncorrected)?)
            } else {
                None
            },
            errors: o.errors.clone(),
            error_total: o.errors.total(),
            first_error: o.first_error.clone(),
            client_cpu: o.client_cpu,
            client_cpu_per_request_us: if o.requests > 0 {
                o.client_cpu.total_s() * 1e6 / o.requests as f64
            } else {
                0.0
            },
            interrupted: o.interrupted,
            complete: o.complete,
        })
    }

    /// Whether this open-loop run's latency measures its generator
    /// ([`limits::generator_bound`]); computed from the recorded figures, so results
    /// written before the rule existed are judged by it too.
    pub fn generator_bound(&self) -> bool {
        limits::generator_bound(self.lag.as_ref(), &self.latency, self.client_busy)
    }

    /// Whether the run finished cleanly: complete and without errors.
    pub fn is_clean(&self) -> bool {
        self.complete && self.error_total == 0
    }

    /// The measured window by the wall clock, as Unix seconds `(start, end)`, when the
    /// result records it.
    pub fn window_unix_s(&self) -> Option<(f64, f64)> {
        self.window_start_unix_s
            .map(|start| (start, start + self.window_s))
    }

    /// `host:pid` of the load process, or `None` for results of older harnesses.
    pub fn process(&self) -> Option<String> {
        Some(format!("{}:{}", self.host.as_deref()?, self.pid?))
    }
}

/// Seconds since the Unix epoch (negative before it).
pub(super) fn unix_s(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// The skew of a load, as the load generator ran it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SkewResult {
    /// Server CPU work per request of a hot connection, µs.
    pub work_us: f64,
    /// The share of connections that were hot.
    pub hot_fraction: f64,
    /// Requests of hot connections completed in the window (of `requests`).
    pub hot_requests: u64,
}

/// One server worker's share of the work during the window.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WorkerResult {
    /// Worker number (thread `srv-w{worker}`), from 1.
    pub worker: usize,
    /// Connections registered with this worker (over the whole run).
    pub accepted: u64,
    /// Echoes (bytes echoed / message size) during the window.
    pub echoes: u64,
    /// CPU seconds during the window (clock-tick resolution), from the OS.
    pub cpu_s: f64,
    /// Share of the window the worker was busy (not parked), in percent, from the
    /// pool's own metrics; `None` in results from before they existed.
    #[serde(default)]
    pub busy_pct: Option<f64>,
    /// Polls of the pool's tasks on this worker during the window; `None` where the
    /// backend does not count them per worker (tokio-mt).
    #[serde(default)]
    pub polls: Option<u64>,
    /// Requests of hot connections this worker computed for during the window
    /// (`--work-us`); zero without skew.
    #[serde(default)]
    pub hot_echoes: u64,
}

/// The in-process server's figures, over the measured window.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServerResult {
    /// Backend name.
    pub backend: String,
    /// Worker threads.
    pub threads: usize,
    /// Accept strategy.
    pub accept: AcceptStrategy,
    /// Echoes (bytes echoed / message size) during the window.
    pub echoes: u64,
    /// Server process CPU during the window.
    pub cpu: CpuTime,
    /// Server CPU (user + sys) per echo, µs.
    pub cpu_per_echo_us: f64,
    /// Per-worker balance.
    pub workers: Vec<WorkerResult>,
    /// The spread of `workers`, summed up; absent in older results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Balance>,
    /// CPU work per hot request, µs (`--work-us`); zero without skew.
    #[serde(default)]
    pub work_us: f64,
    /// Echoes on threads that are not numbered workers.
    pub other_echoes: u64,
    /// Failed accepts or registrations.
    pub accept_errors: u64,
}
