//! The protocol between `harness run` and its load child (`crate::os::child`): one
//! JSON object per line on the child's stdout.

use serde::{Deserialize, Serialize};

use crate::result::LoadResult;

/// One line of the child's stdout.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Connecting finished.
    Connected {
        /// Connections established.
        established: u64,
        /// Connections that failed.
        failed: u64,
        /// Time to establish them all, in milliseconds.
        elapsed_ms: f64,
    },
    /// The warm-up ended; the measured window starts now.
    Measuring,
    /// The measured window ended (or was cut short).
    WindowEnd,
    /// The final (possibly partial) result.
    Result {
        /// The result.
        result: Box<LoadResult>,
    },
}

impl Event {
    /// The event as one line of JSON.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| format!("{{\"event\":\"error\",\"message\":\"{e}\"}}"))
    }
}
