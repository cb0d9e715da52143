//! Target planning: what one repetition runs, each server kind under each park and
//! placement policy it can honour, with a note for each one it cannot.

use std::fmt;
use std::time::Duration;

use super::park::Park;
use super::placement::Place;
use crate::backend::{BackendKind, ServerKind};

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
        work: Duration,
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
        format!(
            "{}{}{}",
            self.kind.name(),
            self.park.suffix(),
            self.placement.suffix()
        )
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let spin = Park::Spin(Duration::from_micros(50));
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
    }
}
