//! SIGINT and SIGTERM: handled on a small thread of its own, so that partial results
//! can be saved.

use std::io;
use std::sync::mpsc;

use tokio::signal::unix::{signal, SignalKind};

/// Installs handlers for SIGINT and SIGTERM that call `on_signal` (on a dedicated
/// thread) each time one arrives. Returns once the handlers are in place.
///
/// # Errors
///
/// If the thread or the handlers cannot be set up.
pub fn on_signal(on_signal: impl Fn() + Send + 'static) -> io::Result<()> {
    let (ready_tx, ready) = mpsc::channel();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                let handlers = signal(SignalKind::interrupt())
                    .and_then(|int| Ok((int, signal(SignalKind::terminate())?)));
                let (mut int, mut term) = match handlers {
                    Ok(h) => {
                        let _ = ready_tx.send(Ok(()));
                        h
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                loop {
                    tokio::select! {
                        _ = int.recv() => on_signal(),
                        _ = term.recv() => on_signal(),
                    }
                }
            });
        })?;
    ready
        .recv()
        .map_err(|_| io::Error::other("the signal thread exited"))?
}
