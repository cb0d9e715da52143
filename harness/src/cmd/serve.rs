//! `harness serve`: only the echo server, until SIGINT or SIGTERM.

use std::io::Write;
use std::sync::mpsc;
use std::time::Instant;

use anyhow::Context;
use pool_core::Pinning;

use super::Outcome;
use crate::backend::WithServer;
use crate::metrics::{activity, CpuTime};
use crate::os::{on_signal, raise_nofile};
use crate::plan::ServePlan;
use crate::report::Grid;
use crate::serve::{worker_cpu_clocks, EchoServer, ServerConfig};

pub(super) fn serve(args: ServePlan) -> anyhow::Result<Outcome> {
    raise_nofile();
    let (tx, stop) = mpsc::channel();
    on_signal(move || {
        let _ = tx.send(());
    })
    .context("cannot install the SIGINT/SIGTERM handlers")?;
    args.backend.serve(Serve { args: &args, stop })
}

struct Serve<'a> {
    args: &'a ServePlan,
    stop: mpsc::Receiver<()>,
}

impl WithServer for Serve<'_> {
    type Output = anyhow::Result<Outcome>;

    fn run<S: EchoServer>(self) -> anyhow::Result<Outcome> {
        let a = self.args;
        let threads = a.server.threads;
        let pinning = if a.pin {
            Pinning::Spread
        } else {
            Pinning::None
        };
        let server = S::start(&ServerConfig {
            park: a.park.policy(),
            ..a.server.config(a.msg_size, pinning)
        })?;
        let cpu0 = CpuTime::process();
        let clocks0 = worker_cpu_clocks(threads);
        let metrics0 = server.metrics();
        let started = Instant::now();
        {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "listening on {} ({}, {threads} workers, accept {:?}); stop with Ctrl-C",
                server.addr(),
                S::NAME,
                a.server.accept
            )?;
            out.flush()?;
        }
        let _ = self.stop.recv();
        let cpu = CpuTime::process() - cpu0;
        let window = started.elapsed();
        let activity = activity::between(&metrics0, &server.metrics(), window);
        let workers_cpu = server.worker_cpu();
        let clocks = worker_cpu_clocks(threads);
        let stats = server.stop();

        let msg = a.msg_size as u64;
        let echoes = stats.total_bytes() / msg;
        let per_echo = if echoes > 0 {
            cpu.total_s() * 1e6 / echoes as f64
        } else {
            0.0
        };
        println!(
            "served {} s: {echoes} echoes of {} B, server CPU {:.2} s (user {:.2}, sys {:.2})",
            started.elapsed().as_secs(),
            a.msg_size,
            cpu.total_s(),
            cpu.user_s,
            cpu.sys_s
        );
        println!("server CPU per echo: {per_echo:.2} µs");
        let mut g = Grid::new();
        g.row([
            "worker", "accepted", "echoes", "CPU s", "CPU %", "busy %", "polls",
        ]);
        for (i, w) in stats.workers.iter().enumerate() {
            let [_, polls] = activity::cells(activity.get(i));
            // One decimal, to compare the pool's busy time with the thread's CPU.
            let busy = activity
                .get(i)
                .and_then(|a| a.busy_pct)
                .map_or("-".to_owned(), |b| format!("{b:.1}"));
            let thread_cpu = workers_cpu.get(i).copied().unwrap_or_default();
            let window_cpu = match (clocks.get(i), clocks0.get(i)) {
                (Some(end), Some(start)) => end.saturating_sub(*start),
                _ => Default::default(),
            };
            g.row([
                format!("srv-w{}", i + 1),
                w.accepted.to_string(),
                (w.bytes / msg).to_string(),
                format!("{:.2}", thread_cpu.total_s()),
                format!(
                    "{:.1}",
                    100.0 * window_cpu.as_secs_f64() / window.as_secs_f64()
                ),
                busy,
                polls,
            ]);
        }
        println!(
            "per worker (balance; CPU % is the thread's CPU time, busy % the pool's own \
             busy time, both over the {:.1} s served):",
            window.as_secs_f64()
        );
        print!("{}", g.render(2));
        println!("accept errors: {}", stats.accept_errors);
        Ok(Outcome::Clean)
    }
}
