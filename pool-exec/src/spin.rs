//! Spinning before parking ([`ParkPolicy::Spin`], [`ParkPolicy::Never`]): the loop both
//! hand-built backends run instead of blocking in their reactor, written once. A
//! backend supplies only its non-blocking reactor poll.

use std::time::Instant;

use pool_core::ParkPolicy;

use crate::Inbox;

/// While spinning, a worker yields its CPU to other threads once every this many
/// non-blocking polls (each about a microsecond), so that a spinning worker sharing a
/// CPU never starves the threads it shares it with.
pub const YIELD_EVERY: u32 = 16;

/// What one non-blocking poll of a worker's reactor found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polled {
    /// Work to do: an event, or a completion that woke a task.
    Work,
    /// Nothing yet.
    Nothing,
    /// The reactor failed: stop spinning (the caller parks, and meets the error there).
    Failed,
}

/// Spins as `policy` allows: calls `poll` (a non-blocking poll of the reactor) and
/// watches `inbox`, until there is work (what `poll` found, a queued spawn or wake, a
/// stop, or `deadline`, the next timer, passed): then `true`. `false` if the spin
/// window ended first, `poll` failed, or the policy does not spin: the caller parks.
///
/// Between two polls it gives the CPU the spin hint, and every [`YIELD_EVERY`] polls
/// yields it to the OS scheduler.
pub fn spin(
    policy: &ParkPolicy,
    inbox: &Inbox,
    deadline: Option<Instant>,
    mut poll: impl FnMut() -> Polled,
) -> bool {
    let window = match policy {
        ParkPolicy::Spin(window) => Some(*window),
        ParkPolicy::Never => None,
        _ => return false,
    };
    let start = Instant::now();
    let mut round: u32 = 0;
    loop {
        if inbox.has_queued() || inbox.is_stopping() {
            return true;
        }
        match poll() {
            Polled::Work => return true,
            Polled::Failed => return false,
            Polled::Nothing => {}
        }
        let now = Instant::now();
        if deadline.is_some_and(|due| now >= due) {
            return true;
        }
        if window.is_some_and(|window| now - start >= window) {
            return false;
        }
        round = round.wrapping_add(1);
        if round.is_multiple_of(YIELD_EVERY) {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}
