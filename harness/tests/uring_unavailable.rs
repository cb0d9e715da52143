//! Where io_uring is unavailable (forced here with the backend's test switch), `uring`
//! alone is an error (exit ≠ 0, with the reason), while `all` and the matrix leave it
//! out and run the others.
//!
//! The in-process test sets the switch for this whole test binary: keep only tests
//! that expect io_uring to be unavailable here.

use backend_uring::FORCE_UNAVAILABLE_ENV;
use clap::Parser;
use harness::backend::{BackendKind, ServerKind};
use harness::cli::Cli;
use harness::plan::Job;

mod support;

#[test]
fn uring_alone_fails_with_the_reason() {
    let dir = support::TempDir::new("uring-unavailable");
    let out = support::harness()
        .env(FORCE_UNAVAILABLE_ENV, "1")
        .args(["--backend", "uring", "--conns", "1", "--duration", "1"])
        .args(["--warmup", "0", "--out", dir.arg()])
        .output()
        .expect("harness runs");
    support::assert_fails_with(&out, "the uring backend is unavailable here");
}

#[test]
fn all_and_the_matrix_skip_uring() {
    std::env::set_var(FORCE_UNAVAILABLE_ENV, "1");
    let parse = |args: &[&str]| {
        Cli::try_parse_from(std::iter::once("harness").chain(args.iter().copied()))
            .unwrap()
            .into_job()
    };
    let io_uring = [
        ServerKind::Pool(BackendKind::Uring),
        ServerKind::UringReference,
    ];
    let Job::Run(plan) = parse(&["--backend", "all"]) else {
        panic!("not a run")
    };
    let (targets, notes) = plan.targets();
    assert!(
        targets.iter().all(|t| !io_uring.contains(&t.kind)),
        "{targets:?}"
    );
    assert!(targets
        .iter()
        .any(|t| t.kind == ServerKind::Pool(BackendKind::Mio)));
    for name in ["uring", "uring-ref"] {
        let note = format!("{name}: skipped: ");
        assert!(notes.iter().any(|n| n.starts_with(&note)), "{notes:?}");
    }
    let Job::Matrix(plan) = parse(&["matrix", "--quick"]) else {
        panic!("not a matrix")
    };
    let (targets, _) = plan.targets();
    assert_eq!(targets.len(), ServerKind::all().len() - 2, "{targets:?}");
}
