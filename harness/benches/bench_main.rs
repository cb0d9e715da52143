//! Criterion micro-benchmarks (under construction).
fn main() {}
