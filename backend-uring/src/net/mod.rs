//! TCP types implementing the pool-core net traits on sockets driven by the current
//! worker's io_uring.

mod buf;
mod listener;
mod stream;

pub use buf::UringBuf;

pub use listener::TcpListener;
pub use stream::{Connect, TcpStream};
