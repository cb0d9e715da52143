//! Accept strategies: one acceptor handing std sockets to the workers, or one
//! `SO_REUSEPORT` listener per worker.

use std::io;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use pool_core::net::{TcpListener, TcpStream};
use pool_core::{Handle, Runtime};
use serde::{Deserialize, Serialize};

use super::server::{ServerConfig, ServerError};
use super::stats::ServerStats;
use super::work::EchoConfig;
use super::workload::serve_conn;

/// How connections reach the workers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AcceptStrategy {
    /// One acceptor; each std socket goes to the next worker round-robin (the pool's
    /// `spawn`), which registers it with its own reactor. On tokio-mt this is the
    /// natural accept loop plus `tokio::spawn`.
    Single,
    /// One `SO_REUSEPORT` listener per worker; the kernel spreads connections.
    Reuseport,
}

/// Pause after an accept error (EMFILE, ENFILE...) so the loop does not spin. An async
/// sleep on the worker's timers: the other connections of the accepting worker keep
/// being served meanwhile.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(5);

/// What a started acceptor reports back: its listener registered, or why not.
type Ready = mpsc::Sender<io::Result<()>>;

/// Binds the listeners of `config`: one, or one `SO_REUSEPORT` listener per worker.
///
/// # Errors
///
/// [`ServerError::Bind`] if the address cannot be bound.
pub(super) fn listeners(config: &ServerConfig) -> Result<Vec<std::net::TcpListener>, ServerError> {
    let bind_err = |source| ServerError::Bind {
        addr: config.listen,
        source,
    };
    match config.accept {
        AcceptStrategy::Single => Ok(vec![pool_core::net::bind_listener(
            config.listen,
            config.backlog,
        )
        .map_err(bind_err)?]),
        AcceptStrategy::Reuseport => {
            pool_core::net::reuseport_listeners(config.listen, config.threads, config.backlog)
                .map_err(bind_err)
        }
    }
}

/// Starts the acceptors on `pool` and returns once they are listening.
pub(super) fn start<R: Runtime>(
    pool: &R,
    config: &ServerConfig,
    listeners: Vec<std::net::TcpListener>,
    stats: &Arc<ServerStats>,
    buf_size: usize,
) -> io::Result<()> {
    let echo = EchoConfig {
        buf_size,
        msg_size: config.msg_size,
        work: config.work,
        workload: config.workload,
    };
    let (ready, started) = mpsc::channel();
    let count = listeners.len();
    for (worker, listener) in listeners.into_iter().enumerate() {
        let stats = Arc::clone(stats);
        let ready = ready.clone();
        let spawned = match config.accept {
            AcceptStrategy::Single => {
                let handle = pool.handle().clone();
                pool.spawn(accept_single::<R>(listener, handle, stats, echo, ready))
            }
            AcceptStrategy::Reuseport => pool
                .handle()
                .spawn_on(worker, accept_local::<R>(listener, stats, echo, ready)),
        };
        spawned.map_err(io::Error::other)?;
    }
    for _ in 0..count {
        match started.recv_timeout(Duration::from_secs(10)) {
            Ok(result) => result?,
            Err(_) => return Err(io::Error::other("an acceptor did not start within 10 s")),
        }
    }
    Ok(())
}

fn register<R: Runtime>(listener: std::net::TcpListener, ready: Ready) -> Option<R::TcpListener> {
    match R::TcpListener::from_std(listener) {
        Ok(l) => {
            let _ = ready.send(Ok(()));
            Some(l)
        }
        Err(e) => {
            let _ = ready.send(Err(e));
            None
        }
    }
}

/// One acceptor: hands each std socket to the next worker, which registers it there.
async fn accept_single<R: Runtime>(
    listener: std::net::TcpListener,
    handle: R::Handle,
    stats: Arc<ServerStats>,
    config: EchoConfig,
    ready: Ready,
) {
    let Some(listener) = register::<R>(listener, ready) else {
        return;
    };
    loop {
        match listener.accept_std().await {
            Ok((socket, _peer)) => {
                let _ = socket.set_nodelay(true);
                let stats = Arc::clone(&stats);
                let spawned = handle.spawn(async move {
                    match R::TcpStream::from_std(socket) {
                        Ok(stream) => {
                            stats.accepted();
                            let _ = serve_conn(stream, &stats, config).await;
                        }
                        Err(_) => stats.accept_error(),
                    }
                });
                if spawned.is_err() {
                    return; // The pool is shutting down.
                }
            }
            Err(_) => {
                stats.accept_error();
                R::sleep(ACCEPT_ERROR_PAUSE).await;
            }
        }
    }
}

/// One acceptor per worker: connections stay on the worker that accepted them.
async fn accept_local<R: Runtime>(
    listener: std::net::TcpListener,
    stats: Arc<ServerStats>,
    config: EchoConfig,
    ready: Ready,
) {
    let Some(listener) = register::<R>(listener, ready) else {
        return;
    };
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                let _ = stream.set_nodelay(true);
                stats.accepted();
                let stats = Arc::clone(&stats);
                let spawned = R::spawn_child(async move {
                    let _ = serve_conn(stream, &stats, config).await;
                });
                if spawned.is_err() {
                    return;
                }
            }
            Err(_) => {
                stats.accept_error();
                R::sleep(ACCEPT_ERROR_PAUSE).await;
            }
        }
    }
}
