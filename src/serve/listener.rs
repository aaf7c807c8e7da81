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
//! 4. `tiny_http`'s accept thread stops for good at its first error (and the
//!    receive timeout also bounds `accept`), or dies in a panic when it
//!    cannot duplicate a connection's descriptor (out of file descriptors,
//!    as under a flood of idle connections). So a heartbeat asks the server
//!    for [`HEARTBEAT_PATH`] every [`HEARTBEAT`] (which also keeps `accept`
//!    from timing out), and a supervisor starts a new `tiny_http::Server` on
//!    the same socket whenever the accept thread reports an error or two
//!    heartbeats in a row go unanswered, after a pause that grows while the
//!    errors repeat. The old server's workers answer its remaining
//!    connections, then end (see [`REPLACED_QUIET`]).
//!
//! Limits that remain, inherent to `tiny_http` 0.12 (the server binds
//! loopback unless told otherwise, so it is exposed to local programs only):
//! - A thread and two file descriptors per open connection, with no bound on
//!   their number. A flood of idle connections holds them for
//!   [`READ_TIMEOUT`]; beyond the process's descriptor limit the accept
//!   thread dies and nothing is accepted (new connections wait in the
//!   kernel's queue) until the flood's connections are closed and the
//!   supervisor has started a new server: about 15 to 25 s after a flood of
//!   300 connections under a limit of 128 (`tests/serve_load.rs`).
//! - No deadline on a whole request head and no bound on its size: a client
//!   that sends a header line every few seconds keeps its connection (and
//!   thread) for as long as it likes, and an endless header line grows the
//!   server's memory.
//! - No way to answer `Connection: close` (`tiny_http` drops that header): a
//!   refused live-reload stream gets its whole 503, and the connection stays
//!   open until the client closes it or falls silent.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
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

/// How often the heartbeat asks, well within [`READ_TIMEOUT`].
pub const HEARTBEAT: Duration = Duration::from_secs(1);

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
    let (tx, stops) = channel();
    let current = Arc::new(AtomicU64::new(0));
    let first = start(&listener, &handle, 0, &tx).map_err(|e| cannot(&e))?;
    if let Some(every) = heartbeat {
        let (tx, current) = (tx.clone(), Arc::clone(&current));
        std::thread::spawn(move || beat(addr, every, &current, &tx));
    }
    std::thread::spawn(move || supervise(&listener, &handle, &stops, &tx, &current, first));
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

/// What the workers answer themselves, for the heartbeat.
pub const HEARTBEAT_PATH: &str = "/__fascia/heartbeat";

/// A server (by its generation) that has stopped accepting, or seems to.
struct Stop {
    generation: u64,
    error: std::io::Error,
    /// Its accept thread reported the error and ended. Otherwise the
    /// heartbeat went unanswered: the accept thread may have died in a
    /// panic, or the server may just be slow, still accepting.
    ended: bool,
}

/// Ask for [`HEARTBEAT_PATH`] every `every`; report the current server as
/// stopped after two unanswered asks in a row.
fn beat(addr: SocketAddr, every: Duration, current: &AtomicU64, stops: &Sender<Stop>) {
    let mut missed = 0;
    loop {
        std::thread::sleep(every);
        match ask(addr, every) {
            Ok(()) => missed = 0,
            Err(_) if missed == 0 => missed = 1,
            Err(error) => {
                missed = 0;
                let generation = current.load(Ordering::SeqCst);
                let _ = stops.send(Stop {
                    generation,
                    error,
                    ended: false,
                });
            }
        }
    }
}

/// One heartbeat: a request the workers answer with 204.
fn ask(addr: SocketAddr, wait: Duration) -> std::io::Result<()> {
    let mut c = TcpStream::connect_timeout(&addr, wait)?;
    c.set_read_timeout(Some(wait * 2))?;
    c.set_write_timeout(Some(wait))?;
    c.write_all(
        format!("GET {HEARTBEAT_PATH} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )?;
    let mut status = [0u8; 12];
    c.read_exact(&mut status)?;
    if &status == b"HTTP/1.1 204" {
        Ok(())
    } else {
        Err(std::io::Error::other("the heartbeat got a wrong answer"))
    }
}

/// One `tiny_http::Server` on the socket, with its workers.
struct Generation {
    number: u64,
    replaced: Arc<AtomicBool>,
}

/// A replaced server's workers end once no request has come for this long
/// (heartbeats included): by then every connection it accepted has been
/// closed (they close after [`READ_TIMEOUT`] of silence), and an accept
/// thread still alive would have taken some of the heartbeats (the kernel
/// hands new connections to each accept thread in turn).
const REPLACED_QUIET: Duration = Duration::from_secs(60);

fn start(
    listener: &TcpListener,
    handle: &Handler,
    number: u64,
    stops: &Sender<Stop>,
) -> std::io::Result<Generation> {
    let server = Server::from_listener(listener.try_clone()?, None)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let server = Arc::new(server);
    let replaced = Arc::new(AtomicBool::new(false));
    for _ in 0..WORKERS {
        let (server, handle, replaced, stops) = (
            Arc::clone(&server),
            Arc::clone(handle),
            Arc::clone(&replaced),
            stops.clone(),
        );
        std::thread::spawn(move || work(&server, &handle, &replaced, number, &stops));
    }
    Ok(Generation { number, replaced })
}

/// Answer requests; once the server is replaced, end after
/// [`REPLACED_QUIET`] without a request.
fn work(
    server: &Server,
    handle: &Handler,
    replaced: &AtomicBool,
    generation: u64,
    stops: &Sender<Stop>,
) {
    let mut last = Instant::now();
    loop {
        match server.recv_timeout(READ_TIMEOUT) {
            Ok(Some(req)) if req.url() == HEARTBEAT_PATH => {
                last = Instant::now();
                let _ = req.respond(tiny_http::Response::empty(204));
            }
            Ok(Some(req)) => {
                last = Instant::now();
                // A bug in answering one request must not take a worker away.
                let answer = std::panic::AssertUnwindSafe(|| handle(req));
                let _ = std::panic::catch_unwind(answer);
            }
            Ok(None) => {
                if replaced.load(Ordering::SeqCst) && last.elapsed() > REPLACED_QUIET {
                    return;
                }
            }
            // The accept thread reports its last error, then ends.
            Err(error) => {
                let _ = stops.send(Stop {
                    generation,
                    error,
                    ended: true,
                });
            }
        }
    }
}

/// Start a new server each time the current one stops accepting: at once
/// after a timed-out accept, else after a pause that grows while the errors
/// repeat.
fn supervise(
    listener: &TcpListener,
    handle: &Handler,
    stops: &Receiver<Stop>,
    tx: &Sender<Stop>,
    current_number: &AtomicU64,
    mut current: Generation,
) {
    const FIRST_PAUSE: Duration = Duration::from_millis(50);
    let mut pause = FIRST_PAUSE;
    let mut started = Instant::now();
    while let Ok(stop) = stops.recv() {
        if stop.generation != current.number {
            continue; // about a server already replaced
        }
        current.replaced.store(true, Ordering::SeqCst);
        if !stop.ended {
            eprintln!(
                "warning: the server did not answer its heartbeat ({}); accepting on a new one",
                stop.error
            );
        } else if stop.error.kind() != std::io::ErrorKind::WouldBlock {
            if started.elapsed() > Duration::from_secs(60) {
                pause = FIRST_PAUSE;
            }
            eprintln!(
                "warning: the server stopped accepting connections ({}); accepting again in {} ms",
                stop.error,
                pause.as_millis()
            );
            std::thread::sleep(pause);
            pause = (pause * 4).min(Duration::from_secs(5));
        }
        let number = current.number + 1;
        current = loop {
            match start(listener, handle, number, tx) {
                Ok(next) => break next,
                Err(e) => {
                    eprintln!("warning: cannot accept connections ({e}); trying again");
                    std::thread::sleep(pause);
                    pause = (pause * 4).min(Duration::from_secs(5));
                }
            }
        };
        current_number.store(number, Ordering::SeqCst);
        started = Instant::now();
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
