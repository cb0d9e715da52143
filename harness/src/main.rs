//! harness (under construction)
fn main() {}
