//! The reference server: the limit of the epoll model, without a runtime.
//!
//! Each thread runs a `mio::Poll` (epoll, edge-triggered) and echoes its connections
//! inline: no tasks, no wakers, no futures. It reads until a short read (as tokio and
//! our mio backend do, sparing the failing read to `EAGAIN`), writes back, and on a
//! partial write keeps the rest and stops reading until the socket is writable. It
//! accepts as the pools do: one listener handing connections round-robin to the
//! threads (`accept single`), or one `SO_REUSEPORT` listener per thread.
//!
//! It is a reference, not a pool: the harness runs it interleaved with the backends,
//! and reports each backend's CPU per echo above it, measured in the same run.

mod conn;
mod worker;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use mio::{Poll, Waker};

use super::accept::{listeners, AcceptStrategy};
use super::echo_server::EchoServer;
use super::server::{worker_cpu, ServerConfig, ServerError};
use super::stats::{ServerStats, StatsSnapshot};
use super::threads::{self, Started};
use super::work::EchoConfig;
use crate::metrics::CpuTime;
use worker::{Inbox, Listener, Shared, Worker};

/// The report name of the reference server.
pub const REFERENCE_NAME: &str = "epoll-ref";

/// A running reference echo server: `threads` epoll loops.
#[derive(Debug)]
pub struct ReferenceServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl ReferenceServer {
    fn start_threads(config: &ServerConfig) -> Result<ReferenceServer, ServerError> {
        super::workload::check(config)?;
        let std_listeners = listeners(config)?;
        let addr = std_listeners[0].local_addr().map_err(ServerError::Start)?;
        let polls: Vec<Poll> = (0..config.threads)
            .map(|_| Poll::new())
            .collect::<Result<_, _>>()
            .map_err(ServerError::Start)?;
        let inboxes = polls
            .iter()
            .map(|p| {
                Ok(Inbox {
                    queue: Mutex::new(Vec::new()),
                    waker: Waker::new(p.registry(), worker::WAKER)?,
                })
            })
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(ServerError::Start)?;
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            inboxes,
            next: AtomicUsize::new(0),
            stats: Arc::new(ServerStats::new(config.threads)),
            echo: EchoConfig {
                buf_size: config.msg_size.clamp(4096, 64 * 1024),
                msg_size: config.msg_size,
                work: config.work,
                workload: config.workload,
            },
        });
        let hand_off = config.accept == AcceptStrategy::Single;
        let mut std_listeners = std_listeners.into_iter();
        let workers = polls
            .into_iter()
            .enumerate()
            .map(|(index, poll)| {
                let listener = std_listeners.next().map(|l| Listener {
                    listener: mio::net::TcpListener::from_std(l),
                    hand_off,
                });
                Worker::new(index, poll, listener, Arc::clone(&shared))
            })
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(ServerError::Start)?;
        let threads = threads::spawn(
            config,
            workers,
            |worker: Worker, started: Started| {
                started.ok();
                worker.run();
            },
            || shared.stop(),
        )?;
        Ok(ReferenceServer {
            addr,
            shared,
            threads,
        })
    }
}

impl EchoServer for ReferenceServer {
    const NAME: &'static str = REFERENCE_NAME;

    fn start(config: &ServerConfig) -> Result<ReferenceServer, ServerError> {
        ReferenceServer::start_threads(config)
    }

    fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn stats(&self) -> &ServerStats {
        &self.shared.stats
    }

    fn worker_cpu(&self) -> Vec<CpuTime> {
        worker_cpu(self.threads.len())
    }

    fn stop(mut self) -> StatsSnapshot {
        self.halt();
        self.shared.stats.snapshot()
    }
}

impl ReferenceServer {
    fn halt(&mut self) {
        self.shared.stop();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        self.halt();
    }
}
