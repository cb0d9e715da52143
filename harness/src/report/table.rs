//! The human summary of one run (stdout, and a `.txt` copy).

use std::fmt::Write;

use super::compare::skew_text;
use super::grid::{thousands, Grid};
use super::Report;
use crate::metrics::activity::{self, Activity};
use crate::plan::Mode;
use crate::result::{LoadResult, RunResult, ServerResult};

/// Renders one run as a human-readable summary.
#[derive(Clone, Copy, Debug)]
pub struct TableReport;

impl Report for TableReport {
    fn extension(&self) -> &'static str {
        "txt"
    }

    fn render(&self, result: &RunResult) -> anyhow::Result<Option<String>> {
        Ok(Some(render(result)))
    }
}

fn title(result: &RunResult) -> String {
    let l = &result.load;
    let mode = match l.mode {
        Mode::Closed => "closed loop".to_owned(),
        Mode::Open => format!("open loop at {} req/s", l.rate.unwrap_or(0.0)),
    };
    let server = result.server.as_ref().map_or_else(
        || format!("target {}", l.target),
        |s| {
            format!(
                "{} server thread{}, accept {}",
                s.threads,
                if s.threads == 1 { "" } else { "s" },
                format!("{:?}", s.accept).to_lowercase()
            )
        },
    );
    format!(
        "{}: {mode}, {} conns, {} B, {} s (warm-up {} s), {server}, {} client thread{}{}",
        result.backend.as_deref().unwrap_or("load"),
        l.conns,
        l.msg_size,
        l.duration_s,
        l.warmup_s,
        l.client_threads,
        if l.client_threads == 1 { "" } else { "s" },
        skew_text(l),
    )
}

fn latency_row(label: &str, p: &crate::metrics::Percentiles) -> Vec<String> {
    vec![
        label.to_owned(),
        format!("p50 {}", p.p50_us),
        format!("p90 {}", p.p90_us),
        format!("p99 {}", p.p99_us),
        format!("p99.9 {}", p.p999_us),
        format!("p99.99 {}", p.p9999_us),
        format!("max {}", p.max_us),
    ]
}

/// One run as text: connections, throughput, latency, CPU, errors, worker balance.
pub(crate) fn render(result: &RunResult) -> String {
    let l: &LoadResult = &result.load;
    let mut out = title(result) + "\n";
    for warning in limit_notes(l) {
        out.push_str(&format!("  {warning}\n"));
    }
    if l.interrupted {
        out.push_str("  (interrupted: partial results)\n");
    } else if !l.complete {
        out.push_str("  (the run ended early: partial results)\n");
    }
    let mut g = Grid::left_aligned();
    g.row([
        "connections".to_owned(),
        format!(
            "{} established in {:.0} ms, {} failed (connect p50 {} µs, p99 {} µs)",
            l.connect.established,
            l.connect.total_ms,
            l.connect.failed,
            l.connect.latency.p50_us,
            l.connect.latency.p99_us
        ) + &if l.conn_requests.is_some() {
            format!("; {} reconnects", thousands(l.reconnects))
        } else {
            String::new()
        },
    ]);
    g.row([
        "throughput".to_owned(),
        format!(
            "{} req/s, {:.2} MB/s ({} requests in {:.2} s)",
            thousands(l.throughput_rps.round() as u64),
            l.throughput_mb_s,
            thousands(l.requests),
            l.window_s
        ) + &l.skew.as_ref().map_or(String::new(), |skew| {
            format!(
                "; {} of them on hot connections",
                thousands(skew.hot_requests)
            )
        }),
    ]);
    let label = match l.mode {
        Mode::Closed => "latency µs",
        Mode::Open => "latency µs (corrected)",
    };
    let mut lat = Grid::new();
    lat.row(latency_row(label, &l.latency));
    if let Some(u) = &l.latency_uncorrected {
        lat.row(latency_row("latency µs (uncorrected)", u));
    }
    if let Some(lag) = &l.lag {
        let mut row = latency_row("generator lag µs", lag);
        row.drain(2..row.len() - 1);
        row.insert(2, format!("p99 {}", lag.p99_us));
        lat.row(row);
    }
    let mut cpu = Grid::left_aligned();
    if let Some(s) = &result.server {
        cpu.row(["server CPU".to_owned(), server_cpu(result, s)]);
    }
    let mut client = format!("{:.2} µs/request", l.client_cpu_per_request_us);
    if let Some(busy) = l.client_busy {
        let _ = write!(
            client,
            "; client threads busy {:.0}% of the window{}",
            busy * 100.0,
            if l.client_bound {
                " (client-bound)"
            } else {
                ""
            }
        );
    }
    if l.client_spin {
        client.push_str("; client threads spin (--client-spin): idle spinning is not busy");
    }
    cpu.row(["client CPU".to_owned(), client]);
    let mut errors = format!("{}", l.error_total);
    if l.error_total > 0 {
        let e = &l.errors;
        let _ = write!(
            errors,
            " (connect {}, integrity {}, closed {}, reset {}, other {})",
            e.connect, e.integrity, e.closed, e.reset, e.other
        );
        if let Some(first) = &l.first_error {
            let _ = write!(errors, "; first: {first}");
        }
    }
    cpu.row(["errors".to_owned(), errors]);
    out.push_str(&g.render(2));
    out.push_str(&lat.render(2));
    out.push_str(&cpu.render(2));
    if let Some(s) = &result.server {
        out.push_str(&workers(s));
    }
    out
}

/// The warnings a reader must see before the figures: saturated, client-bound.
pub(crate) fn limit_notes(l: &LoadResult) -> Vec<String> {
    let mut notes = Vec::new();
    if l.saturated {
        notes.push(format!(
            "SATURATED: achieved {} of the {} req/s offered ({:.0}%): latency at overload, \
             not comparable",
            thousands(l.throughput_rps.round() as u64),
            thousands(l.rate.unwrap_or(0.0).round() as u64),
            100.0 * l.throughput_rps / l.rate.unwrap_or(f64::NAN)
        ));
    }
    if l.client_bound {
        notes.push(format!(
            "CLIENT-BOUND: the load generator's threads were busy {:.0}% of the window: \
             the throughput measures the generator, not the server",
            l.client_busy.unwrap_or(0.0) * 100.0
        ));
    }
    notes
}

fn server_cpu(result: &RunResult, s: &ServerResult) -> String {
    let mut text = format!("{:.2} µs/echo", s.cpu_per_echo_us);
    if let Some(k) = &result.send_recv {
        let _ = write!(
            text,
            " (kernel: {:.2} µs per blocking send+recv of {} B)",
            k.cpu_per_op_us, k.msg_size
        );
    }
    text
}

fn workers(s: &ServerResult) -> String {
    let hot = s.work_us > 0.0;
    let mut g = Grid::new();
    let mut header = vec!["worker", "accepted", "echoes", "CPU s", "busy %", "polls"];
    if hot {
        header.push("hot");
    }
    g.row(header);
    for w in &s.workers {
        let activity = Activity {
            busy_pct: w.busy_pct,
            polls: w.polls,
        };
        let [busy, polls] = activity::cells(Some(&activity));
        let mut row = vec![
            format!("srv-w{}", w.worker),
            thousands(w.accepted),
            thousands(w.echoes),
            format!("{:.2}", w.cpu_s),
            busy,
            polls,
        ];
        if hot {
            row.push(thousands(w.hot_echoes));
        }
        g.row(row);
    }
    if s.other_echoes > 0 {
        let dash = || "-".to_owned();
        let mut row = vec![
            "other".to_owned(),
            dash(),
            thousands(s.other_echoes),
            dash(),
            dash(),
            dash(),
        ];
        if hot {
            row.push(dash());
        }
        g.row(row);
    }
    let mut out = "  per worker (balance):\n".to_owned();
    out.push_str(&g.render(4));
    if let Some(b) = &s.balance {
        out.push_str(&format!("    busiest/idlest worker: {}\n", b.text()));
    }
    if s.accept_errors > 0 {
        out.push_str(&format!("    accept errors: {}\n", s.accept_errors));
    }
    out
}
