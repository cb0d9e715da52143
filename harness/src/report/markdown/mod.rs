//! The generated Markdown of `harness matrix`: the run directory's `README.md` and the
//! index of runs, `bench-results/README.md`.

mod findings;
mod index;
mod machine;
mod run_readme;
mod summary;
mod tables;
#[cfg(test)]
mod tests;

pub use index::{render_index, INDEX_HEADLINE};
pub use machine::sharing_paragraph;
pub use run_readme::render_run_readme;
pub use summary::{Failure, MatrixSummary, SUMMARY_FILE};
