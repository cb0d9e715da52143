//! `--park`: what the server's workers do when idle, as the harness names it.
//!
//! pool-core's [`ParkPolicy`] is the policy itself; [`Park`] adds what the harness needs
//! around it: parsing (`immediate`, `spin:50us`, `never`), a label for the results
//! (`mio-spin50us`), and serialization into plans and result files.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use pool_core::ParkPolicy;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::units;

/// The longest spin window `--park spin:D` accepts: a window longer than this is
/// "never park" in all but name, and should say so.
pub const MAX_SPIN: Duration = Duration::from_secs(1);

/// What a server worker does when it has nothing to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Park {
    /// Block in the reactor at once (every backend's default).
    #[default]
    Immediate,
    /// Keep polling without blocking for this long after the last event, then block.
    Spin(Duration),
    /// Never block: poll forever (for workers on dedicated CPUs).
    Never,
}

impl Park {
    /// The pool-core policy.
    pub fn policy(self) -> ParkPolicy {
        match self {
            Park::Immediate => ParkPolicy::Immediate,
            Park::Spin(window) => ParkPolicy::Spin(window),
            Park::Never => ParkPolicy::Never,
        }
    }

    /// What a backend's report name gets appended in results: nothing for
    /// [`Park::Immediate`] (so `mio` stays `mio`), `-spin50us`, `-never-park`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use harness::plan::Park;
    ///
    /// assert_eq!(Park::Immediate.suffix(), "");
    /// assert_eq!(Park::Spin(Duration::from_micros(50)).suffix(), "-spin50us");
    /// assert_eq!(Park::Spin(Duration::from_millis(2)).suffix(), "-spin2000us");
    /// assert_eq!(Park::Never.suffix(), "-never-park");
    /// ```
    pub fn suffix(self) -> String {
        match self {
            Park::Immediate => String::new(),
            Park::Spin(window) => format!("-spin{}us", window.as_micros()),
            Park::Never => "-never-park".to_owned(),
        }
    }
}

impl fmt::Display for Park {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Park::Immediate => f.write_str("immediate"),
            Park::Spin(window) => write!(f, "spin:{}us", window.as_micros()),
            Park::Never => f.write_str("never"),
        }
    }
}

/// Why a `--park` value was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseParkError(String);

impl FromStr for Park {
    type Err = ParseParkError;

    /// `immediate`, `never`, or `spin:D` with `D` a duration in the harness's one grammar
    /// ([`units::duration`](super::units::duration): `50us`, `1.5ms`), from 1 µs to
    /// [`MAX_SPIN`], kept to whole microseconds.
    ///
    /// ```
    /// use std::time::Duration;
    /// use harness::plan::Park;
    ///
    /// assert_eq!("spin:50us".parse::<Park>(), Ok(Park::Spin(Duration::from_micros(50))));
    /// assert_eq!("spin:1.5ms".parse::<Park>(), Ok(Park::Spin(Duration::from_micros(1500))));
    /// assert_eq!("never".parse::<Park>(), Ok(Park::Never));
    /// assert!("spin:0us".parse::<Park>().is_err());
    /// assert!("spin".parse::<Park>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Park, ParseParkError> {
        let s = s.trim();
        match s {
            "immediate" => return Ok(Park::Immediate),
            "never" => return Ok(Park::Never),
            _ => {}
        }
        let invalid = |why: String| {
            ParseParkError(format!(
                "invalid park policy {s:?}: {why}expected immediate, never, or spin:DURATION \
                 (for example spin:50us, spin:1.5ms)"
            ))
        };
        let window = s
            .strip_prefix("spin:")
            .ok_or_else(|| invalid(String::new()))?;
        let window = units::duration(window).map_err(|e| invalid(format!("{e}; ")))?;
        if window.as_micros() < 1 || window > MAX_SPIN {
            return Err(ParseParkError(format!(
                "spin window {s:?} out of range: from 1us to 1s, a bare number being seconds \
                 (use `never` to spin forever)"
            )));
        }
        // Whole microseconds (MAX_SPIN bounds the cast): the unit of the label and `Display`.
        Ok(Park::Spin(Duration::from_micros(window.as_micros() as u64)))
    }
}

impl Serialize for Park {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Park {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Park, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_parses_back() {
        for park in [
            Park::Immediate,
            Park::Never,
            Park::Spin(Duration::from_micros(1)),
            Park::Spin(Duration::from_micros(100)),
            Park::Spin(Duration::from_secs(1)),
        ] {
            assert_eq!(park.to_string().parse::<Park>(), Ok(park));
            let json = serde_json::to_string(&park).unwrap();
            assert_eq!(serde_json::from_str::<Park>(&json).unwrap(), park);
        }
    }

    #[test]
    fn units_and_bad_input() {
        let us = |n| Park::Spin(Duration::from_micros(n));
        assert_eq!("spin:2ms".parse::<Park>(), Ok(us(2000)));
        assert_eq!("spin:50µs".parse::<Park>(), Ok(us(50)));
        assert_eq!("spin:1000ns".parse::<Park>(), Ok(us(1)));
        assert_eq!("spin:1.5ms".parse::<Park>(), Ok(us(1500)));
        assert_eq!("spin:0.5ms".parse::<Park>(), Ok(us(500)));
        for bad in [
            "",
            "spin:",
            "spin:50",
            "spin:us",
            "spin:5m",
            "spin:2s",
            "spin:10ns",
            "sometimes",
            "spin:-5us",
        ] {
            let err = bad.parse::<Park>().unwrap_err().to_string();
            assert!(err.contains("spin"), "{bad:?}: {err}");
        }
    }
}
