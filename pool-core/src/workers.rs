//! Starting and stopping the threads of a per-thread pool: naming, pinning, hooks,
//! all-or-nothing start-up, and joining.

use std::any::TypeId;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use crate::backend::{Backend, Remote, Worker};
use crate::config::PoolConfig;
use crate::context::{PoolId, WorkerContext};
use crate::error::BuildError;
use crate::pool::Pool;
use crate::task::TaskTracker;

/// The running threads of a pool and the remotes that reach them.
pub(crate) struct Workers<B: Backend> {
    remotes: Vec<B::Remote>,
    threads: Vec<JoinHandle<()>>,
}

impl<B: Backend> Workers<B> {
    /// Starts `config.pool_size` workers, one at a time; on any failure stops and joins
    /// those already started and returns the error.
    pub(crate) fn start(
        config: &PoolConfig,
        pool: PoolId,
        tracker: &Arc<TaskTracker>,
    ) -> Result<Self, BuildError> {
        let mut workers = Workers {
            remotes: Vec::with_capacity(config.pool_size),
            threads: Vec::with_capacity(config.pool_size),
        };
        for index in 0..config.pool_size {
            if let Err(e) = workers.start_one(config, pool, tracker, index) {
                workers.stop_and_join();
                return Err(e);
            }
        }
        Ok(workers)
    }

    fn start_one(
        &mut self,
        config: &PoolConfig,
        pool: PoolId,
        tracker: &Arc<TaskTracker>,
        index: usize,
    ) -> Result<(), BuildError> {
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        let context = WorkerContext {
            pool,
            runtime: TypeId::of::<Pool<B>>(),
            index: Some(index),
            tracker: Arc::clone(tracker),
        };
        let thread_config = config.clone();
        let mut builder = thread::Builder::new().name(config.thread_name(index));
        if let Some(size) = config.stack_size {
            builder = builder.stack_size(size);
        }
        let thread = builder
            .spawn(move || worker_main::<B>(thread_config, index, context, ready_tx))
            .map_err(|source| BuildError::SpawnThread {
                worker: index,
                source,
            })?;
        let outcome = ready_rx
            .recv()
            .unwrap_or(Err(BuildError::WorkerExited { worker: index }));
        match outcome {
            Ok(remote) => {
                self.remotes.push(remote);
                self.threads.push(thread);
                Ok(())
            }
            Err(e) => {
                let _ = thread.join();
                Err(e)
            }
        }
    }

    /// The remotes and the threads, for the pool to own.
    pub(crate) fn into_parts(self) -> (Vec<B::Remote>, Vec<JoinHandle<()>>) {
        (self.remotes, self.threads)
    }

    fn stop_and_join(&mut self) {
        for remote in &self.remotes {
            remote.stop();
        }
        join_all(self.threads.drain(..));
    }
}

/// Joins worker threads, except the calling thread's own (a pool dropped on one of its
/// workers): that one ends by itself once its loop sees the stop.
pub(crate) fn join_all(threads: impl IntoIterator<Item = JoinHandle<()>>) {
    let me = thread::current().id();
    for thread in threads {
        if thread.thread().id() != me {
            // A worker thread only panics through a backend bug; the panic message has
            // already been printed, and re-raising it here could double-panic in Drop.
            let _ = thread.join();
        }
    }
}

fn worker_main<B: Backend>(
    config: PoolConfig,
    index: usize,
    context: WorkerContext,
    ready: mpsc::SyncSender<Result<B::Remote, BuildError>>,
) {
    if let Err(e) = config.pin_current_thread(index) {
        let _ = ready.send(Err(e));
        return;
    }
    let worker = match B::new_worker(index) {
        Ok(worker) => worker,
        Err(source) => {
            let _ = ready.send(Err(BuildError::Runtime {
                worker: index,
                source,
            }));
            return;
        }
    };
    let _context = context.enter();
    if let Err(e) = config.run_after_start(index) {
        let _ = ready.send(Err(e));
        return;
    }
    if ready.send(Ok(worker.remote())).is_err() {
        return;
    }
    worker.run();
    if let Err(e) = config.run_before_stop(index) {
        eprintln!("iopool: {e}");
    }
}
