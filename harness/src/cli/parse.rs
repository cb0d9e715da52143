//! Value parsers that validate flags: durations, message sizes, rates, addresses and
//! start times.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::plan::units;

/// The largest `--msg-size`: 1 MiB.
pub const MAX_MSG_SIZE: usize = 1 << 20;

/// Parses a positive duration in the harness's one grammar
/// ([`units::duration`](crate::plan::units::duration): `5` seconds, `5s`, `250ms`,
/// `1.5ms`, `2m`).
///
/// ```
/// use std::time::Duration;
/// assert_eq!(harness::cli::parse_duration("250ms"), Ok(Duration::from_millis(250)));
/// assert!(harness::cli::parse_duration("0").is_err());
/// ```
///
/// # Errors
///
/// A message for clap if the text is not a positive duration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let d = parse_duration_allow_zero(text)?;
    if d.is_zero() {
        return Err("must be greater than 0".to_owned());
    }
    Ok(d)
}

/// Parses a duration like [`parse_duration`] but accepts `0`.
///
/// # Errors
///
/// A message for clap if the text is not a duration of at most a year.
pub fn parse_duration_allow_zero(text: &str) -> Result<Duration, String> {
    let d = units::duration(text)?;
    if d > Duration::from_secs(86_400 * 365) {
        return Err(format!("`{text}` is longer than a year"));
    }
    Ok(d)
}

/// Parses a message size in bytes ([`units::size`](crate::plan::units::size): `64`,
/// `4KiB`, `1MiB`, also `k`/`K`/`KB`, `M`/`MB`, all powers of 1024), between 1 B and
/// 1 MiB.
///
/// ```
/// assert_eq!(harness::cli::parse_msg_size("4KiB"), Ok(4096));
/// assert!(harness::cli::parse_msg_size("0").is_err());
/// assert!(harness::cli::parse_msg_size("2MiB").is_err());
/// ```
///
/// # Errors
///
/// A message for clap if the size is not a number of bytes in range.
pub fn parse_msg_size(text: &str) -> Result<usize, String> {
    let bytes = units::size(text)?;
    if bytes == 0 || bytes > MAX_MSG_SIZE as u64 {
        return Err(format!(
            "must be between 1 B and 1 MiB ({MAX_MSG_SIZE} B), got {bytes} B"
        ));
    }
    Ok(bytes as usize)
}

/// Parses a positive, finite request rate (requests per second).
///
/// ```
/// assert_eq!(harness::cli::parse_rate("1000"), Ok(1000.0));
/// assert!(harness::cli::parse_rate("0").is_err());
/// ```
///
/// # Errors
///
/// A message for clap if the rate is not a positive number.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of requests per second"))?;
    if !rate.is_finite() || rate <= 0.0 {
        return Err("must be greater than 0".to_owned());
    }
    Ok(rate)
}

/// Parses `--hot-fraction`: a share of the connections, more than 0 and at most 1.
///
/// ```
/// assert_eq!(harness::cli::parse_fraction("0.25"), Ok(0.25));
/// assert!(harness::cli::parse_fraction("0").is_err());
/// assert!(harness::cli::parse_fraction("1.5").is_err());
/// ```
///
/// # Errors
///
/// A message for clap if the text is not a number in `(0, 1]`.
pub fn parse_fraction(text: &str) -> Result<f64, String> {
    let f: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number (a share such as 0.1)"))?;
    if !(f > 0.0 && f <= 1.0) {
        return Err("must be more than 0 and at most 1 (0.1 = one connection in ten)".to_owned());
    }
    Ok(f)
}

/// A duration flag's value: shown as seconds (`10s`) in `--help`, parsed by
/// [`parse_duration`] or [`parse_duration_allow_zero`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Secs(pub Duration);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0.as_secs_f64())
    }
}

/// [`parse_duration`], as a [`Secs`].
///
/// # Errors
///
/// As [`parse_duration`].
pub(super) fn parse_secs(text: &str) -> Result<Secs, String> {
    parse_duration(text).map(Secs)
}

/// [`parse_duration_allow_zero`], as a [`Secs`].
///
/// # Errors
///
/// As [`parse_duration_allow_zero`].
pub(super) fn parse_secs_allow_zero(text: &str) -> Result<Secs, String> {
    parse_duration_allow_zero(text).map(Secs)
}

/// Parses `HOST:PORT`, where the host is an IP address or a name to resolve
/// (`127.0.0.1:0`, `localhost:7000`, `[::1]:7000`, `server.lan:7000`). A name that
/// resolves to several addresses takes the first IPv4 one, or else the first.
///
/// ```
/// use std::net::SocketAddr;
/// let addr = harness::cli::parse_host_port("localhost:0").unwrap();
/// assert!(addr.ip().is_loopback());
/// assert!(harness::cli::parse_host_port("localhost").is_err());
/// ```
///
/// # Errors
///
/// A message for clap if the text is not `HOST:PORT` or the host does not resolve.
pub fn parse_host_port(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let shape =
        || format!("`{text}` is not HOST:PORT (examples: 127.0.0.1:0, localhost:7000, [::1]:7000)");
    let (host, port) = text.rsplit_once(':').ok_or_else(shape)?;
    if host.is_empty() || port.parse::<u16>().is_err() {
        return Err(shape());
    }
    let addrs: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve `{host}`: {e}"))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| format!("`{host}` resolves to no address"))
}

/// Parses a start time: Unix seconds (`1767225600`, `1767225600.5`, as
/// `date +%s` prints), or `+DURATION` from now (`+10s`).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let at = harness::cli::parse_start_at("1767225600.5").unwrap();
/// assert_eq!(at, UNIX_EPOCH + Duration::from_millis(1_767_225_600_500));
/// assert!(harness::cli::parse_start_at("+5s").is_ok());
/// assert!(harness::cli::parse_start_at("soon").is_err());
/// ```
///
/// # Errors
///
/// A message for clap if the text is neither.
pub fn parse_start_at(text: &str) -> Result<SystemTime, String> {
    let t = text.trim();
    if let Some(rel) = t.strip_prefix('+') {
        return parse_duration_allow_zero(rel).map(|d| SystemTime::now() + d);
    }
    let secs: f64 = t.parse().map_err(|_| {
        format!("`{text}` is not a start time: give Unix seconds (`date +%s`) or +DURATION (+10s)")
    })?;
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("`{text}` is not a time after 1970"));
    }
    Ok(UNIX_EPOCH + Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secs_round_trip() {
        for d in [
            Duration::from_secs(10),
            Duration::from_millis(250),
            Duration::ZERO,
        ] {
            assert_eq!(parse_secs_allow_zero(&Secs(d).to_string()), Ok(Secs(d)));
        }
    }

    #[test]
    fn host_ports() {
        assert_eq!(
            parse_host_port("127.0.0.1:80"),
            Ok(SocketAddr::from(([127, 0, 0, 1], 80)))
        );
        assert!(parse_host_port("[::1]:80").unwrap().is_ipv6());
        assert!(parse_host_port("localhost:99999").is_err());
        assert!(parse_host_port(":80").is_err());
    }

    /// The ranges; the grammar itself is tested in `plan::units`.
    #[test]
    fn duration_and_size_ranges() {
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("0s").is_err() && parse_duration("366days").is_err());
        assert_eq!(parse_duration_allow_zero("0"), Ok(Duration::ZERO));
        assert_eq!(parse_msg_size("1"), Ok(1));
        assert_eq!(parse_msg_size("1MiB"), Ok(MAX_MSG_SIZE));
        assert!(parse_msg_size("1048577").is_err() && parse_msg_size("12XB").is_err());
    }

    #[test]
    fn rates() {
        assert!(parse_rate("-5").is_err());
        assert!(parse_rate("inf").is_err());
        assert!(parse_rate("NaN").is_err());
        assert_eq!(parse_rate("2.5"), Ok(2.5));
    }

    #[test]
    fn fractions() {
        assert_eq!(parse_fraction("1"), Ok(1.0));
        assert_eq!(parse_fraction(" 0.1 "), Ok(0.1));
        for bad in ["0", "-0.1", "1.01", "NaN", "inf", "a tenth", ""] {
            let err = parse_fraction(bad).unwrap_err();
            assert!(err.contains("0.1"), "{bad:?}: {err}");
        }
    }
}
