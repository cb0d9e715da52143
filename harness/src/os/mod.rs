//! The operating-system plumbing of the subcommands: signals, the open-file limit, CPU
//! pinning, the load child process and read-only git.

pub mod child;
pub(crate) mod git;
mod interrupt;
mod limits;
pub mod pinning;
mod signals;

pub use interrupt::Interrupt;
pub use limits::{check_fds, raise_nofile, FdLimitError, NofileLimit, FD_HEADROOM};
pub use signals::on_signal;
