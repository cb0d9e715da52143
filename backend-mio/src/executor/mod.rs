//! The single-threaded executor of one worker: task storage, run queue, wakers, the
//! remote inbox, and the cooperative budget.

pub(crate) mod coop;
pub(crate) mod current;
mod inbox;
mod scheduler;
mod waker;

pub(crate) use inbox::Inbox;
pub(crate) use scheduler::Executor;

#[cfg(test)]
mod tests;
