//! [`UringReferenceServer`]: the io_uring reference echo loop (the `uring-ref` crate)
//! as an [`EchoServer`]: the limit of the io_uring model, run interleaved with the
//! backends as `epoll-ref` is for the epoll model.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use uring_ref::{Counters, Group, Setup, Worker};

use super::accept::{listeners, AcceptStrategy};
use super::echo_server::EchoServer;
use super::server::{worker_cpu, ServerConfig, ServerError};
use super::stats::{ServerStats, StatsSnapshot};
use super::threads::{self, Started};
use super::workload::Responder;
use crate::metrics::CpuTime;

/// The report name of the io_uring reference server.
pub const URING_REFERENCE_NAME: &str = uring_ref::NAME;

impl Counters for ServerStats {
    fn accepted(&self) {
        ServerStats::accepted(self);
    }

    fn echoed(&self, bytes: usize) {
        ServerStats::echoed(self, bytes);
    }

    fn accept_error(&self) {
        ServerStats::accept_error(self);
    }
}

/// A connection's [`Responder`], counting its requests on the worker's slot.
#[derive(Debug)]
struct Counted {
    responder: Responder,
    stats: Arc<ServerStats>,
    msg_size: usize,
}

impl uring_ref::Respond for Counted {
    fn respond(&mut self, input: &[u8], out: &mut Vec<u8>) -> bool {
        self.responder
            .respond(input, out, &self.stats, self.msg_size)
    }
}

/// A running io_uring reference server: one io_uring loop per thread.
#[derive(Debug)]
pub struct UringReferenceServer {
    addr: SocketAddr,
    group: Arc<Group>,
    stats: Arc<ServerStats>,
    threads: Vec<JoinHandle<()>>,
}

impl UringReferenceServer {
    /// Whether io_uring is usable here, and with which setup
    /// ([`uring_ref::probe`]).
    ///
    /// # Errors
    ///
    /// Why it is not (no io_uring in the kernel, disabled by sysctl, refused by
    /// seccomp, or disabled for a test).
    pub fn probe() -> std::io::Result<Setup> {
        uring_ref::probe()
    }

    fn halt(&mut self) {
        self.group.stop();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl EchoServer for UringReferenceServer {
    const NAME: &'static str = URING_REFERENCE_NAME;

    fn start(config: &ServerConfig) -> Result<UringReferenceServer, ServerError> {
        if !config.work.is_zero() {
            return Err(ServerError::Unavailable(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "the io_uring reference does not run the skewed load (--work-us)",
            )));
        }
        super::workload::check(config)?;
        let std_listeners = listeners(config)?;
        let addr = std_listeners[0].local_addr().map_err(ServerError::Start)?;
        let buf_size = config.msg_size.clamp(4096, 64 * 1024);
        let stats = Arc::new(ServerStats::new(config.threads));
        let mut group = Group::new(config.threads, buf_size).map_err(ServerError::Start)?;
        if let Some(template) = Responder::new(config.workload) {
            let (stats, msg_size) = (Arc::clone(&stats), config.msg_size);
            group = group.respond_with(Arc::new(move || {
                Box::new(Counted {
                    responder: template.renew(),
                    stats: Arc::clone(&stats),
                    msg_size,
                })
            }));
        }
        let group = Arc::new(group);
        let hand_off = config.accept == AcceptStrategy::Single;
        let mut std_listeners = std_listeners.into_iter();
        let workers: Vec<Worker> = (0..config.threads)
            .map(|index| {
                let listener = std_listeners.next().map(|l| (l, hand_off));
                Worker::new(index, listener, Arc::clone(&group))
            })
            .collect();
        let counters = Arc::clone(&stats);
        let threads = threads::spawn(
            config,
            workers,
            move |worker: Worker, started: Started| {
                worker.run(&*counters, |setup| match setup {
                    Ok(_) => started.ok(),
                    Err(e) => started.failed(ServerError::Unavailable(e)),
                });
            },
            || group.stop(),
        )?;
        Ok(UringReferenceServer {
            addr,
            group,
            stats,
            threads,
        })
    }

    fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn stats(&self) -> &ServerStats {
        &self.stats
    }

    fn worker_cpu(&self) -> Vec<CpuTime> {
        worker_cpu(self.threads.len())
    }

    fn stop(mut self) -> StatsSnapshot {
        self.halt();
        self.stats.snapshot()
    }
}

impl Drop for UringReferenceServer {
    fn drop(&mut self) {
        self.halt();
    }
}
