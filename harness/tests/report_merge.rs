//! `harness report` merges histograms: the merged count is the sum of the counts.

mod support;

use harness::metrics::histogram;
use support::{run, text, TempDir};

#[test]
fn merging_two_histograms_sums_their_counts() {
    let dir = TempDir::new("merge");
    let mut a = histogram::new();
    let mut b = histogram::new();
    for v in 1..=300 {
        a.record(v).unwrap();
    }
    for v in 1000..1500 {
        b.record(v).unwrap();
    }
    let pa = dir.path().join("a.hist");
    let pb = dir.path().join("b.hist");
    std::fs::write(&pa, histogram::encode(&a).unwrap()).unwrap();
    std::fs::write(&pb, histogram::encode(&b).unwrap()).unwrap();
    let out_dir = dir.path().join("merged");
    let out = run(&[
        "report",
        pa.to_str().unwrap(),
        pb.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let merged: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("merged.json")).unwrap())
            .unwrap();
    assert_eq!(merged["count"], 800);
    assert_eq!(
        merged["latency"]["max_us"].as_u64().unwrap() / 10,
        1499 / 10
    );
    let back =
        histogram::decode(&std::fs::read_to_string(out_dir.join("merged.hist")).unwrap()).unwrap();
    assert_eq!(back.len(), 800);
    assert!(std::fs::read_to_string(out_dir.join("merged.hgrm"))
        .unwrap()
        .contains("Total count    =          800"));
}

#[test]
fn a_file_that_is_not_a_histogram_is_a_clear_error() {
    let dir = TempDir::new("merge-bad");
    let p = dir.path().join("junk.hist");
    std::fs::write(&p, "definitely not base64 !!!").unwrap();
    support::assert_fails_with(
        &run(&["report", p.to_str().unwrap()]),
        "neither a harness result file",
    );
}
