//! SIGINT and SIGTERM: handled on a small thread of its own (signal-hook's iterator),
//! so that partial results can be saved.

use std::io;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Installs handlers for SIGINT and SIGTERM that call `on_signal` (on a dedicated
/// thread) each time one arrives. Returns once the handlers are in place.
///
/// # Errors
///
/// If the thread or the handlers cannot be set up.
pub fn on_signal(on_signal: impl Fn() + Send + 'static) -> io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || signals.forever().for_each(|_| on_signal()))?;
    Ok(())
}
