//! [`TokioRemote`]: how other threads reach a [`TokioWorker`](crate::TokioWorker).

use pool_core::{Remote, Task};
use tokio::sync::mpsc::UnboundedSender;

/// A message to a worker.
#[derive(Debug)]
pub(crate) enum Message {
    /// Run this task.
    Run(Task),
    /// Leave the loop, dropping unfinished tasks.
    Stop,
}

/// Sends tasks to one tokio worker over an unbounded channel.
#[derive(Debug, Clone)]
pub struct TokioRemote {
    pub(crate) tx: UnboundedSender<Message>,
}

impl Remote for TokioRemote {
    fn submit(&self, task: Task) -> Result<(), Task> {
        self.tx.send(Message::Run(task)).map_err(|e| match e.0 {
            Message::Run(task) => task,
            Message::Stop => unreachable!("submit only sends Run"),
        })
    }

    fn stop(&self) {
        let _ = self.tx.send(Message::Stop);
    }
}
