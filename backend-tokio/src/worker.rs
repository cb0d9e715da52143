//! [`TokioWorker`]: one current-thread tokio runtime and its local task set.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use pool_core::backend::{BusyClock, Worker, WorkerCounters};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::LocalSet;

use crate::handle::{Message, TokioRemote};

/// The event loop of one [`TokioPool`](crate::TokioPool) worker.
#[derive(Debug)]
pub struct TokioWorker {
    runtime: Runtime,
    tx: UnboundedSender<Message>,
    rx: UnboundedReceiver<Message>,
    queued: Arc<AtomicU64>,
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
        let (tx, rx) = mpsc::unbounded_channel();
        Ok(TokioWorker {
            runtime,
            tx,
            rx,
            queued: Arc::default(),
            busy,
        })
    }
}

impl Worker for TokioWorker {
    type Remote = TokioRemote;

    fn remote(&self) -> TokioRemote {
        TokioRemote {
            tx: self.tx.clone(),
            runtime: self.runtime.handle().clone(),
            queued: Arc::clone(&self.queued),
            busy: Arc::clone(&self.busy),
        }
    }

    fn run(self) {
        let TokioWorker {
            runtime,
            tx,
            mut rx,
            queued,
            busy: _,
        } = self;
        // Only remotes keep the channel open from now on.
        drop(tx);
        let local = LocalSet::new();
        // Tasks spawned through the remote run on the runtime's own queue, outside the
        // `LocalSet`'s polls: entering it for the whole loop makes their children's
        // `spawn_local` land here too.
        let entered = local.enter();
        local.block_on(&runtime, async {
            while let Some(Message::Run(task)) = rx.recv().await {
                queued.fetch_sub(1, Ordering::Relaxed);
                drop(tokio::task::spawn_local(task.into_future()));
            }
        });
        // Refuse spawns from now on, so a racing submit gets its task back (an error)
        // instead of queueing behind the stop.
        rx.close();
        drop(entered);
        // Drop unfinished tasks here, where their I/O resources can still reach the
        // runtime, and before the before_stop hook runs.
        let _enter = runtime.enter();
        drop(local);
        drop(rx);
    }
}
