//! TCP types implementing the pool-core net traits on mio sockets registered with the
//! current worker's reactor.

mod listener;
mod stream;

pub use listener::TcpListener;
pub use stream::{Connect, TcpStream};
