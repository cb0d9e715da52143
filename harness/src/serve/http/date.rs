//! The `Date` header, formatted once a second per thread, not once per request.

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

/// This thread's formatted date and the second it was formatted for.
struct Cached {
    second: u64,
    value: Bytes,
}

thread_local! {
    static CACHED: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

/// The current date in the IMF-fixdate format of RFC 9110 (`Sun, 06 Nov 1994 08:49:37
/// GMT`), as the `Date` header wants it. Each thread formats it again only when the
/// wall clock has moved to another second; otherwise this is a clock read (a vDSO
/// call) and a reference-count increment.
pub(crate) fn now() -> Bytes {
    let now = SystemTime::now();
    let second = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    CACHED.with(|cached| {
        let mut cached = cached.borrow_mut();
        match &*cached {
            Some(c) if c.second == second => c.value.clone(),
            _ => {
                let value = Bytes::from(httpdate::fmt_http_date(now));
                *cached = Some(Cached {
                    second,
                    value: value.clone(),
                });
                value
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_parses_and_is_reused_within_a_second() {
        let a = now();
        let b = now();
        let parsed = httpdate::parse_http_date(std::str::from_utf8(&a).unwrap()).unwrap();
        let age = SystemTime::now().duration_since(parsed).unwrap();
        assert!(age.as_secs() <= 2, "{age:?}");
        // Within one second the same buffer is handed out (or the second just turned).
        assert!(a.as_ptr() == b.as_ptr() || a != b);
        assert!(a.ends_with(b" GMT"));
    }
}
