//! Reading result files named on the command line: JSON results or serialized
//! histograms, told apart by their content, read with a size limit.

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::run::{RunResult, SCHEMA};
use crate::metrics::histogram::{self, HistogramError, Latency};
use crate::metrics::hlog::{self, HlogError, IntervalLog};

/// The largest input read: 16 MiB. A result file of 10,000 connections is a few
/// hundred KiB.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// The references' names in results written before [`RunResult::is_reference`]
/// existed: a frozen list for reading old files (new results carry the flag), never
/// extended.
const LEGACY_REFERENCES: [&str; 2] = ["epoll-ref", "uring-ref"];

/// Whether a result file carries [`RunResult::is_reference`].
#[derive(serde::Deserialize)]
struct Flag {
    is_reference: Option<bool>,
}

/// One input file.
#[derive(Debug)]
pub enum Input {
    /// A result file (`.json`), as `harness run` or `harness load` writes it.
    Result(Box<RunResult>),
    /// A serialized histogram (`.hist`).
    Histogram(Latency),
    /// An HdrHistogram interval log (`.hlog`): latency over time.
    IntervalLog(IntervalLog),
}

/// Why an input file could not be read. Every variant names the file.
#[derive(Debug)]
pub enum InputError {
    /// The file or directory cannot be read. Fix: check the path and its permissions.
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The file is larger than [`MAX_INPUT_BYTES`]: not something the harness wrote
    /// (or not a file at all, like `/dev/zero`).
    TooLarge {
        /// The path.
        path: PathBuf,
    },
    /// The file is neither a JSON result nor a base64 histogram. Fix: pass the `.json`
    /// or `.hist` files the harness wrote.
    Unrecognized {
        /// The path.
        path: PathBuf,
        /// What it looks like instead.
        what: &'static str,
    },
    /// The file is JSON, but not a harness result.
    NotAResult {
        /// The path.
        path: PathBuf,
        /// Why serde rejected it.
        source: serde_json::Error,
    },
    /// The result has another schema version. Fix: read it with the harness that
    /// wrote it.
    Schema {
        /// The path.
        path: PathBuf,
        /// The schema found.
        found: String,
    },
    /// The file looks like a serialized histogram but does not decode.
    Histogram {
        /// The path.
        path: PathBuf,
        /// Why.
        source: HistogramError,
    },
    /// The file looks like an interval log (`.hlog`) but does not parse.
    IntervalLog {
        /// The path.
        path: PathBuf,
        /// Why.
        source: HlogError,
    },
    /// A histogram was given where result files are needed (`harness plot`). Fix:
    /// pass the `.json` result instead.
    NeedResult {
        /// The path.
        path: PathBuf,
    },
    /// A directory holds no `.json` result files.
    EmptyDir {
        /// The directory.
        path: PathBuf,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Io { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            InputError::TooLarge { path } => write!(
                f,
                "{} is larger than {} MiB: not a harness result or histogram",
                path.display(),
                MAX_INPUT_BYTES >> 20
            ),
            InputError::Unrecognized { path, what } => write!(
                f,
                "{} is {what}, neither a harness result file (JSON, as `harness run` \
                 writes) nor a serialized histogram (base64, a `.hist` file)",
                path.display()
            ),
            InputError::NotAResult { path, source } => write!(
                f,
                "{} is not a harness result file ({})",
                path.display(),
                json_problem(source)
            ),
            InputError::Schema { path, found } => write!(
                f,
                "{} has schema `{found}`, this harness reads `{SCHEMA}`",
                path.display()
            ),
            InputError::Histogram { path, source } => {
                write!(f, "{}: {source}", path.display())
            }
            InputError::IntervalLog { path, source } => {
                write!(f, "{}: {source}", path.display())
            }
            InputError::NeedResult { path } => write!(
                f,
                "{} is a histogram or an interval log; this command needs result files \
                 (.json)",
                path.display()
            ),
            InputError::EmptyDir { path } => {
                write!(f, "{} holds no result files (.json)", path.display())
            }
        }
    }
}

impl std::error::Error for InputError {}

/// serde's message, phrased for someone who did not write the file.
fn json_problem(e: &serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Eof => format!("the JSON ends early, {e}"),
        serde_json::error::Category::Syntax => format!("invalid JSON: {e}"),
        _ => e.to_string(),
    }
}

/// Reads at most [`MAX_INPUT_BYTES`] of `path`.
fn read_limited(path: &Path) -> Result<Vec<u8>, InputError> {
    let io = |source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge {
            path: path.to_owned(),
        });
    }
    Ok(bytes)
}

fn is_base64(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
}

/// Reads one input file, telling a JSON result from a serialized histogram by its
/// content (not its name).
///
/// # Errors
///
/// See [`InputError`]; every message names the file.
pub fn read_input(path: &Path) -> Result<Input, InputError> {
    let unrecognized = |what| InputError::Unrecognized {
        path: path.to_owned(),
        what,
    };
    let bytes = read_limited(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| unrecognized("binary data"))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(unrecognized("empty"));
    }
    if text.starts_with('{') {
        let not_a_result = |source| InputError::NotAResult {
            path: path.to_owned(),
            source,
        };
        let mut result: RunResult = serde_json::from_str(text).map_err(not_a_result)?;
        let flag: Flag = serde_json::from_str(text).map_err(not_a_result)?;
        if flag.is_reference.is_none() {
            result.is_reference = result
                .backend
                .as_deref()
                .is_some_and(|b| LEGACY_REFERENCES.contains(&b));
        }
        if result.schema != SCHEMA {
            return Err(InputError::Schema {
                path: path.to_owned(),
                found: result.schema,
            });
        }
        return Ok(Input::Result(Box::new(result)));
    }
    if hlog::looks_like(text) {
        return hlog::parse(text).map(Input::IntervalLog).map_err(|source| {
            InputError::IntervalLog {
                path: path.to_owned(),
                source,
            }
        });
    }
    if is_base64(text) {
        return histogram::decode(text)
            .map(Input::Histogram)
            .map_err(|source| InputError::Histogram {
                path: path.to_owned(),
                source,
            });
    }
    Err(unrecognized("text"))
}

/// The `.json` files of a directory, sorted by name.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    let io = |source| InputError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(InputError::EmptyDir {
            path: dir.to_owned(),
        });
    }
    Ok(files)
}

/// The files `paths` name: each file, and each directory's `.json` files.
///
/// # Errors
///
/// If a directory cannot be read or holds no `.json` file.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(json_files(path)?);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Reads every result named by `paths`: files, or directories of `.json` results.
///
/// # Errors
///
/// See [`InputError`]; a serialized histogram or an interval log is
/// [`InputError::NeedResult`].
pub fn read_results(paths: &[PathBuf]) -> Result<Vec<RunResult>, InputError> {
    expand(paths)?
        .iter()
        .map(|path| match read_input(path)? {
            Input::Result(result) => Ok(*result),
            Input::Histogram(_) | Input::IntervalLog(_) => {
                Err(InputError::NeedResult { path: path.clone() })
            }
        })
        .collect()
}
