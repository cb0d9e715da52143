//! `--backend`: one backend, or all of them interleaved. The CLI's own types: the
//! domain kinds ([`ServerKind`]) know nothing of clap.

use std::sync::OnceLock;

use clap::builder::PossibleValue;
use clap::ValueEnum;

use crate::backend::{BackendKind, ServerKind};

/// What `harness run --backend` selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendChoice {
    /// One backend, or the reference.
    One(ServerKind),
    /// Every backend and the reference, interleaved (A B C A B C ...).
    All,
}

impl BackendChoice {
    /// The backends to run, in order, for one repetition (`all`: every one; those
    /// this machine cannot run are left out, with a note, by
    /// [`crate::plan::Target::expand`]).
    pub fn kinds(self) -> Vec<ServerKind> {
        match self {
            BackendChoice::One(kind) => vec![kind],
            BackendChoice::All => ServerKind::all().to_vec(),
        }
    }
}

impl ValueEnum for BackendChoice {
    fn value_variants<'a>() -> &'a [Self] {
        static VARIANTS: OnceLock<Vec<BackendChoice>> = OnceLock::new();
        VARIANTS.get_or_init(|| {
            let mut v: Vec<_> = ServerKind::all()
                .iter()
                .map(|&k| BackendChoice::One(k))
                .collect();
            v.push(BackendChoice::All);
            v
        })
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            BackendChoice::One(kind) => Some(possible(*kind)),
            BackendChoice::All => Some(PossibleValue::new("all").help(
                "Every backend and both references (epoll-ref, uring-ref), interleaved \
                     A B C A B C, with ratios against tokio-mt",
            )),
        }
    }
}

/// What `harness serve --backend` selects: one backend, or a reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerChoice(pub ServerKind);

impl ValueEnum for ServerChoice {
    fn value_variants<'a>() -> &'a [Self] {
        static VARIANTS: OnceLock<Vec<ServerChoice>> = OnceLock::new();
        VARIANTS.get_or_init(|| ServerKind::all().iter().map(|&k| ServerChoice(k)).collect())
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(possible(self.0))
    }
}

/// The CLI value of `kind`: its report name, with a line of help.
fn possible(kind: ServerKind) -> PossibleValue {
    let help = match kind {
        ServerKind::Pool(BackendKind::TokioMt) => {
            "tokio's multi-thread work-stealing runtime: the baseline every ratio is against"
        }
        ServerKind::Pool(BackendKind::Tokio) => {
            "A pool of tokio current-thread runtimes, one reactor per worker"
        }
        ServerKind::Pool(BackendKind::Mio) => {
            "Our own per-thread executor and mio reactor, one per worker"
        }
        ServerKind::Pool(BackendKind::Uring) => {
            "The same executor on one io_uring per worker (completion-based I/O). Skipped, \
             with a note, by `all` and the matrix where io_uring is unavailable"
        }
        ServerKind::Reference => {
            "The reference, not a pool: per-thread epoll loops without a runtime (with \
             --workload http, a hand-rolled responder that answers only GET /plaintext)"
        }
        ServerKind::UringReference => {
            "The io_uring reference, not a pool: per-thread io_uring loops (multishot \
             accept and receive into a buffer ring) without a runtime (with --workload \
             http, a hand-rolled responder that answers only GET /plaintext)"
        }
    };
    PossibleValue::new(kind.name()).help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_names_are_report_names() {
        for (choice, kind) in ServerChoice::value_variants().iter().zip(ServerKind::all()) {
            assert_eq!(choice.to_possible_value().unwrap().get_name(), kind.name());
        }
        let all = BackendChoice::value_variants();
        assert_eq!(all.len(), ServerKind::all().len() + 1);
        assert_eq!(all.last().unwrap().kinds(), ServerKind::all());
    }
}
