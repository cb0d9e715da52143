//! What serves echo in a run, and running code against one chosen at run time.

use std::fmt;
use std::sync::OnceLock;

use pool_core::Runtime;

use super::kind::{BackendKind, WithBackend};
use crate::plan::{Park, Place};
use crate::serve::{EchoServer, ReferenceServer, Server, UringReferenceServer};

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
    /// The io_uring reference: per-thread io_uring loops, no runtime (skipped where
    /// io_uring is unavailable).
    UringReference,
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
            all.push(ServerKind::UringReference);
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
            ServerKind::UringReference => code.run::<UringReferenceServer>(),
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

    /// Whether this is the reference rather than a pool.
    pub fn is_reference(self) -> bool {
        matches!(self, ServerKind::Reference | ServerKind::UringReference)
    }

    /// `Err` with the reason when this server cannot run here (`uring` and the
    /// io_uring reference where io_uring is missing, disabled or refused).
    pub fn available(self) -> Result<(), String> {
        static URING: OnceLock<Result<(), String>> = OnceLock::new();
        match self {
            ServerKind::Pool(kind) => kind.unavailable().map_or(Ok(()), Err),
            ServerKind::UringReference => URING
                .get_or_init(|| {
                    UringReferenceServer::probe()
                        .map(|_| ())
                        .map_err(|e| format!("io_uring is unavailable: {e}"))
                })
                .clone(),
            _ => Ok(()),
        }
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

impl ServerKind {
    /// Whether this server can place its connections by `placement`: the per-thread
    /// pools ([`BackendKind::places`]) can by any policy; tokio-mt's scheduler decides
    /// for itself, and the references hand connections round-robin.
    pub fn supports_placement(self, placement: Place) -> bool {
        match self {
            _ if placement == Place::RoundRobin => true,
            ServerKind::Reference | ServerKind::UringReference => false,
            ServerKind::Pool(kind) => kind.places(),
        }
    }

    /// Whether this server's workers can run under `park` ([`BackendKind::supports_park`];
    /// the references have no policy: they park at once).
    pub fn supports_park(self, park: Park) -> bool {
        match self {
            _ if park == Park::Immediate => true,
            ServerKind::Reference | ServerKind::UringReference => false,
            ServerKind::Pool(kind) => kind.supports_park(&park.policy()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_kinds_end_with_the_reference() {
        let all = ServerKind::all();
        assert_eq!(all[0], ServerKind::BASELINE);
        assert_eq!(all.last(), Some(&ServerKind::UringReference));
        assert_eq!(ServerKind::Reference.name(), "epoll-ref");
        assert_eq!(ServerKind::UringReference.name(), "uring-ref");
        let references: Vec<_> = all.iter().filter(|k| k.is_reference()).collect();
        assert_eq!(
            references,
            [&ServerKind::Reference, &ServerKind::UringReference]
        );
    }
}
