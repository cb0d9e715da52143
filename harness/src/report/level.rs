//! How results are grouped for plots and tables: by load level (closed loop, or open
//! loop at some rate), connection count and message size.

use std::cmp::Ordering;
use std::fmt;

use crate::backend::BackendKind;
use crate::plan::Mode;
use crate::result::RunResult;

/// The load a run put on the server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Level {
    /// Closed loop: as fast as the echoes come back.
    Closed,
    /// Open loop at a fraction of the baseline's closed-loop maximum (`harness matrix`).
    OfBaseline(f64),
    /// Open loop at a fixed rate, in requests per second.
    Rate(f64),
}

impl Level {
    /// The level of a result.
    pub fn of(result: &RunResult) -> Level {
        match (result.load.mode, result.baseline_fraction) {
            (Mode::Closed, _) => Level::Closed,
            (Mode::Open, Some(f)) => Level::OfBaseline(f),
            (Mode::Open, None) => Level::Rate(result.load.rate.unwrap_or(0.0)),
        }
    }

    /// Whether latency is measured from the planned send time (open loop).
    pub fn is_open(self) -> bool {
        !matches!(self, Level::Closed)
    }

    /// A short name for file names: `closed`, `open50`, `open-1000rps`.
    ///
    /// ```
    /// use harness::report::Level;
    /// assert_eq!(Level::Closed.slug(), "closed");
    /// assert_eq!(Level::OfBaseline(0.8).slug(), "open80");
    /// assert_eq!(Level::Rate(1000.0).slug(), "open-1000rps");
    /// ```
    pub fn slug(self) -> String {
        match self {
            Level::Closed => "closed".to_owned(),
            Level::OfBaseline(f) => format!("open{}", (f * 100.0).round()),
            Level::Rate(r) => format!("open-{}rps", r.round()),
        }
    }

    /// A rank for sorting: closed loop first, then open loop by increasing load.
    fn rank(self) -> (u8, f64) {
        match self {
            Level::Closed => (0, 0.0),
            Level::OfBaseline(f) => (1, f),
            Level::Rate(r) => (2, r),
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Level::Closed => f.write_str("closed loop"),
            Level::OfBaseline(x) => write!(
                f,
                "open loop at {}% of {}'s closed-loop max",
                (x * 100.0).round(),
                BackendKind::BASELINE.name()
            ),
            Level::Rate(r) => write!(f, "open loop at {} req/s", r.round()),
        }
    }
}

impl Eq for Level {}

impl PartialOrd for Level {
    fn partial_cmp(&self, other: &Level) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Level {
    fn cmp(&self, other: &Level) -> Ordering {
        let (a, x) = self.rank();
        let (b, y) = other.rank();
        a.cmp(&b).then(x.total_cmp(&y))
    }
}

/// One cell of the matrix: load level, connections and message size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CellKey {
    /// The load level.
    pub level: Level,
    /// Message size in bytes.
    pub msg_size: u64,
    /// Connections.
    pub conns: u64,
}

impl CellKey {
    /// The cell of a result.
    pub fn of(result: &RunResult) -> CellKey {
        CellKey {
            level: Level::of(result),
            msg_size: result.load.msg_size,
            conns: result.load.conns,
        }
    }

    /// The series a cell belongs to when plotted against connections.
    pub fn series(self) -> SeriesKey {
        SeriesKey {
            level: self.level,
            msg_size: self.msg_size,
        }
    }
}

/// A load level and message size: one throughput or CPU plot, one README table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeriesKey {
    /// The load level.
    pub level: Level,
    /// Message size in bytes.
    pub msg_size: u64,
}

/// A message size for people: `64 B`, `4 KiB`.
///
/// ```
/// assert_eq!(harness::report::size_name(4096), "4 KiB");
/// assert_eq!(harness::report::size_name(100), "100 B");
/// ```
pub fn size_name(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} B")
    }
}

/// The backends present in `results`, the known ones in [`BackendKind::all`] order
/// (baseline first), then any others in order of appearance.
pub fn backends_of<'a>(results: impl IntoIterator<Item = &'a RunResult>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in results {
        let name = r.backend.clone().unwrap_or_else(|| "load".to_owned());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let rank = |n: &String| {
        BackendKind::all()
            .iter()
            .position(|k| k.name() == n)
            .unwrap_or(usize::MAX)
    };
    names.sort_by_key(rank);
    names
}

/// Whether `backend` is a reference in `results` (by the runs' own
/// [`RunResult::is_reference`], never by its name).
pub fn is_reference(results: &[RunResult], backend: &str) -> bool {
    results
        .iter()
        .any(|r| r.is_reference && r.backend.as_deref() == Some(backend))
}
