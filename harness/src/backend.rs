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

use crate::plan::{Park, Place};
use crate::serve::{
    EchoServer, ReferenceServer, Server, UringReferenceServer, REFERENCE_NAME, URING_REFERENCE_NAME,
};

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

    /// The server kind whose report name is `name`.
    pub fn from_name(name: &str) -> Option<ServerKind> {
        ServerKind::all().iter().copied().find(|k| k.name() == name)
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

    /// Whether `name` is the reference's report name.
    pub fn is_reference_name(name: &str) -> bool {
        name == REFERENCE_NAME || name == URING_REFERENCE_NAME
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
                    .help("The reference, not a pool: per-thread epoll loops without a runtime (with --workload http, a hand-rolled responder that answers only GET /plaintext)"),
            ),
            ServerKind::UringReference => Some(PossibleValue::new(URING_REFERENCE_NAME).help(
                "The io_uring reference, not a pool: per-thread io_uring loops (multishot \
                 accept and receive into a buffer ring) without a runtime (with --workload \
                 http, a hand-rolled responder that answers only GET /plaintext)",
            )),
        }
    }
}

/// What runs in one slot of a comparison: a server kind with the park policy of its
/// workers and its placement policy. Its [`label`](Target::label) names it in results
/// and tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// The backend, or the reference.
    pub kind: ServerKind,
    /// What the workers do when idle.
    pub park: Park,
    /// Where new connections go.
    pub placement: Place,
}

impl Target {
    /// [`Target::expand`], without the servers that cannot run the skewed load when
    /// `work` is not zero (the io_uring reference does not read the hotness header):
    /// among several kinds each is left out with a note; asked for alone, it stays,
    /// and its start fails with the reason.
    pub fn planned(
        kinds: &[ServerKind],
        parks: &[Park],
        placements: &[Place],
        work: std::time::Duration,
    ) -> (Vec<Target>, Vec<String>) {
        let (mut targets, mut notes) = Target::expand(kinds, parks, placements);
        if !work.is_zero() && kinds.len() > 1 {
            targets.retain(|t| {
                let ok = t.kind != ServerKind::UringReference;
                if !ok {
                    notes.push(format!(
                        "{}: skipped: it does not run the skewed load (--work-us)",
                        t.kind
                    ));
                }
                ok
            });
        }
        (targets, notes)
    }

    /// The report name: the kind's name, with the park policy's [`Park::suffix`] and
    /// the placement's [`Place::suffix`] (`mio`, `mio-spin50us`, `mio-p2c`,
    /// `mio-spin50us-least-loaded`).
    pub fn label(self) -> String {
        Target::labelled(self.kind.name(), self.park, self.placement)
    }

    /// The report name of server `name` run under `park` and `placement`: what
    /// [`Target::label`] gives, for code that knows the server by its type.
    pub fn labelled(name: &str, park: Park, placement: Place) -> String {
        format!("{name}{}{}", park.suffix(), placement.suffix())
    }

    /// The backend kind a report label names, whatever its park and placement
    /// suffixes (`mio-spin50us` and `mio-p2c` are `mio`).
    pub fn kind_of_label(label: &str) -> Option<ServerKind> {
        let label = Place::SUFFIXES
            .iter()
            .find_map(|suffix| label.strip_suffix(suffix))
            .unwrap_or(label);
        ServerKind::all()
            .iter()
            .copied()
            .filter(|k| {
                label == k.name()
                    || label
                        .strip_prefix(k.name())
                        .is_some_and(|rest| rest.starts_with("-spin") || rest == "-never-park")
            })
            .max_by_key(|k| k.name().len())
    }

    /// Every kind of `kinds` under every policy of `parks` and every placement of
    /// `placements` it can honour, kinds in order, then parks, then placements. A kind
    /// that honours none of the parks (the tokio runtimes park at once only; the
    /// reference has no policy) runs at [`Park::Immediate`], and one that honours
    /// none of the placements (tokio-mt: its scheduler decides; the reference
    /// hands connections round-robin) at [`Place::RoundRobin`]; the notes say so, one
    /// line per kind and kind of policy. Among several kinds, one that cannot run here
    /// ([`ServerKind::available`]) is left out with a note; asked for alone, it stays,
    /// and its run fails with the reason.
    pub fn expand(
        kinds: &[ServerKind],
        parks: &[Park],
        placements: &[Place],
    ) -> (Vec<Target>, Vec<String>) {
        let mut targets = Vec::new();
        let mut notes = Vec::new();
        for &kind in kinds {
            if kinds.len() > 1 {
                if let Err(why) = kind.available() {
                    notes.push(format!("{kind}: skipped: {why}"));
                    continue;
                }
            }
            let parks = honoured(
                kind,
                parks,
                |p| kind.supports_park(p),
                Park::Immediate,
                "park",
                "it parks at once only",
                &mut notes,
            );
            let placements = honoured(
                kind,
                placements,
                |p| kind.supports_placement(p),
                Place::RoundRobin,
                "placement",
                "only the per-thread pools place by a policy",
                &mut notes,
            );
            for &park in &parks {
                for &placement in &placements {
                    let target = Target {
                        kind,
                        park,
                        placement,
                    };
                    if !targets.contains(&target) {
                        targets.push(target);
                    }
                }
            }
        }
        (targets, notes)
    }
}

/// The policies of `asked` that `kind` honours (`fallback` if none), with a note for
/// those it refuses.
fn honoured<P: Copy + PartialEq + fmt::Display>(
    kind: ServerKind,
    asked: &[P],
    supports: impl Fn(P) -> bool,
    fallback: P,
    what: &str,
    why: &str,
    notes: &mut Vec<String>,
) -> Vec<P> {
    let honoured: Vec<P> = asked.iter().copied().filter(|&p| supports(p)).collect();
    if honoured.len() < asked.len() {
        let refused: Vec<String> = asked
            .iter()
            .filter(|p| !honoured.contains(p))
            .map(P::to_string)
            .collect();
        let runs: Vec<String> = honoured.iter().map(P::to_string).collect();
        notes.push(format!(
            "{kind}: cannot honour {what} {} ({why}); it runs with {}",
            refused.join(", "),
            if honoured.is_empty() {
                fallback.to_string()
            } else {
                runs.join(", ")
            }
        ));
    }
    if honoured.is_empty() {
        vec![fallback]
    } else {
        honoured
    }
}

impl From<ServerKind> for Target {
    fn from(kind: ServerKind) -> Target {
        Target {
            kind,
            park: Park::Immediate,
            placement: Place::RoundRobin,
        }
    }
}

impl From<BackendKind> for Target {
    fn from(kind: BackendKind) -> Target {
        ServerKind::Pool(kind).into()
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

impl ServerKind {
    /// Whether this server can place its connections by `placement`: the per-thread
    /// pools ([`CHILD_AFFINITY`](pool_core::backend::RuntimeImpl::CHILD_AFFINITY)) can
    /// by any policy; tokio-mt's scheduler decides for itself, and the reference hands
    /// connections round-robin.
    pub fn supports_placement(self, placement: Place) -> bool {
        struct Supports;
        impl WithBackend for Supports {
            type Output = bool;
            fn run<R: Runtime>(self) -> bool {
                R::CHILD_AFFINITY
            }
        }
        match self {
            _ if placement == Place::RoundRobin => true,
            ServerKind::Reference | ServerKind::UringReference => false,
            ServerKind::Pool(kind) => kind.with(Supports),
        }
    }

    /// Whether this server's workers can run under `park`
    /// ([`supports_park`](pool_core::backend::RuntimeImpl::supports_park); the reference
    /// has no policy: it parks at once).
    pub fn supports_park(self, park: Park) -> bool {
        struct Supports(Park);
        impl WithBackend for Supports {
            type Output = bool;
            fn run<R: Runtime>(self) -> bool {
                R::supports_park(&self.0.policy())
            }
        }
        match self {
            _ if park == Park::Immediate => true,
            ServerKind::Reference | ServerKind::UringReference => false,
            ServerKind::Pool(kind) => kind.with(Supports(park)),
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
        assert_eq!(all.last(), Some(&ServerKind::UringReference));
        for kind in all {
            assert_eq!(kind.to_possible_value().unwrap().get_name(), kind.name());
            assert_eq!(ServerKind::from_name(kind.name()), Some(*kind));
        }
        assert_eq!(ServerKind::Reference.name(), "epoll-ref");
    }

    /// [`Target::expand`] of every kind, one kind at a time: a kind asked for alone
    /// stays even where it cannot run (io_uring refused), so the plan is the same on
    /// every machine.
    fn expand_every_kind(parks: &[Park], placements: &[Place]) -> (Vec<Target>, Vec<String>) {
        let (mut targets, mut notes) = (Vec::new(), Vec::new());
        for &kind in ServerKind::all() {
            let (t, n) = Target::expand(&[kind], parks, placements);
            targets.extend(t);
            notes.extend(n);
        }
        (targets, notes)
    }

    #[test]
    fn targets_honour_what_each_backend_can() {
        let spin = Park::Spin(std::time::Duration::from_micros(50));
        let rr = [Place::RoundRobin];
        let (targets, notes) = expand_every_kind(&[Park::Immediate, spin], &rr);
        let labels: Vec<String> = targets.iter().map(|t| t.label()).collect();
        assert_eq!(
            labels,
            [
                "tokio-mt",
                "tokio",
                "mio",
                "mio-spin50us",
                "uring",
                "uring-spin50us",
                "epoll-ref",
                "uring-ref"
            ],
            "{notes:?}"
        );
        assert_eq!(
            notes.len(),
            4,
            "tokio-mt, tokio and the references refuse spin: {notes:?}"
        );
        // Asked for spinning only, a backend that cannot spin still runs, at once.
        let (targets, notes) = Target::expand(&[BackendKind::TokioMt.into()], &[spin], &rr);
        assert_eq!(targets, [Target::from(BackendKind::TokioMt)]);
        assert!(notes[0].ends_with("it runs with immediate"), "{notes:?}");
        for t in [
            Target {
                kind: BackendKind::Mio.into(),
                park: spin,
                placement: Place::PowerOfTwoChoices,
            },
            Target::from(ServerKind::Reference),
        ] {
            assert_eq!(Target::kind_of_label(&t.label()), Some(t.kind));
        }
        assert_eq!(Target::kind_of_label("mio-fast"), None);
    }

    #[test]
    fn placements_run_where_a_backend_can_place() {
        let placements = [
            Place::RoundRobin,
            Place::LeastLoaded,
            Place::PowerOfTwoChoices,
        ];
        let (targets, notes) = expand_every_kind(&[Park::Immediate], &placements);
        let labels: Vec<String> = targets.iter().map(|t| t.label()).collect();
        assert_eq!(
            labels,
            [
                "tokio-mt",
                "tokio",
                "tokio-least-loaded",
                "tokio-p2c",
                "mio",
                "mio-least-loaded",
                "mio-p2c",
                "uring",
                "uring-least-loaded",
                "uring-p2c",
                "epoll-ref",
                "uring-ref"
            ],
            "{notes:?}"
        );
        assert_eq!(
            notes.len(),
            3,
            "tokio-mt and the references refuse: {notes:?}"
        );
        assert!(notes[0].starts_with("tokio-mt: cannot honour placement least-loaded, p2c"));
        // Asked for p2c only, tokio-mt still runs, round-robin (its own scheduler).
        let (targets, _) = Target::expand(
            &[BackendKind::TokioMt.into()],
            &[Park::Immediate],
            &[Place::PowerOfTwoChoices],
        );
        assert_eq!(targets, [Target::from(BackendKind::TokioMt)]);
        assert_eq!(
            Target::kind_of_label("tokio-least-loaded"),
            Some(BackendKind::Tokio.into())
        );
    }
}
