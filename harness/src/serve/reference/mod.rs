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
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

use mio::{Poll, Waker};
use pool_core::{Builder, PoolMetrics};

use super::accept::{listeners, AcceptStrategy};
use super::echo_server::EchoServer;
use super::server::{worker_cpu, ServerConfig, ServerError, WORKER_PREFIX};
use super::stats::{ServerStats, StatsSnapshot};
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
        let mut builder = Builder::new();
        builder
            .pool_size(config.threads)
            .name_prefix(WORKER_PREFIX)
            .pinning(config.pinning.clone());
        // The pool configuration validates the settings, and names and pins the
        // threads exactly as a pool's workers.
        let pool = builder.validated().map_err(ServerError::Build)?;
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
            },
        });
        let (pinned, started) = mpsc::channel();
        let hand_off = config.accept == AcceptStrategy::Single;
        let mut std_listeners = std_listeners.into_iter();
        let mut server = ReferenceServer {
            addr,
            shared: Arc::clone(&shared),
            threads: Vec::new(),
        };
        for (index, poll) in polls.into_iter().enumerate() {
            let listener = std_listeners.next().map(|l| Listener {
                listener: mio::net::TcpListener::from_std(l),
                hand_off,
            });
            let worker = Worker::new(index, poll, listener, Arc::clone(&shared))
                .map_err(ServerError::Start)?;
            let pool = pool.clone();
            let pinned = pinned.clone();
            let spawned = std::thread::Builder::new()
                .name(pool.thread_name(index))
                .spawn(move || {
                    // All or nothing, as a pool starts: a thread that cannot be pinned
                    // where asked does not run.
                    let pin = pool.pin_current_thread(index);
                    let ok = pin.is_ok();
                    let _ = pinned.send(pin);
                    if ok {
                        worker.run();
                    }
                })
                .map_err(ServerError::Start)?;
            server.threads.push(spawned);
        }
        for _ in 0..server.threads.len() {
            match started.recv() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(ServerError::Build(e)),
                Err(_) => {
                    return Err(ServerError::Start(std::io::Error::other(
                        "a reference thread exited before it started",
                    )))
                }
            }
        }
        Ok(server)
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

    /// No pool, so no pool metrics: busy % and polls show as unknown.
    fn metrics(&self) -> PoolMetrics {
        PoolMetrics::default()
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
