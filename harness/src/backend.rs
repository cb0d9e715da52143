//! The backends the harness can measure, and the one `match` that turns a
//! [`BackendKind`] into a [`Runtime`] type, and a [`ServerKind`] into an
//! [`EchoServer`] type.
//!
//! Adding a backend is one variant here and one arm in [`BackendKind::with`].

use std::fmt;
use std::sync::OnceLock;

use clap::builder::PossibleValue;
use clap::ValueEnum;
use pool_core::Runtime;

use crate::serve::{EchoServer, ReferenceServer, Server, REFERENCE_NAME};

/// A backend the harness knows, by its report name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub enum BackendKind {
    /// tokio's multi-thread work-stealing runtime: the baseline every ratio is against.
    #[value(name = "tokio-mt")]
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
        BackendKind::value_variants()
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

    /// The backend whose report name is `name`.
    pub fn from_name(name: &str) -> Option<BackendKind> {
        BackendKind::all()
            .iter()
            .copied()
            .find(|k| k.name() == name)
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What serves echo in a run: a pool backend, or the runtime-free reference loop.
///
/// The reference ([`ReferenceServer`], `epoll-ref`) is not a pool: it is the limit of
/// the epoll model, run interleaved with the backends so that each backend's CPU per
/// echo can be read as the cost above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServerKind {
    /// A pool backend's echo server.
    Pool(BackendKind),
    /// The reference: per-thread epoll loops, no runtime.
    Reference,
}

/// Code that runs against one echo server type, chosen at run time: implement it for a
/// struct that holds the arguments, and call [`ServerKind::serve`].
pub trait WithServer {
    /// What the code returns.
    type Output;

    /// Runs the code with server type `S`.
    fn run<S: EchoServer>(self) -> Self::Output;
}

impl ServerKind {
    /// The baseline every ratio is computed against.
    pub const BASELINE: ServerKind = ServerKind::Pool(BackendKind::BASELINE);

    /// Every pool backend (baseline first), then the reference: the order `--backend
    /// all` and the matrix interleave them in.
    pub fn all() -> &'static [ServerKind] {
        static ALL: OnceLock<Vec<ServerKind>> = OnceLock::new();
        ALL.get_or_init(|| {
            let mut all: Vec<ServerKind> = BackendKind::all()
                .iter()
                .map(|&k| ServerKind::Pool(k))
                .collect();
            all.push(ServerKind::Reference);
            all
        })
    }

    /// Runs `code` with this kind's echo server type.
    pub fn serve<W: WithServer>(self, code: W) -> W::Output {
        /// A pool backend's runtime type, to its [`Server`].
        struct OnPool<W>(W);
        impl<W: WithServer> WithBackend for OnPool<W> {
            type Output = W::Output;
            fn run<R: Runtime>(self) -> W::Output {
                self.0.run::<Server<R>>()
            }
        }
        match self {
            ServerKind::Pool(kind) => kind.with(OnPool(code)),
            ServerKind::Reference => code.run::<ReferenceServer>(),
        }
    }

    /// The report name ([`EchoServer::NAME`]), which is also the CLI name.
    pub fn name(self) -> &'static str {
        struct Name;
        impl WithServer for Name {
            type Output = &'static str;
            fn run<S: EchoServer>(self) -> &'static str {
                S::NAME
            }
        }
        self.serve(Name)
    }

    /// The server kind whose report name is `name`.
    pub fn from_name(name: &str) -> Option<ServerKind> {
        ServerKind::all().iter().copied().find(|k| k.name() == name)
    }

    /// Why this server cannot run on this machine, or `None` if it can.
    pub fn unavailable(self) -> Option<String> {
        match self {
            ServerKind::Pool(kind) => kind.unavailable(),
            ServerKind::Reference => None,
        }
    }

    /// `kinds` without the servers this machine cannot run, each skipped with a
    /// one-line note on stderr: how `--backend all` and the matrix leave out `uring`
    /// where io_uring is unavailable. (Asked for alone, such a backend fails instead.)
    pub fn skip_unavailable(kinds: &[ServerKind]) -> Vec<ServerKind> {
        kinds
            .iter()
            .copied()
            .filter(|kind| match kind.unavailable() {
                Some(why) => {
                    eprintln!("note: skipping {kind}: {why}");
                    false
                }
                None => true,
            })
            .collect()
    }

    /// Whether this is the reference rather than a pool.
    pub fn is_reference(self) -> bool {
        self == ServerKind::Reference
    }

    /// Whether `name` is the reference's report name.
    pub fn is_reference_name(name: &str) -> bool {
        name == REFERENCE_NAME
    }
}

impl From<BackendKind> for ServerKind {
    fn from(kind: BackendKind) -> ServerKind {
        ServerKind::Pool(kind)
    }
}

impl fmt::Display for ServerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl ValueEnum for ServerKind {
    fn value_variants<'a>() -> &'a [ServerKind] {
        ServerKind::all()
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            ServerKind::Pool(kind) => kind.to_possible_value(),
            ServerKind::Reference => Some(
                PossibleValue::new(REFERENCE_NAME)
                    .help("The reference, not a pool: per-thread epoll loops without a runtime"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_names_are_runtime_names() {
        for kind in BackendKind::all() {
            let value = kind.to_possible_value().unwrap();
            assert_eq!(value.get_name(), kind.name());
        }
        assert_eq!(BackendKind::all()[0], BackendKind::BASELINE);
    }

    #[test]
    fn server_kinds_end_with_the_reference() {
        let all = ServerKind::all();
        assert_eq!(all[0], ServerKind::BASELINE);
        assert_eq!(all.last(), Some(&ServerKind::Reference));
        for kind in all {
            assert_eq!(kind.to_possible_value().unwrap().get_name(), kind.name());
            assert_eq!(ServerKind::from_name(kind.name()), Some(*kind));
        }
        assert_eq!(ServerKind::Reference.name(), "epoll-ref");
    }
}
