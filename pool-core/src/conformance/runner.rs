//! A test runner for test binaries whose tests need something a machine may lack
//! (io_uring, root, a tool): where it is missing, the runner itself reports each such
//! test as *ignored*, with the reason, and counts it among the ignored.
//!
//! Stable `cargo test` cannot ignore a test at run time, and a build script that
//! probes the machine goes stale when the machine changes (a sysctl, a seccomp
//! profile). So such a test binary sets `harness = false` and runs its tests through
//! [`run`], which uses `libtest-mimic`: the same flags (filters, `--exact`, `--list`,
//! `--test-threads`) and the same output as the standard harness, with the
//! precondition checked when the binary starts.
//!
//! ```toml
//! # Cargo.toml
//! [[test]]
//! name = "stress"
//! harness = false
//! ```
//!
//! ```no_run
//! // tests/stress.rs
//! use pool_core::conformance::runner::{run, Group};
//!
//! fn many_connections() { /* ... */ }
//!
//! fn main() -> std::process::ExitCode {
//!     let io_uring: Result<(), String> = Err("io_uring refused".into());
//!     run([Group::new(pool_core::test_list![many_connections]).requires(io_uring)])
//! }
//! ```
//!
//! With [`REQUIRE_ALL_ENV`] set (CI sets it), a missing precondition fails the test
//! instead: on a machine where everything should be there, nothing is ignored
//! silently.

use std::process::ExitCode;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// Set (to anything but `0`) to make a missing precondition a test failure rather than
/// an ignored test.
pub const REQUIRE_ALL_ENV: &str = "IOPOOL_TEST_REQUIRE_ALL";

/// A test: its name, as the runner prints and filters it, and its body (a panic fails
/// it).
pub type Test = (&'static str, fn());

/// Name-and-body pairs for [`Group::new`] from test functions (each a `fn()`): a
/// function left out of every list is dead code, which the workspace lints refuse.
#[macro_export]
macro_rules! test_list {
    ($($name:ident),* $(,)?) => {
        vec![$((stringify!($name), $name as fn())),*]
    };
}

/// Tests that share a precondition and a name prefix.
#[derive(Debug)]
pub struct Group {
    prefix: String,
    missing: Option<String>,
    tests: Vec<Test>,
}

impl Group {
    /// A group of `tests` that need nothing.
    pub fn new(tests: Vec<Test>) -> Group {
        Group {
            prefix: String::new(),
            missing: None,
            tests,
        }
    }

    /// Prefixes every name with `prefix` and `::` (as a `mod` would for `#[test]`s).
    pub fn prefix(mut self, prefix: &str) -> Group {
        self.prefix = format!("{prefix}::");
        self
    }

    /// The group needs `precondition`: where it is an error, each test is ignored with
    /// the error as the reason. Several calls: the first missing one is reported.
    pub fn requires<E: std::fmt::Display>(mut self, precondition: Result<(), E>) -> Group {
        if let (None, Err(why)) = (&self.missing, precondition) {
            self.missing = Some(why.to_string());
        }
        self
    }

    fn trials(self, strict: bool) -> impl Iterator<Item = Trial> {
        let Group {
            prefix,
            missing,
            tests,
        } = self;
        tests.into_iter().map(move |(name, body)| {
            let name = format!("{prefix}{name}");
            match missing.clone() {
                None => Trial::test(name, move || {
                    body();
                    Ok(())
                }),
                Some(why) if strict => Trial::test(name, move || {
                    Err(Failed::from(format!(
                        "precondition missing ({REQUIRE_ALL_ENV} is set): {why}"
                    )))
                }),
                Some(why) => Trial::ignorable_test(name, move || Ok(Completion::ignored_with(why))),
            }
        })
    }
}

/// Runs `groups` with the command-line flags of the standard test harness, and returns
/// the exit code for `main`.
pub fn run(groups: impl IntoIterator<Item = Group>) -> ExitCode {
    let strict = std::env::var_os(REQUIRE_ALL_ENV).is_some_and(|v| !v.is_empty() && v != "0");
    let trials = groups
        .into_iter()
        .flat_map(|group| group.trials(strict))
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit_code()
}
