//! The backends the harness can measure, and the one `match` that turns a
//! [`BackendKind`] into a [`Runtime`] type.
//!
//! Adding a backend is one variant here and one arm in [`BackendKind::with`].

use std::fmt;

use clap::ValueEnum;
use pool_core::Runtime;

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
}
