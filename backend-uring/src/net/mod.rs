//! TCP types implementing the pool-core net traits on sockets driven by the current
//! worker's io_uring.

mod listener;
mod stream;

pub use listener::TcpListener;
pub use stream::{Connect, TcpStream};
