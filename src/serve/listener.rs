//! The listening socket and the request workers around `tiny_http`.
//!
//! The socket is made with socket2, so the kernel queues up to
//! [`LISTEN_BACKLOG`] new connections (std asks for 128), and carries a send
//! timeout that every accepted connection inherits (Linux copies it): a
//! client that stops reading cannot hold a worker, or a live-reload stream,
//! for longer than [`WRITE_TIMEOUT`]. `tiny_http::Server::from_listener`
//! accepts on it; a fixed pool of [`WORKERS`] threads answers the requests.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use tiny_http::{Request, Server};

/// Connections the kernel queues for the accept thread. With std's 128, a
/// burst of more new connections than that (a page's assets in several
/// tabs, the load test) had some dropped, and their clients waited a second
/// to retry.
pub const LISTEN_BACKLOG: i32 = 1024;

/// How long one write to a client may wait for it to read.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Threads answering requests (each answer is a copy from memory).
pub const WORKERS: usize = 8;

/// Listen on `interface:port` (each address it names, in turn).
fn listen(interface: &str, port: u16) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let mut last = std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no address");
    for addr in std::net::ToSocketAddrs::to_socket_addrs(&(interface, port))? {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        // As std does: a restarted server may bind while old connections linger.
        #[cfg(unix)]
        socket.set_reuse_address(true)?;
        socket.set_write_timeout(Some(WRITE_TIMEOUT))?;
        match socket
            .bind(&addr.into())
            .and_then(|()| socket.listen(LISTEN_BACKLOG))
        {
            Ok(()) => return Ok(socket.into()),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Listen on the first free port from `port` on.
pub fn bind(interface: &str, port: u16) -> Result<(TcpListener, u16), String> {
    let mut last = String::new();
    for p in port..port.saturating_add(20) {
        match listen(interface, p) {
            Ok(l) => return Ok((l, p)),
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!(
        "cannot listen on {interface}:{port} to {}: {last}",
        port.saturating_add(19)
    ))
}

/// Serve `listener` with `tiny_http`, answering each request with `handle`
/// on one of [`WORKERS`] threads.
pub fn serve(
    listener: TcpListener,
    handle: &Arc<dyn Fn(Request) + Send + Sync>,
) -> Result<(), String> {
    let server = Server::from_listener(listener, None)
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let server = Arc::new(server);
    for _ in 0..WORKERS {
        let (server, handle) = (Arc::clone(&server), Arc::clone(handle));
        std::thread::spawn(move || {
            while let Ok(req) = server.recv() {
                handle(req);
            }
        });
    }
    Ok(())
}
