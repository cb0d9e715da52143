//! HdrHistogram interval logs (`.hlog`, the standard format HdrHistogram's tools
//! read): a run's latency as one histogram per second, tagged by backend.

use std::time::{Duration, UNIX_EPOCH};

use hdrhistogram::serialization::interval_log::{
    IntervalLogIterator, IntervalLogWriterBuilder, LogEntry, Tag,
};
use hdrhistogram::serialization::{Deserializer, V2DeflateSerializer};

use super::histogram::{self, merge, HistogramError, Latency};

/// One interval of a log.
#[derive(Clone, Debug)]
pub struct Interval {
    /// The tag (the backend), if any.
    pub tag: Option<String>,
    /// When the interval starts, seconds after the log's start.
    pub start_s: f64,
    /// Its length, seconds.
    pub duration_s: f64,
    /// The latencies completed in it, µs.
    pub histogram: Latency,
}

impl Interval {
    /// Requests per second completed in the interval.
    pub fn rate(&self) -> f64 {
        if self.duration_s > 0.0 {
            self.histogram.len() as f64 / self.duration_s
        } else {
            0.0
        }
    }
}

/// A parsed interval log.
#[derive(Clone, Debug, Default)]
pub struct IntervalLog {
    /// `#[StartTime: ...]`, seconds since the Unix epoch, if present.
    pub start_unix_s: Option<f64>,
    /// The intervals, in file order.
    pub intervals: Vec<Interval>,
}

impl IntervalLog {
    /// Every interval merged into one histogram.
    pub fn total(&self) -> Latency {
        let mut all = histogram::new();
        for i in &self.intervals {
            let _ = merge(&mut all, &i.histogram);
        }
        all
    }
}

/// Why an interval log could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum HlogError {
    /// A histogram of the run could not be encoded or decoded.
    #[error("{0}")]
    Histogram(HistogramError),
    /// The text is not an interval log. Fix: pass a `.hlog` file the harness (or
    /// HdrHistogram) wrote.
    #[error("not an HdrHistogram interval log (at byte {offset})")]
    Parse {
        /// The byte offset of the first line that does not parse.
        offset: usize,
    },
    /// Writing the log failed.
    #[error("cannot write the interval log: {0}")]
    Write(String),
}

/// Writes intervals of `interval_s` seconds, the first starting at `start_unix_s`,
/// tagged `tag` (which must not hold `,` or spaces; they are replaced by `_`), with
/// `comments` as header lines.
///
/// ```
/// let mut h = harness::metrics::histogram::new();
/// h.record(42).unwrap();
/// let text = harness::metrics::hlog::write(1.7e9, 1.0, &[h], "tokio", &["a run"]).unwrap();
/// let log = harness::metrics::hlog::parse(&text).unwrap();
/// assert_eq!(log.intervals.len(), 1);
/// assert_eq!(log.intervals[0].tag.as_deref(), Some("tokio"));
/// assert_eq!(log.total().len(), 1);
/// ```
///
/// # Errors
///
/// If a histogram cannot be serialized.
pub fn write(
    start_unix_s: f64,
    interval_s: f64,
    histograms: &[Latency],
    tag: &str,
    comments: &[&str],
) -> Result<String, HlogError> {
    let tag: String = tag
        .chars()
        .map(|c| {
            if c == ',' || c.is_whitespace() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut serializer = V2DeflateSerializer::new();
    let mut builder = IntervalLogWriterBuilder::new();
    for c in comments {
        builder.add_comment(c);
    }
    let start = UNIX_EPOCH + Duration::from_secs_f64(start_unix_s.max(0.0));
    builder.with_start_time(start).with_base_time(start);
    let mut writer = builder
        .begin_log_with(&mut out, &mut serializer)
        .map_err(|e| HlogError::Write(e.to_string()))?;
    for (i, h) in histograms.iter().enumerate() {
        writer
            .write_histogram(
                h,
                Duration::from_secs_f64(interval_s * i as f64),
                Duration::from_secs_f64(interval_s),
                Tag::new(&tag),
            )
            .map_err(|e| HlogError::Write(e.to_string()))?;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Whether `text` looks like an interval log (rather than JSON or base64).
pub fn looks_like(text: &str) -> bool {
    let text = text.trim_start();
    text.starts_with('#') || text.starts_with("\"StartTimestamp\"") || text.starts_with("Tag=")
}

/// Parses an interval log; interval start times are made relative to its start (its
/// `BaseTime`, else its `StartTime`, else as written).
///
/// # Errors
///
/// [`HlogError::Parse`] for malformed lines, [`HlogError::Histogram`] for a histogram
/// that does not decode.
pub fn parse(text: &str) -> Result<IntervalLog, HlogError> {
    let mut log = IntervalLog::default();
    let mut base: Option<f64> = None;
    // The parser wants every line, the last included, to end with a newline.
    let text = format!("{}\n", text.trim_end());
    for entry in IntervalLogIterator::new(text.as_bytes()) {
        match entry {
            Err(hdrhistogram::serialization::interval_log::LogIteratorError::ParseError {
                offset,
            }) => return Err(HlogError::Parse { offset }),
            Ok(LogEntry::StartTime(t)) => log.start_unix_s = Some(t.as_secs_f64()),
            Ok(LogEntry::BaseTime(t)) => base = Some(t.as_secs_f64()),
            Ok(LogEntry::Interval(i)) => {
                let bytes = base64::Engine::decode(
                    &base64::engine::general_purpose::STANDARD,
                    i.encoded_histogram(),
                )
                .map_err(|e| HlogError::Histogram(HistogramError::Base64(e)))?;
                let decoded: Latency = Deserializer::new()
                    .deserialize(&mut bytes.as_slice())
                    .map_err(|e| HlogError::Histogram(HistogramError::Decode(e)))?;
                let mut h = histogram::new();
                merge(&mut h, &decoded).map_err(HlogError::Histogram)?;
                let mut start = i.start_timestamp().as_secs_f64();
                // Absolute timestamps (no BaseTime) become relative to the StartTime.
                if base.is_none() {
                    if let Some(s) = log.start_unix_s {
                        if start >= s {
                            start -= s;
                        }
                    }
                }
                log.intervals.push(Interval {
                    tag: i.tag().map(|t| t.as_str().to_owned()),
                    start_s: start,
                    duration_s: i.duration().as_secs_f64(),
                    histogram: h,
                });
            }
        }
    }
    if log.intervals.is_empty() && log.start_unix_s.is_none() && base.is_none() {
        return Err(HlogError::Parse { offset: 0 });
    }
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_intervals_in_order() {
        let hs: Vec<Latency> = (1..=3)
            .map(|n| {
                let mut h = histogram::new();
                for v in 0..n * 10 {
                    h.record(v + 1).unwrap();
                }
                h
            })
            .collect();
        let text = write(1_700_000_000.0, 1.0, &hs, "tokio mt", &["x"]).unwrap();
        assert!(text.contains("#[StartTime: 1700000000.000"), "{text}");
        let log = parse(&text).unwrap();
        assert_eq!(log.intervals.len(), 3);
        assert_eq!(log.intervals[2].start_s, 2.0);
        assert_eq!(log.intervals[2].tag.as_deref(), Some("tokio_mt"));
        assert_eq!(log.intervals[1].rate(), 20.0);
        assert_eq!(log.total().len(), 60);
        assert!(parse("not a log").is_err());
        assert_eq!(parse(text.trim()).unwrap().intervals.len(), 3);
    }
}
