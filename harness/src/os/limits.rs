//! The open-file limit: raised to the hard limit at start, checked against `--conns`.

use nix::sys::resource::{getrlimit, setrlimit, Resource};

/// Descriptors a process needs besides one per connection (listeners, pipes, epoll,
/// eventfds, timers, std streams...).
pub const FD_HEADROOM: u64 = 128;

/// `RLIMIT_NOFILE` after raising it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NofileLimit {
    /// The soft limit in force.
    pub soft: u64,
    /// The hard limit.
    pub hard: u64,
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit, and returns the limits in force.
pub fn raise_nofile() -> NofileLimit {
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) => {
            if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
                NofileLimit { soft: hard, hard }
            } else {
                NofileLimit { soft, hard }
            }
        }
        Err(_) => NofileLimit {
            soft: u64::MAX,
            hard: u64::MAX,
        },
    }
}

/// The connections cannot fit under the open-file limit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "--conns {conns} needs about {needed} open files in the {process} process, but \
     RLIMIT_NOFILE allows {} (hard limit {}). Lower --conns, or raise the limit: `ulimit -n N` \
     in the shell raises it up to the hard limit; the hard limit itself is set in \
     /etc/security/limits.conf, by systemd's LimitNOFILE=, or by `ulimit -Hn` as root",
    limit.soft,
    limit.hard
)]
pub struct FdLimitError {
    /// Connections asked for.
    pub conns: u64,
    /// Descriptors needed in the process.
    pub needed: u64,
    /// Which process: "server" or "load generator".
    pub process: &'static str,
    /// The limit.
    pub limit: NofileLimit,
}

/// Checks that `conns` sockets (plus [`FD_HEADROOM`]) fit under `limit`.
///
/// ```
/// use harness::os::{check_fds, NofileLimit};
/// let limit = NofileLimit { soft: 1024, hard: 4096 };
/// assert!(check_fds(500, "server", limit).is_ok());
/// assert!(check_fds(5000, "server", limit).is_err());
/// ```
///
/// # Errors
///
/// [`FdLimitError`], whose message names the limit and how to raise it.
pub fn check_fds(
    conns: u64,
    process: &'static str,
    limit: NofileLimit,
) -> Result<(), FdLimitError> {
    let needed = conns + FD_HEADROOM;
    if needed > limit.soft {
        return Err(FdLimitError {
            conns,
            needed,
            process,
            limit,
        });
    }
    Ok(())
}
