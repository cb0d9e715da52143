//! The pool backends, and running code on one chosen at run time.

use std::fmt;

use pool_core::Runtime;

/// A backend the harness knows, by its report name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BackendKind {
    /// tokio's multi-thread work-stealing runtime: the baseline every ratio is against.
    TokioMt,
    /// A pool of tokio current-thread runtimes, one reactor per worker.
    Tokio,
    /// Our own per-thread executor and mio reactor, one per worker.
    Mio,
    /// The same executor on one io_uring per worker (completion-based I/O). Skipped,
    /// with a note, by `all` and the matrix where io_uring is unavailable.
    Uring,
}

/// Code that runs on one backend, chosen at run time: implement it for a struct that
/// holds the arguments, and call [`BackendKind::with`].
pub trait WithBackend {
    /// What the code returns.
    type Output;

    /// Runs the code on backend `R`.
    fn run<R: Runtime>(self) -> Self::Output;
}

impl BackendKind {
    /// The baseline every ratio is computed against.
    pub const BASELINE: BackendKind = BackendKind::TokioMt;

    /// Every backend, baseline first, in the order `--backend all` interleaves them.
    pub fn all() -> &'static [BackendKind] {
        &[
            BackendKind::TokioMt,
            BackendKind::Tokio,
            BackendKind::Mio,
            BackendKind::Uring,
        ]
    }

    /// Runs `code` with this backend's runtime type.
    pub fn with<W: WithBackend>(self, code: W) -> W::Output {
        match self {
            BackendKind::TokioMt => code.run::<backend_tokio::TokioMultiThread>(),
            BackendKind::Tokio => code.run::<backend_tokio::TokioPool>(),
            BackendKind::Mio => code.run::<backend_mio::MioPool>(),
            BackendKind::Uring => code.run::<backend_uring::UringPool>(),
        }
    }

    /// Why this backend cannot run on this machine, or `None` if it can (only `uring`
    /// may not: io_uring missing, disabled or refused).
    pub fn unavailable(self) -> Option<String> {
        match self {
            BackendKind::Uring => backend_uring::features().err(),
            _ => None,
        }
    }

    /// The runtime's report name ([`Runtime::NAME`]), which is also the CLI name.
    pub fn name(self) -> &'static str {
        struct Name;
        impl WithBackend for Name {
            type Output = &'static str;
            fn run<R: Runtime>(self) -> &'static str {
                R::NAME
            }
        }
        self.with(Name)
    }

    /// Whether this backend's pool places connections by a policy
    /// ([`CHILD_AFFINITY`](pool_core::backend::RuntimeImpl::CHILD_AFFINITY)); tokio-mt's
    /// scheduler decides for itself.
    pub fn places(self) -> bool {
        struct Places;
        impl WithBackend for Places {
            type Output = bool;
            fn run<R: Runtime>(self) -> bool {
                R::CHILD_AFFINITY
            }
        }
        self.with(Places)
    }

    /// Whether this backend's workers can run under `park`
    /// ([`supports_park`](pool_core::backend::RuntimeImpl::supports_park)).
    pub fn supports_park(self, park: &pool_core::ParkPolicy) -> bool {
        struct Supports<'a>(&'a pool_core::ParkPolicy);
        impl WithBackend for Supports<'_> {
            type Output = bool;
            fn run<R: Runtime>(self) -> bool {
                R::supports_park(self.0)
            }
        }
        self.with(Supports(park))
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_comes_first() {
        assert_eq!(BackendKind::all()[0], BackendKind::BASELINE);
        assert_eq!(BackendKind::BASELINE.name(), "tokio-mt");
    }
}
