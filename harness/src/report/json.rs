//! The JSON result: the whole [`RunResult`].

use super::Report;
use crate::result::RunResult;

/// Writes the [`RunResult`] as pretty JSON.
#[derive(Clone, Copy, Debug)]
pub struct JsonReport;

impl Report for JsonReport {
    fn extension(&self) -> &'static str {
        "json"
    }

    fn render(&self, result: &RunResult) -> anyhow::Result<Option<String>> {
        Ok(Some(serde_json::to_string_pretty(result)? + "\n"))
    }
}
