//! The result data model: what the JSON files hold and the tables show, the machine
//! metadata each result records, and reading result files back.
//!
//! A [`RunResult`] is self-contained: it carries the machine metadata, the
//! configuration, the summaries and the serialized histograms, so that `harness report`
//! can merge result files from several processes or hosts.

mod balance;
pub mod limits;
mod metadata;
mod read;
mod run;
mod series;

pub use balance::Balance;
pub use metadata::{commits, is_clean_commit, Metadata};
pub use read::{expand, read_input, read_results, Input, InputError, MAX_INPUT_BYTES};
pub use run::{
    ConnectResult, LoadResult, RunResult, ServerResult, SkewResult, WorkerResult, SCHEMA,
};
pub use series::Series;
