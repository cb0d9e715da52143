//! `--placement`: how a per-thread pool places new connections, as the harness names it.
//!
//! pool-core's [`Placement`] is the policy itself; [`Place`] adds what the harness
//! needs around it: parsing (`round-robin`, `least-loaded`, `p2c`), a label suffix for
//! the results (`mio-p2c`), and serialization into plans and result files.

use std::fmt;
use std::str::FromStr;

use pool_core::Placement;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where a pool puts each new top-level task (each accepted connection).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// The next worker in turn (every pool's default).
    #[default]
    RoundRobin,
    /// The worker with the fewest live tasks.
    LeastLoaded,
    /// The less recently busy of two random workers.
    PowerOfTwoChoices,
}

impl Place {
    /// The pool-core policy.
    pub fn policy(self) -> Placement {
        match self {
            Place::RoundRobin => Placement::RoundRobin,
            Place::LeastLoaded => Placement::LeastLoaded,
            Place::PowerOfTwoChoices => Placement::PowerOfTwoChoices,
        }
    }

    /// What a backend's report name gets appended: nothing for round-robin (so `mio`
    /// stays `mio`), `-least-loaded`, `-p2c`.
    ///
    /// ```
    /// use harness::plan::Place;
    ///
    /// assert_eq!(Place::RoundRobin.suffix(), "");
    /// assert_eq!(Place::PowerOfTwoChoices.suffix(), "-p2c");
    /// ```
    pub fn suffix(self) -> &'static str {
        match self {
            Place::RoundRobin => "",
            Place::LeastLoaded => "-least-loaded",
            Place::PowerOfTwoChoices => "-p2c",
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Place::RoundRobin => "round-robin",
            Place::LeastLoaded => "least-loaded",
            Place::PowerOfTwoChoices => "p2c",
        })
    }
}

/// Why a `--placement` value was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParsePlaceError(String);

impl FromStr for Place {
    type Err = ParsePlaceError;

    /// `round-robin` (or `rr`), `least-loaded`, `p2c` (or `power-of-two-choices`).
    ///
    /// ```
    /// use harness::plan::Place;
    ///
    /// assert_eq!("p2c".parse::<Place>(), Ok(Place::PowerOfTwoChoices));
    /// assert!("random".parse::<Place>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Place, ParsePlaceError> {
        match s.trim() {
            "round-robin" | "rr" => Ok(Place::RoundRobin),
            "least-loaded" => Ok(Place::LeastLoaded),
            "p2c" | "power-of-two-choices" => Ok(Place::PowerOfTwoChoices),
            other => Err(ParsePlaceError(format!(
                "invalid placement policy {other:?}: expected round-robin, least-loaded or p2c"
            ))),
        }
    }
}

impl Serialize for Place {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Place {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Place, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_parses_back_and_bad_input_names_the_choices() {
        for p in [
            Place::RoundRobin,
            Place::LeastLoaded,
            Place::PowerOfTwoChoices,
        ] {
            assert_eq!(p.to_string().parse::<Place>(), Ok(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<Place>(&json).unwrap(), p);
        }
        for bad in ["", "random", "P2C", "least"] {
            let err = bad.parse::<Place>().unwrap_err().to_string();
            assert!(err.contains("least-loaded or p2c"), "{bad:?}: {err}");
        }
    }
}
