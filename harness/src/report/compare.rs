//! The side-by-side table of several backends over repetitions: medians with their
//! min-max spread, ratios against the baseline (tokio-mt) with their 95% intervals, and
//! server CPU per echo above the reference (epoll-ref) measured in the same run.

use std::fmt::Write;

use super::grid::{thousands, Grid};
use super::ratio::{Figure, RatioCell};
use super::significance::MIN_REPEATS;
use super::spread::Spread;
use crate::backend::ServerKind;
use crate::report::is_reference;
use crate::result::{Balance, LoadResult, RunResult};
use crate::serve::REFERENCE_NAME;

fn show(s: Option<Spread>, repeated: bool, fmt: impl Fn(f64) -> String) -> String {
    match s {
        None => "-".to_owned(),
        Some(s) if repeated => format!("{} [{}–{}]", fmt(s.median), fmt(s.min), fmt(s.max)),
        Some(s) => fmt(s.median),
    }
}

/// The row label: the reference is marked as such.
fn label(results: &[RunResult], backend: &str) -> String {
    if is_reference(results, backend) {
        format!("{backend} (reference)")
    } else {
        backend.to_owned()
    }
}

/// `saturated`, `client-bound`, both, or empty: whether any of `runs` was.
pub fn run_flags(runs: &[&RunResult]) -> String {
    let mut f = Vec::new();
    if runs.iter().any(|r| r.load.saturated) {
        f.push("saturated");
    }
    if runs.iter().any(|r| r.load.client_bound) {
        f.push("client-bound");
    }
    f.join(", ")
}

/// The server CPU per echo of a run, if it echoed anything.
pub(super) fn cpu_per_echo(r: &RunResult) -> Option<f64> {
    r.server
        .as_ref()
        .filter(|s| s.echoes > 0)
        .map(|s| s.cpu_per_echo_us)
}

/// The median balance of `runs` (each figure's median over the runs that have it).
fn median_balance(runs: &[&RunResult]) -> Option<Balance> {
    let balances: Vec<&Balance> = runs
        .iter()
        .filter_map(|r| r.server.as_ref()?.balance.as_ref())
        .collect();
    let median = |f: &dyn Fn(&Balance) -> Option<f64>| {
        Spread::of(balances.iter().filter_map(|b| f(b))).map(|s| s.median)
    };
    (!balances.is_empty()).then(|| Balance {
        busy_max_pct: median(&|b| b.busy_max_pct),
        busy_min_pct: median(&|b| b.busy_min_pct),
        echoes_max_pct: median(&|b| Some(b.echoes_max_pct)).unwrap_or(0.0),
        echoes_min_pct: median(&|b| Some(b.echoes_min_pct)).unwrap_or(0.0),
        hot_max_pct: median(&|b| b.hot_max_pct),
        hot_min_pct: median(&|b| b.hot_min_pct),
    })
}

/// The skew and churn of a load, as a clause of the table's title (empty for a plain
/// echo load).
pub(crate) fn skew_text(l: &LoadResult) -> String {
    let mut out = String::new();
    if let Some(skew) = &l.skew {
        let _ = write!(
            out,
            "; skew: {:.0}% of conns hot, {:.0} µs server work per hot request",
            skew.hot_fraction * 100.0,
            skew.work_us
        );
    }
    if let Some(n) = l.conn_requests {
        let _ = write!(out, "; churn: reconnect every {n} requests");
    }
    if !l.workload.is_echo() {
        let _ = write!(out, "; workload: {}", l.workload);
        if l.workload == crate::plan::Workload::Http {
            out.push_str(" (epoll-ref and uring-ref: a hand-rolled responder that answers only GET /plaintext)");
        }
    }
    out
}

/// Renders results of one or more backends (any number of repetitions each) side by
/// side, in the backends' order of first appearance.
pub fn render_comparison(results: &[RunResult]) -> String {
    let name = |r: &RunResult| r.backend.clone().unwrap_or_else(|| "load".to_owned());
    let mut backends: Vec<String> = Vec::new();
    for r in results {
        if !backends.contains(&name(r)) {
            backends.push(name(r));
        }
    }
    let baseline = ServerKind::BASELINE.name();
    let runs_of = |backend: &str| -> Vec<&RunResult> {
        results.iter().filter(|r| name(r) == backend).collect()
    };
    let of = |backend: &str, f: &dyn Fn(&RunResult) -> Option<f64>| {
        Spread::of(runs_of(backend).into_iter().filter_map(f))
    };
    let rps = |r: &RunResult| Some(r.load.throughput_rps);
    let p50 = |r: &RunResult| Some(r.load.latency.p50_us as f64);
    let p99 = |r: &RunResult| Some(r.load.latency.p99_us as f64);
    let p999 = |r: &RunResult| Some(r.load.latency.p999_us as f64);
    let client = |r: &RunResult| Some(r.load.client_cpu_per_request_us);
    let errors = |r: &RunResult| Some(r.load.error_total as f64);
    let reference = of(REFERENCE_NAME, &cpu_per_echo);

    let repetitions = results.iter().map(|r| r.repetition).max().unwrap_or(0) + 1;
    let repeated = repetitions > 1;
    let mut g = Grid::new();
    g.row([
        "backend",
        "req/s",
        "x mt",
        "p50 µs",
        "p99 µs",
        "x mt",
        "p99.9 µs",
        "srv CPU µs/echo",
        "above ref",
        "x mt",
        "client CPU µs/req",
        "errors",
        "flags",
    ]);
    let int = |v: f64| thousands(v.round() as u64);
    let dec = |v: f64| format!("{v:.2}");
    let base_runs = runs_of(baseline);
    for b in &backends {
        let runs = runs_of(b);
        let ratio = |metric: &dyn Fn(&RunResult) -> Option<f64>, figure| {
            if b == baseline {
                return "1.00".to_owned();
            }
            RatioCell::of(&runs, &base_runs, metric, figure).text()
        };
        let above = match (of(b, &cpu_per_echo), reference) {
            _ if is_reference(results, b) => "-".to_owned(),
            (Some(cpu), Some(r)) => format!("{:+.2}", cpu.median - r.median),
            _ => "-".to_owned(),
        };
        g.row([
            label(results, b),
            show(of(b, &rps), repeated, int),
            ratio(&rps, Figure::Throughput),
            show(of(b, &p50), repeated, int),
            show(of(b, &p99), repeated, int),
            ratio(&p99, Figure::Latency),
            show(of(b, &p999), repeated, int),
            show(of(b, &cpu_per_echo), repeated, dec),
            above,
            ratio(&cpu_per_echo, Figure::Other),
            show(of(b, &client), false, dec),
            show(
                of(b, &errors).map(|s| Spread { median: s.max, ..s }),
                false,
                int,
            ),
            run_flags(&runs),
        ]);
    }
    let mut out = String::new();
    if let Some(first) = results.first() {
        let l = &first.load;
        let _ = write!(
            out,
            "{} loop, {} conns, {} B, {} s x {repetitions}, accept {}",
            l.mode.name(),
            l.conns,
            l.msg_size,
            l.duration_s,
            first
                .server
                .as_ref()
                .map_or("-".to_owned(), |s| format!("{:?}", s.accept).to_lowercase()),
        );
        if l.client_spin {
            out.push_str("; client threads spin (--client-spin)");
        }
        out.push_str(&skew_text(l));
        if let Some(k) = &first.send_recv {
            let _ = write!(
                out,
                "; kernel: {:.2} µs per blocking send+recv of {} B",
                k.cpu_per_op_us, k.msg_size
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{}; x mt = ratio of medians against {baseline} (req/s: higher is better; p99, CPU: \
         lower is better), [95% bootstrap interval] from {MIN_REPEATS}+ repeats, \
         * = significant (the interval excludes 1.00); above ref = server CPU per echo \
         minus {REFERENCE_NAME}'s (the runtime-free reference, same run); errors: worst run",
        if repeated {
            "medians [min–max]"
        } else {
            "one run each"
        }
    );
    out.push_str(&g.render(0));
    let balances: Vec<(String, Balance)> = backends
        .iter()
        .filter_map(|b| Some((label(results, b), median_balance(&runs_of(b))?)))
        .collect();
    if !balances.is_empty() {
        out.push_str("balance, busiest/idlest server worker (busy %, share of echoes, share of hot requests):\n");
        let mut g = Grid::left_aligned();
        for (b, balance) in balances {
            g.row([b, balance.text()]);
        }
        out.push_str(&g.render(2));
    }
    out
}
