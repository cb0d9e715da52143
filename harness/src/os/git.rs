//! Running `git` read-only: the build script records the commit with it, and the index
//! of published runs dates runs from it. Shared by both (`build.rs` includes this file).

use std::path::Path;
use std::process::Command;

/// Runs `git ARGS` in `dir` and returns its trimmed standard output, or `None` if git
/// is missing or fails (not a checkout, an unknown commit).
///
/// It never takes the index lock (`--no-optional-locks`; `describe --dirty` would
/// otherwise refresh the index), so a build or a README never makes a concurrent
/// `git commit` fail.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Option<String> {
    Command::new("git")
        .arg("--no-optional-locks")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
}
