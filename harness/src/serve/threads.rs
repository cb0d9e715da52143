//! The threads of a runtime-free reference server: one per worker, named and pinned as
//! a pool's workers are, started all or nothing.

use std::sync::mpsc;
use std::thread::JoinHandle;

use pool_core::backend::PoolConfig;
use pool_core::Builder;

use super::server::{ServerConfig, ServerError, WORKER_PREFIX};

/// How a worker thread tells [`spawn`] whether it runs.
#[derive(Debug)]
pub(super) struct Started(mpsc::Sender<Result<(), ServerError>>);

impl Started {
    /// The worker runs (call it before its loop).
    pub(super) fn ok(self) {
        let _ = self.0.send(Ok(()));
    }

    /// The worker could not start, for `why` (then it returns).
    pub(super) fn failed(self, why: ServerError) {
        let _ = self.0.send(Err(why));
    }
}

/// Spawns a thread per worker of `workers`, named `srv-w{i}` and pinned as `config`
/// says, each running `run(worker, started)` once pinned; returns once every one has
/// reported through its [`Started`]. If one fails, `stop` is called, every thread
/// joined, and the first error returned: no thread is left running.
///
/// # Errors
///
/// [`ServerError::Build`] for a bad configuration or a thread that cannot be pinned;
/// [`ServerError::Start`] for a thread that cannot be spawned, or whatever a worker
/// reported.
pub(super) fn spawn<W, R>(
    config: &ServerConfig,
    workers: Vec<W>,
    run: R,
    stop: impl FnOnce(),
) -> Result<Vec<JoinHandle<()>>, ServerError>
where
    W: Send + 'static,
    R: Fn(W, Started) + Send + Clone + 'static,
{
    let mut builder = Builder::new();
    builder
        .pool_size(config.threads)
        .name_prefix(WORKER_PREFIX)
        .pinning(config.pinning.clone());
    // The pool configuration validates the settings, and names and pins the threads
    // exactly as a pool's workers.
    let pool = PoolConfig::from_builder(&builder);
    pool.validate().map_err(ServerError::Build)?;
    let (report, started) = mpsc::channel();
    let mut threads = Vec::new();
    let mut first_error = None;
    for (index, worker) in workers.into_iter().enumerate() {
        let pool = pool.clone();
        let report = Started(report.clone());
        let run = run.clone();
        let spawned = std::thread::Builder::new()
            .name(pool.thread_name(index))
            .spawn(move || match pool.pin_current_thread(index) {
                Ok(()) => run(worker, report),
                Err(e) => report.failed(ServerError::Build(e)),
            });
        match spawned {
            Ok(t) => threads.push(t),
            Err(e) => {
                first_error = Some(ServerError::Start(e));
                break;
            }
        }
    }
    drop(report);
    for _ in 0..threads.len() {
        match started.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(_) => {
                first_error.get_or_insert(ServerError::Start(std::io::Error::other(
                    "a server thread exited before it started",
                )));
            }
        }
    }
    match first_error {
        None => Ok(threads),
        Some(e) => {
            stop();
            for t in threads {
                let _ = t.join();
            }
            Err(e)
        }
    }
}
