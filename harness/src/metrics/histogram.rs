//! Latency histograms: 1 µs to 60 s at 3 significant figures, recorded per thread and
//! merged (never averaged), serialized as HdrHistogram V2 + deflate + base64.

use std::fmt;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hdrhistogram::serialization::{
    DeserializeError, Deserializer, Serializer, V2DeflateSerializer,
};
use hdrhistogram::Histogram;

/// A latency histogram in microseconds.
pub type Latency = Histogram<u64>;

/// The lowest discernible value: 1 µs.
pub const LOWEST_US: u64 = 1;
/// The highest trackable value: 60 s. Larger values are recorded as 60 s.
pub const HIGHEST_US: u64 = 60_000_000;
/// Significant figures kept.
pub const SIGFIG: u8 = 3;

/// An empty latency histogram with the harness's bounds.
pub fn new() -> Latency {
    Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGFIG)
        .expect("1 µs..60 s at 3 significant figures is a valid histogram")
}

/// Records a duration, in microseconds, clamped into range.
pub fn record(h: &mut Latency, d: Duration) {
    let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    h.saturating_record(us.clamp(LOWEST_US, HIGHEST_US));
}

/// Why a histogram could not be merged, encoded or decoded.
#[derive(Debug)]
pub enum HistogramError {
    /// The text is not base64. Fix: pass the `histogram` field of a result file, or a
    /// `.hist` file the harness wrote.
    Base64(base64::DecodeError),
    /// The bytes are not an HdrHistogram V2 (deflate) histogram.
    Decode(DeserializeError),
    /// Serialization failed (should not happen for in-memory histograms).
    Encode(hdrhistogram::serialization::V2DeflateSerializeError),
    /// The histogram's range does not fit the harness's 1 µs..60 s histograms.
    Merge(hdrhistogram::AdditionError),
}

impl fmt::Display for HistogramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistogramError::Base64(e) => write!(f, "histogram is not valid base64: {e}"),
            HistogramError::Decode(DeserializeError::IoError(e))
                if e.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                f.write_str("not an HdrHistogram V2 histogram: the data ends early")
            }
            HistogramError::Decode(e) => write!(f, "not an HdrHistogram V2 histogram: {e}"),
            HistogramError::Encode(e) => write!(f, "cannot serialize histogram: {e}"),
            HistogramError::Merge(e) => write!(f, "cannot merge histograms: {e}"),
        }
    }
}

impl std::error::Error for HistogramError {}

/// Adds `from` into `into`.
///
/// # Errors
///
/// [`HistogramError::Merge`] if `from` holds values `into` cannot represent.
pub fn merge(into: &mut Latency, from: &Latency) -> Result<(), HistogramError> {
    into.add(from).map_err(HistogramError::Merge)
}

/// Serializes a histogram as V2 + deflate, base64-encoded (the format HdrHistogram's
/// other implementations read, e.g. in interval logs).
///
/// ```
/// let mut h = harness::metrics::histogram::new();
/// h.record(42).unwrap();
/// let text = harness::metrics::histogram::encode(&h).unwrap();
/// let back = harness::metrics::histogram::decode(&text).unwrap();
/// assert_eq!(back.len(), 1);
/// ```
///
/// # Errors
///
/// [`HistogramError::Encode`] if serialization fails.
pub fn encode(h: &Latency) -> Result<String, HistogramError> {
    let mut bytes = Vec::new();
    V2DeflateSerializer::new()
        .serialize(h, &mut bytes)
        .map_err(HistogramError::Encode)?;
    Ok(STANDARD.encode(bytes))
}

/// Decodes [`encode`]'s output (surrounding whitespace is ignored).
///
/// # Errors
///
/// [`HistogramError::Base64`] or [`HistogramError::Decode`] for malformed input.
pub fn decode(text: &str) -> Result<Latency, HistogramError> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(HistogramError::Base64)?;
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(HistogramError::Decode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_and_merges() {
        let mut a = new();
        record(&mut a, Duration::ZERO);
        record(&mut a, Duration::from_secs(3600));
        let mut b = new();
        record(&mut b, Duration::from_micros(100));
        merge(&mut a, &b).unwrap();
        assert_eq!(a.len(), 3);
        assert!(a.max() >= HIGHEST_US * 999 / 1000);
        let back = decode(&encode(&a).unwrap()).unwrap();
        assert_eq!(back.len(), 3);
        assert!(decode("not base64!").is_err());
    }
}
