//! The interrupt state of `harness run` and `harness matrix`: SIGINT and SIGTERM are
//! forwarded to the running load child, which stops and reports its partial results.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// The interrupt state of `harness run`: set by SIGINT/SIGTERM, which are forwarded to
/// the running load generator so that it stops and reports its partial results.
#[derive(Clone, Debug, Default)]
pub struct Interrupt {
    raised: Arc<AtomicBool>,
    child: Arc<Mutex<Option<u32>>>,
}

impl Interrupt {
    /// Records the signal and forwards it to the child, if any.
    pub fn raise(&self) {
        self.raised.store(true, Ordering::SeqCst);
        self.forward();
    }

    fn forward(&self) {
        let child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pid) = *child {
            if let Ok(pid) = i32::try_from(pid) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGINT);
            }
        }
    }

    /// Whether a signal arrived.
    pub fn is_raised(&self) -> bool {
        self.raised.load(Ordering::SeqCst)
    }

    /// Sets (or clears) the child to forward signals to; forwards at once if a signal
    /// already arrived.
    pub fn set_child(&self, pid: Option<u32>) {
        *self.child.lock().unwrap_or_else(|e| e.into_inner()) = pid;
        if pid.is_some() && self.is_raised() {
            self.forward();
        }
    }
}
