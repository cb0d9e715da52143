//! What `harness report` checks before it trusts a merge of several load processes'
//! histograms: that they measured the same window, with the same histogram settings.

use std::collections::BTreeMap;

use crate::metrics::histogram::Latency;
use crate::result::LoadResult;

/// Windows that overlap by less than this fraction of the longest are flagged.
pub const MIN_OVERLAP: f64 = 0.9;

/// One input of a merge.
#[derive(Debug)]
pub struct MergeInput<'a> {
    /// How to name it: the file.
    pub name: String,
    /// Its latency histogram.
    pub histogram: &'a Latency,
    /// The load process, `host:pid`, if recorded.
    pub process: Option<String>,
    /// The measured window, Unix seconds `(start, end)`, if recorded.
    pub window: Option<(f64, f64)>,
    /// The message size, for result files.
    pub msg_size: Option<u64>,
    /// The commit the result's binary was built from, for result files that record it.
    pub commit: Option<String>,
}

impl<'a> MergeInput<'a> {
    /// The input named `name`: its histogram and, for a result file, its load figures.
    pub fn new(name: String, histogram: &'a Latency, load: Option<&LoadResult>) -> Self {
        MergeInput {
            name,
            histogram,
            process: load.and_then(LoadResult::process),
            window: load.and_then(LoadResult::window_unix_s),
            msg_size: load.map(|l| l.msg_size),
            commit: None,
        }
    }

    /// This input, recording the commit its result was measured at (`""`: unrecorded).
    pub fn at_commit(self, commit: &str) -> Self {
        MergeInput {
            commit: Some(if commit.is_empty() {
                "unrecorded".to_owned()
            } else {
                commit.to_owned()
            }),
            ..self
        }
    }
}

fn settings(h: &Latency) -> (u64, u64, u8) {
    (h.low(), h.high(), h.sigfig())
}

/// The problems that make a merge of `inputs` misleading, one sentence each; empty
/// when they look like concurrent parts of one load.
pub fn check(inputs: &[MergeInput<'_>]) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(first) = inputs.first() else {
        return problems;
    };
    for input in &inputs[1..] {
        let (a, b) = (settings(first.histogram), settings(input.histogram));
        if a != b {
            problems.push(format!(
                "histogram settings differ: {} tracks {}..{} µs at {} significant figures, \
                 {} tracks {}..{} µs at {}",
                first.name, a.0, a.1, a.2, input.name, b.0, b.1, b.2
            ));
        }
    }
    let mut processes: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for input in inputs {
        if let Some(process) = &input.process {
            processes
                .entry(process.clone())
                .or_default()
                .push(&input.name);
        }
    }
    for (process, names) in processes.iter().filter(|(_, n)| n.len() > 1) {
        problems.push(format!(
            "the same load process ({process}) appears in {}: its requests count twice",
            names.join(", ")
        ));
    }
    let sizes: Vec<u64> = inputs.iter().filter_map(|i| i.msg_size).collect();
    if sizes.iter().any(|&s| s != sizes[0]) {
        problems.push(format!("message sizes differ: {sizes:?} B"));
    }
    let mut commits: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for input in inputs {
        if let Some(commit) = &input.commit {
            commits.entry(commit).or_default().push(&input.name);
        }
    }
    if commits.len() > 1 {
        let each: Vec<String> = commits
            .iter()
            .map(|(commit, names)| format!("{commit} ({})", names.join(", ")))
            .collect();
        problems.push(format!(
            "the results come from different commits: {}; they measured different code",
            each.join("; ")
        ));
    }
    problems.extend(check_windows(inputs));
    problems
}

/// Whether the measured windows overlap.
fn check_windows(inputs: &[MergeInput<'_>]) -> Option<String> {
    if inputs.len() < 2 {
        return None;
    }
    let windows: Vec<(&str, (f64, f64))> = inputs
        .iter()
        .filter_map(|i| Some((i.name.as_str(), i.window?)))
        .collect();
    if windows.len() < inputs.len() {
        return Some(format!(
            "{} of {} inputs record no measured window (bare histograms, or results of an \
             older harness): cannot check that they ran at the same time",
            inputs.len() - windows.len(),
            inputs.len()
        ));
    }
    let start = windows.iter().map(|w| w.1 .0).fold(f64::MIN, f64::max);
    let end = windows.iter().map(|w| w.1 .1).fold(f64::MAX, f64::min);
    let longest = windows.iter().map(|w| w.1 .1 - w.1 .0).fold(0.0, f64::max);
    let overlap = (end - start).max(0.0);
    if longest > 0.0 && overlap / longest >= MIN_OVERLAP {
        return None;
    }
    let earliest = windows.iter().map(|w| w.1 .0).fold(f64::MAX, f64::min);
    let spans: Vec<String> = windows
        .iter()
        .map(|(name, (s, e))| format!("{name} {:.3}..{:.3} s", s - earliest, e - earliest))
        .collect();
    Some(if overlap == 0.0 {
        format!(
            "the measured windows do not overlap ({}): the summed req/s is not one load",
            spans.join(", ")
        )
    } else {
        format!(
            "the measured windows overlap for only {:.0}% of the longest ({}); start the \
             load processes together with `harness load --start-at`",
            overlap / longest * 100.0,
            spans.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::histogram;

    fn input<'a>(name: &str, h: &'a Latency, pid: u32, window: (f64, f64)) -> MergeInput<'a> {
        MergeInput {
            name: name.to_owned(),
            histogram: h,
            process: Some(format!("host:{pid}")),
            window: Some(window),
            msg_size: Some(64),
            commit: None,
        }
    }

    #[test]
    fn results_from_different_commits_are_flagged() {
        let h = histogram::new();
        let same = check(&[
            input("a", &h, 1, (100.0, 110.0)).at_commit("fe7270e"),
            input("b", &h, 2, (100.0, 110.0)).at_commit("fe7270e"),
        ]);
        assert_eq!(same, Vec::<String>::new());
        let apart = check(&[
            input("a", &h, 1, (100.0, 110.0)).at_commit("fe7270e"),
            input("b", &h, 2, (100.0, 110.0)).at_commit("fe7270e-dirty"),
            input("c", &h, 3, (100.0, 110.0)).at_commit(""),
        ])
        .join("\n");
        assert!(
            apart.contains("different commits: fe7270e (a); fe7270e-dirty (b); unrecorded (c)"),
            "{apart}"
        );
    }

    #[test]
    fn concurrent_parts_pass() {
        let h = histogram::new();
        let a = input("a", &h, 1, (100.0, 110.0));
        let b = input("b", &h, 2, (100.2, 110.2));
        assert_eq!(check(&[a, b]), Vec::<String>::new());
    }

    #[test]
    fn windows_apart_or_barely_overlapping_are_flagged() {
        let h = histogram::new();
        let apart = check(&[
            input("a", &h, 1, (0.0, 10.0)),
            input("b", &h, 2, (20.0, 30.0)),
        ]);
        assert!(apart[0].contains("do not overlap"), "{apart:?}");
        let half = check(&[
            input("a", &h, 1, (0.0, 10.0)),
            input("b", &h, 2, (5.0, 15.0)),
        ]);
        assert!(half[0].contains("only 50%"), "{half:?}");
    }

    #[test]
    fn settings_sizes_and_duplicates_are_flagged() {
        let h = histogram::new();
        let coarse = Latency::new_with_bounds(1, 1_000_000, 2).unwrap();
        let mut b = input("b", &coarse, 1, (0.0, 10.0));
        b.msg_size = Some(4096);
        let problems = check(&[input("a", &h, 1, (0.0, 10.0)), b]).join("\n");
        assert!(problems.contains("histogram settings differ"), "{problems}");
        assert!(problems.contains("message sizes differ"), "{problems}");
        assert!(
            problems.contains("same load process (host:1)"),
            "{problems}"
        );
        let bare = MergeInput::new("c".to_owned(), &h, None);
        let problems = check(&[input("a", &h, 1, (0.0, 10.0)), bare]).join("\n");
        assert!(problems.contains("record no measured window"), "{problems}");
    }
}
