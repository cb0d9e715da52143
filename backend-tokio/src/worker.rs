//! [`TokioWorker`]: one current-thread tokio runtime and its local task set.

use std::io;
use std::sync::Arc;

use pool_core::backend::{BusyClock, Worker, WorkerCounters};
use pool_exec::{ExecRemote, Inbox, WorkerStats};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::Notify;
use tokio::task::LocalSet;

use crate::driver::{self, NotifyDriver};
use crate::handle::TokioRemote;

/// The event loop of one [`TokioPool`](crate::TokioPool) worker.
#[derive(Debug)]
pub struct TokioWorker {
    runtime: Runtime,
    inbox: Arc<Inbox>,
    notify: Arc<Notify>,
    busy: Arc<BusyClock>,
}

impl TokioWorker {
    pub(crate) fn new() -> io::Result<Self> {
        // Made on the worker thread, whose CPU time it reads.
        let busy = Arc::new(BusyClock::new());
        // The park hooks measure busy time, and feed pool-core's recent busy figure
        // (PowerOfTwoChoices; that part returns at once when the pool does not place
        // by it).
        let runtime = Builder::new_current_thread()
            .enable_all()
            .on_thread_park({
                let busy = Arc::clone(&busy);
                move || {
                    WorkerCounters::parking();
                    busy.parking();
                }
            })
            .on_thread_unpark({
                let busy = Arc::clone(&busy);
                move || {
                    busy.unparked();
                    WorkerCounters::unparked();
                }
            })
            .build()?;
        let notify = Arc::new(Notify::new());
        let inbox = Inbox::new(Box::new(NotifyDriver(Arc::clone(&notify))));
        Ok(TokioWorker {
            runtime,
            inbox,
            notify,
            busy,
        })
    }
}

impl Worker for TokioWorker {
    type Remote = TokioRemote;

    fn remote(&self) -> TokioRemote {
        // The executor's own stats are unused: the metrics come from the park hooks.
        let stats = Arc::new(WorkerStats::new());
        TokioRemote {
            exec: ExecRemote::new(Arc::clone(&self.inbox), stats),
            inbox: Arc::clone(&self.inbox),
            busy: Arc::clone(&self.busy),
        }
    }

    fn run(self) {
        let TokioWorker {
            runtime,
            inbox,
            notify,
            busy: _,
        } = self;
        let local = LocalSet::new();
        // Entered for the whole loop, so that `spawn_local` (and children) from the
        // executor's tasks and from the LocalSet's land here.
        let entered = local.enter();
        // The executor's loop drops its own tasks once stopped, inside the runtime.
        local.block_on(&runtime, driver::run(inbox, notify));
        drop(entered);
        // Drop unfinished tasks here, where their I/O resources can still reach the
        // runtime, and before the before_stop hook runs.
        let _enter = runtime.enter();
        drop(local);
    }
}
