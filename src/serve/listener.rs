//! The listening socket and the request workers around `tiny_http`.
//!
//! 1. The socket is made with socket2, so the kernel queues up to
//!    [`LISTEN_BACKLOG`] new connections (std asks for 128), and handed to
//!    `tiny_http::Server::from_listener`, whose accept thread gives each
//!    connection a thread of its own that reads its requests.
//! 2. A fixed pool of [`WORKERS`] threads takes the requests and answers them.
//! 3. `tiny_http` sets no timeouts on a connection, so the socket carries
//!    them: Linux copies a listening socket's send and receive timeouts into
//!    every connection it accepts. A client that stops reading for
//!    [`WRITE_TIMEOUT`] loses its connection instead of holding a worker (or a
//!    live-reload slot), and a connection silent for [`READ_TIMEOUT`] (an idle
//!    keep-alive, or one that never sends a request) is closed and its thread
//!    freed.
//! 4. The receive timeout also bounds `accept`, and `tiny_http`'s accept
//!    thread stops for good at its first error. So a heartbeat connects to
//!    the server every [`HEARTBEAT`] (a connection that sends nothing, closed
//!    at once), and should the accept thread stop anyway (a missed heartbeat,
//!    or an error such as running out of file descriptors), a supervisor
//!    starts a new `tiny_http::Server` on the same socket, after a pause that
//!    grows while the errors repeat. The old server's workers answer its
//!    remaining connections, then end.
//!
//! Limits that remain (inherent to `tiny_http` 0.12): a thread per open
//! connection, with no bound on their number (idle ones last at most
//! [`READ_TIMEOUT`]); no deadline on a whole request head, so a client that
//! sends a byte every few seconds keeps its connection, and its thread, for as
//! long as it likes; no way to answer `Connection: close` (the connection
//! stays open until the client closes it or falls silent).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::time::{Duration, Instant};

use tiny_http::{Request, Server};

/// Connections the kernel queues for the accept thread. With std's 128, a
/// burst of more new connections than that (a page's assets in several
/// tabs, the load test) had some dropped, and their clients waited a second
/// to retry.
pub const LISTEN_BACKLOG: i32 = 1024;

/// How long one write to a client may wait for it to read.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a connection may stay silent before it is closed; also how long
/// `accept` waits.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the heartbeat connects, well within [`READ_TIMEOUT`].
pub const HEARTBEAT: Duration = Duration::from_secs(2);

/// Threads answering requests (each answer is a copy from memory, but a
/// write may wait on a slow client up to [`WRITE_TIMEOUT`]).
pub const WORKERS: usize = 8;

/// What answers a request.
pub type Handler = Arc<dyn Fn(Request) + Send + Sync>;

/// Listen on `interface:port` (each address it names, in turn).
fn listen(interface: &str, port: u16) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let mut last = std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no address");
    for addr in std::net::ToSocketAddrs::to_socket_addrs(&(interface, port))? {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        // As std does: a restarted server may bind while old connections linger.
        #[cfg(unix)]
        socket.set_reuse_address(true)?;
        // Inherited by every accepted connection (see the module doc).
        socket.set_write_timeout(Some(WRITE_TIMEOUT))?;
        socket.set_read_timeout(Some(READ_TIMEOUT))?;
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

/// Serve `listener` with `tiny_http` (see the module doc) until the process
/// ends; `handle` answers each request on one of [`WORKERS`] threads.
pub fn serve(listener: TcpListener, handle: Handler) -> Result<(), String> {
    run(listener, handle, Some(HEARTBEAT))
}

fn run(listener: TcpListener, handle: Handler, heartbeat: Option<Duration>) -> Result<(), String> {
    let cannot = |e: &dyn std::fmt::Display| format!("cannot start the server: {e}");
    let addr = heartbeat_addr(listener.local_addr().map_err(|e| cannot(&e))?);
    let first = start(&listener, &handle).map_err(|e| cannot(&e))?;
    std::thread::spawn(move || supervise(&listener, &handle, first));
    if let Some(every) = heartbeat {
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(every);
                // Only the connection matters; it is closed at once.
                let _ = TcpStream::connect_timeout(&addr, every);
            }
        });
    }
    Ok(())
}

/// Where the heartbeat connects: the listening address, or loopback when
/// listening on every interface.
fn heartbeat_addr(mut addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    addr
}

/// One `tiny_http::Server` on the socket and its workers; the receiver
/// learns when its accept thread has stopped, and why.
struct Generation {
    stopped: std::sync::mpsc::Receiver<std::io::Error>,
    retired: Arc<AtomicBool>,
}

fn start(listener: &TcpListener, handle: &Handler) -> std::io::Result<Generation> {
    let server = Server::from_listener(listener.try_clone()?, None)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let server = Arc::new(server);
    let retired = Arc::new(AtomicBool::new(false));
    let (tx, stopped) = channel();
    for _ in 0..WORKERS {
        let (server, handle, retired, tx) = (
            Arc::clone(&server),
            Arc::clone(handle),
            Arc::clone(&retired),
            tx.clone(),
        );
        std::thread::spawn(move || work(&server, &handle, &retired, &tx));
    }
    Ok(Generation { stopped, retired })
}

/// Answer requests; once the server is retired, end after a silence long
/// enough that every connection it accepted has been closed.
fn work(server: &Server, handle: &Handler, retired: &AtomicBool, stopped: &Sender<std::io::Error>) {
    let mut last = Instant::now();
    loop {
        match server.recv_timeout(READ_TIMEOUT) {
            Ok(Some(req)) => {
                last = Instant::now();
                // A bug in answering one request must not take a worker away.
                let answer = std::panic::AssertUnwindSafe(|| handle(req));
                let _ = std::panic::catch_unwind(answer);
            }
            Ok(None) => {
                if retired.load(Ordering::SeqCst) && last.elapsed() > 2 * READ_TIMEOUT {
                    return;
                }
            }
            // The accept thread reports its last error, then stops.
            Err(e) => {
                let _ = stopped.send(e);
            }
        }
    }
}

/// Start a new server each time the current one stops accepting: at once
/// after a timed-out accept (a missed heartbeat), else after a pause that
/// grows while the errors repeat.
fn supervise(listener: &TcpListener, handle: &Handler, mut current: Generation) {
    const FIRST_PAUSE: Duration = Duration::from_millis(50);
    let mut pause = FIRST_PAUSE;
    loop {
        let started = Instant::now();
        let Ok(error) = current.stopped.recv() else {
            return;
        };
        current.retired.store(true, Ordering::SeqCst);
        if error.kind() != std::io::ErrorKind::WouldBlock {
            if started.elapsed() > Duration::from_secs(60) {
                pause = FIRST_PAUSE;
            }
            eprintln!(
                "warning: the server stopped accepting connections ({error}); accepting again in {} ms",
                pause.as_millis()
            );
            std::thread::sleep(pause);
            pause = (pause * 4).min(Duration::from_secs(5));
        }
        current = loop {
            match start(listener, handle) {
                Ok(next) => break next,
                Err(e) => {
                    eprintln!("warning: cannot accept connections ({e}); trying again");
                    std::thread::sleep(pause);
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A request answered by a `run` without heartbeat.
    fn get(addr: SocketAddr) -> String {
        let mut c = TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut text = String::new();
        c.read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn accepts_again_after_accept_stops() {
        // A socket whose accept times out every 50 ms, and no heartbeat:
        // tiny_http's accept thread stops each time, and is started again.
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        socket.bind(&addr.into()).unwrap();
        socket.listen(16).unwrap();
        let listener: TcpListener = socket.into();
        let addr = listener.local_addr().unwrap();
        let handle: Handler = Arc::new(|req: Request| {
            let _ = req.respond(tiny_http::Response::from_string("hello"));
        });
        run(listener, handle, None).unwrap();
        for _ in 0..3 {
            std::thread::sleep(Duration::from_millis(300));
            let text = get(addr);
            assert!(text.starts_with("HTTP/1.1 200"), "{text}");
            assert!(text.ends_with("hello"), "{text}");
        }
    }

    #[test]
    fn connections_inherit_the_timeouts() {
        let (listener, _) = bind("127.0.0.1", 0).unwrap();
        let addr = listener.local_addr().unwrap();
        let _client = TcpStream::connect(addr).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        assert_eq!(accepted.read_timeout().unwrap(), Some(READ_TIMEOUT));
        assert_eq!(accepted.write_timeout().unwrap(), Some(WRITE_TIMEOUT));
    }
}
