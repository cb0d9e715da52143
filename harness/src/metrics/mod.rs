//! Measurements: latency histograms, percentiles, CPU times, worker activity and the
//! kernel's cost of one blocking send+recv pair.

pub mod activity;
pub mod cpu;
pub mod histogram;
pub mod hlog;
pub mod percentiles;
pub mod send_recv;

pub use cpu::CpuTime;
pub use histogram::{HistogramError, Latency};
pub use percentiles::Percentiles;
pub use send_recv::SendRecv;
