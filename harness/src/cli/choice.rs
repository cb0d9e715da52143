//! `--backend`: one backend, or all of them interleaved.

use std::sync::OnceLock;

use clap::builder::PossibleValue;
use clap::ValueEnum;

use crate::backend::ServerKind;

/// What `--backend` selects.
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
    /// [`crate::backend::Target::expand`]).
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
            BackendChoice::One(kind) => kind.to_possible_value(),
            BackendChoice::All => Some(PossibleValue::new("all").help(
                "Every backend and both references (epoll-ref, uring-ref), interleaved \
                     A B C A B C, with ratios against tokio-mt",
            )),
        }
    }
}
