//! Matrix profiles: where the server and the load generator run.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where the server workers and the load generator's threads run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Server workers and client threads pinned to disjoint CPUs: the server's own
    /// cost, undisturbed by the generator (on 2 CPUs: 1 worker on CPU 0, the client on
    /// CPU 1).
    Isolated,
    /// Unpinned, sharing every CPU: what a busy machine looks like.
    Shared,
}

impl Profile {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Isolated => "isolated",
            Profile::Shared => "shared",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One part of a matrix: a profile at one server thread count. Each has its own runs,
/// tables and plots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Section {
    /// The profile.
    pub profile: Profile,
    /// Server worker threads.
    pub threads: usize,
}

impl Section {
    /// A name for directories: `isolated-t1`, `shared-t2`.
    ///
    /// ```
    /// use harness::plan::{Profile, Section};
    /// let s = Section { profile: Profile::Isolated, threads: 4 };
    /// assert_eq!(s.slug(), "isolated-t4");
    /// ```
    pub fn slug(self) -> String {
        format!("{}-t{}", self.profile, self.threads)
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.profile {
            Profile::Isolated => "isolated (server and client pinned to disjoint CPUs)",
            Profile::Shared => "shared (unpinned)",
        };
        write!(
            f,
            "{what}, {} server thread{}",
            self.threads,
            if self.threads == 1 { "" } else { "s" }
        )
    }
}
