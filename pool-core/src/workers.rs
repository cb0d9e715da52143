//! Starting and stopping the threads of a per-thread pool: naming, pinning, hooks,
//! all-or-nothing start-up, and joining.

use std::any::TypeId;
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use crate::backend::{Backend, Remote, Worker};
use crate::config::PoolConfig;
use crate::error::BuildError;
use crate::lifecycle::{Lifecycle, Reporter, StartGate};
use crate::pool::Pool;

/// The running threads of a pool and the remotes that reach them.
pub(crate) struct Workers<B: Backend> {
    pub(crate) remotes: Vec<B::Remote>,
    pub(crate) threads: Vec<JoinHandle<()>>,
}

impl<B: Backend> Workers<B> {
    /// Starts `config.pool_size` workers and waits until all are up; on any failure
    /// stops and joins those that started and returns the first error.
    pub(crate) fn start(
        config: &PoolConfig,
        lifecycle: &Arc<Lifecycle>,
    ) -> Result<Self, BuildError> {
        let gate = StartGate::new(config.pool_size);
        let mut threads = Vec::with_capacity(config.pool_size);
        for index in 0..config.pool_size {
            match spawn_worker::<B>(config, lifecycle, &gate, index) {
                Ok(thread) => threads.push(thread),
                Err(e) => {
                    gate.report(index, Err(e));
                    (index + 1..config.pool_size).for_each(|i| gate.skip(i));
                    break;
                }
            }
        }
        match gate.wait() {
            Ok(remotes) => Ok(Workers { remotes, threads }),
            Err((e, started)) => {
                for remote in &started {
                    remote.stop();
                }
                join_all(threads);
                Err(e)
            }
        }
    }
}

fn spawn_worker<B: Backend>(
    config: &PoolConfig,
    lifecycle: &Arc<Lifecycle>,
    gate: &Arc<StartGate<B::Remote>>,
    index: usize,
) -> Result<JoinHandle<()>, BuildError> {
    let context = lifecycle.context(TypeId::of::<Pool<B>>(), Some(index));
    let (config_copy, gate) = (config.clone(), Arc::clone(gate));
    let mut builder = thread::Builder::new().name(config.thread_name(index));
    if let Some(size) = config.stack_size {
        builder = builder.stack_size(size);
    }
    builder
        .spawn(move || {
            let reporter = gate.reporter(index);
            drop(gate);
            worker_main::<B>(config_copy, index, context, reporter);
        })
        .map_err(|source| BuildError::SpawnThread {
            worker: index,
            source,
        })
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
    context: crate::context::WorkerContext,
    reporter: Reporter<B::Remote>,
) {
    if let Err(e) = config.pin_current_thread(index) {
        return reporter.report(Err(e));
    }
    let worker = match B::new_worker(index, &config) {
        Ok(worker) => worker,
        Err(source) => {
            return reporter.report(Err(BuildError::Runtime {
                worker: index,
                source,
            }));
        }
    };
    let _counters = context.lifecycle.enter_worker(index);
    let _context = context.enter();
    if let Err(e) = config.run_after_start(index) {
        return reporter.report(Err(e));
    }
    reporter.report(Ok(worker.remote()));
    worker.run();
    if let Err(e) = config.run_before_stop(index) {
        eprintln!("iopool: {e}");
    }
}
