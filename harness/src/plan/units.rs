//! The one grammar for durations and sizes, used by every flag that takes one and by
//! `--park spin:D`: durations are [humantime]'s (`250ms`, `1.5s`, `2m`, `1h 30m`,
//! `50us`), plus a bare number meaning seconds (`5`, `0.5`); sizes are [parse_size]'s
//! with binary units (`64`, `4K`, `4KiB`, `4KB` and `1MiB` are all powers of 1024).

use std::time::Duration;

/// Parses a non-negative duration.
///
/// ```
/// use std::time::Duration;
/// use harness::plan::units::duration;
///
/// assert_eq!(duration("1.5ms"), Ok(Duration::from_micros(1500)));
/// assert_eq!(duration("2m 30s"), Ok(Duration::from_secs(150)));
/// assert_eq!(duration("5"), Ok(Duration::from_secs(5)));
/// assert!(duration("-1s").is_err());
/// ```
///
/// # Errors
///
/// A message naming the text and the grammar if it is not a duration.
pub fn duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let negative = || format!("`{text}` must be a finite, non-negative duration");
    if let Ok(secs) = t.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(|_| negative());
    }
    if t.starts_with('-') {
        return Err(negative());
    }
    humantime::parse_duration(t)
        .map_err(|e| format!("`{text}` is not a duration ({e}; examples: 5, 5s, 1.5ms, 250us, 2m)"))
}

/// Parses a size in bytes.
///
/// ```
/// use harness::plan::units::size;
///
/// assert_eq!(size("4KiB"), Ok(4096));
/// assert_eq!(size("1M"), Ok(1 << 20));
/// assert!(size("12XB").is_err());
/// ```
///
/// # Errors
///
/// A message naming the text if it is not a size.
pub fn size(text: &str) -> Result<u64, String> {
    parse_size::Config::new()
        .with_binary()
        .parse_size(text.trim())
        .map_err(|e| format!("`{text}` is not a size in bytes ({e}; examples: 64, 4KiB, 1MiB)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let ms = Duration::from_millis;
        assert_eq!(duration("1.5s"), Ok(ms(1500)));
        assert_eq!(duration("1.5ms"), Ok(Duration::from_micros(1500)));
        assert_eq!(duration("50µs"), Ok(Duration::from_micros(50)));
        assert_eq!(duration(" 0.25 "), Ok(ms(250)));
        assert_eq!(duration("0"), Ok(Duration::ZERO));
        for bad in ["", "-1", "-1s", "abc", "5 parsecs", "inf", "NaN"] {
            assert!(duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sizes() {
        for (text, bytes) in [("64B", 64), ("4k", 4096), ("4KB", 4096), ("1.5KiB", 1536)] {
            assert_eq!(size(text), Ok(bytes), "{text}");
        }
        for bad in ["", "-1", "KiB", "4 parsecs"] {
            assert!(size(bad).is_err(), "{bad:?}");
        }
    }
}
