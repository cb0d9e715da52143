//! Measurements: latency histograms, percentiles, CPU times, worker activity and the
//! loopback floor.

pub mod activity;
pub mod cpu;
pub mod floor;
pub mod histogram;
pub mod hlog;
pub mod percentiles;

pub use cpu::CpuTime;
pub use floor::Floor;
pub use histogram::{HistogramError, Latency};
pub use percentiles::Percentiles;
