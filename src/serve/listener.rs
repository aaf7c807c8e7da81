//! The listening socket and the connections: a socket in, connections
//! admitted within bounds, each served on a thread of its own
//! ([`super::connection`]).
//!
//! 1. The socket is made with socket2, so the kernel queues up to
//!    [`LISTEN_BACKLOG`] new connections (std asks for 128).
//! 2. One thread accepts, forever: an error (out of file descriptors, a
//!    connection aborted before it was taken) pauses it, never stops it.
//! 3. Each connection takes a slot ([`super::slots`]): at most
//!    [`MAX_CONNECTIONS`] in all (fewer when the process may open fewer
//!    files: [`connection_bounds`]) and three quarters of that from one
//!    address. At a bound a newcomer takes the slot of a connection that is
//!    only waiting (for its next request, or for the rest of a head), else it
//!    is refused with a 503 written without waiting, and closed.
//! 4. Its thread reads one request head at a time, bounded in size and line
//!    count (431, 414; a body over its bound is 413), with [`READ_TIMEOUT`]
//!    to wait for it and [`HEAD_DEADLINE`] to receive it whole once begun
//!    (408); a head that could be read two ways (two `Host` or
//!    `Content-Length` headers, `Transfer-Encoding`, a folded line) is
//!    refused (400, 501). A refusal closes the connection. It answers, writes
//!    the answer, and only then reads the next request: pipelined requests
//!    wait in the client's own socket. An answer is abandoned, and the
//!    connection closed, when 64 KiB of it take longer than
//!    [`WRITE_TIMEOUT`] to write (see [`super::connection`]).
//! 5. Connection threads run [`REQUEST_NICENESS`] steps nicer than the rest
//!    of the process (Linux), so a crowd of clients cannot starve the
//!    rebuild an edit is waiting for; the accept thread keeps its priority.
//!
//! Why not `tiny_http`'s own connections: its accept thread ends at its
//! first error; it gives every connection a thread with no bound on their
//! number; it reads a head with no bound on its size and no deadline; and it
//! reads pipelined requests ahead into one queue shared by a fixed pool of
//! workers, where each waits its turn to write behind the answer before it.
//! Eight clients that pipelined and never read thus held every worker, for a
//! write timeout per queued request (nobody was answered for over 100 s).
//! None of this can be configured. A proxy in front, handing checked
//! requests to `tiny_http` over a local socket, would need all of the above
//! anyway (to keep one request per connection in flight it must read every
//! head and find where each answer ends) and would double the threads and
//! file descriptors per connection. So fascia reads requests and writes
//! answers itself, and keeps of `tiny_http` what is sound in it: the
//! `Response` and `Header` types the handler makes its answers with.
//!
//! Limits that remain (the server binds loopback unless told otherwise, so
//! it is exposed to local programs only):
//! - On one address, busy connections cannot give way: a client on the same
//!   address as the browser (on loopback, any local program) that holds
//!   three quarters of [`MAX_CONNECTIONS`] connections each reading a large
//!   answer just fast enough (64 KiB per [`WRITE_TIMEOUT`]), or holding
//!   live-reload streams (at most [`super::MAX_RELOAD_CLIENTS`]), has new
//!   connections from that address refused (503) until one ends. Other
//!   addresses keep the remaining quarter.
//! - A thread per open connection (up to [`MAX_CONNECTIONS`], each with a
//!   small stack: [`CONNECTION_STACK`]), and a connection that is only
//!   waiting costs its thread until [`READ_TIMEOUT`] or until it gives way.
//! - HTTP/1.0 and 1.1 only, and no request bodies beyond
//!   [`super::http::MAX_BODY`] (nothing here takes one).

use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::connection::{self, Handler, OpenSlots};
use super::slots::{Admission, Slots};

pub use super::connection::Answer;

/// Connections the kernel queues for the accept thread.
pub const LISTEN_BACKLOG: i32 = 1024;

/// How long 64 KiB of an answer (or one write to a live-reload stream) may
/// take to reach a client before it is let go.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a connection may wait silent for its next request (an idle
/// keep-alive, or one that never sends a request) before it is closed.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request head (and its body) may take to arrive once its first
/// byte has: a client sending a line every few seconds is answered 408 and
/// closed after this.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(10);

/// Most connections open at once.
pub const MAX_CONNECTIONS: usize = 512;

/// File descriptors kept for everything else (the watcher, a rebuild
/// reading the site, the standard streams).
const RESERVED_DESCRIPTORS: usize = 64;

/// Stack of a connection's thread (answers are copies from memory; nothing
/// recursive runs there).
pub const CONNECTION_STACK: usize = 256 * 1024;

/// Listen on `interface:port` (each address it names, in turn).
fn listen(interface: &str, port: u16) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let mut last = std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no address");
    for addr in std::net::ToSocketAddrs::to_socket_addrs(&(interface, port))? {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        // As std does: a restarted server may bind while old connections linger.
        #[cfg(unix)]
        socket.set_reuse_address(true)?;
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

/// The bounds on connections (in all, and from one address) for a process
/// that may open `descriptors` files (each connection takes one).
/// Half the room goes to connections, half to connections that gave way
/// and are still closing ([`Slots::admit`]).
pub fn connection_bounds(descriptors: Option<usize>) -> (usize, usize) {
    let room = descriptors.map_or(2 * MAX_CONNECTIONS, |n| {
        n.saturating_sub(RESERVED_DESCRIPTORS)
    });
    let total = (room / 2).clamp(4, MAX_CONNECTIONS);
    (total, total * 3 / 4)
}

/// How many files this process may open (Linux: `/proc/self/limits`).
fn descriptor_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Serve `listener` until the process ends (see the module doc); `handler`
/// answers each request.
pub fn serve(listener: TcpListener, handler: Handler) -> Result<(), String> {
    let (total, per_address) = connection_bounds(descriptor_limit());
    let slots: Arc<OpenSlots> = Arc::new(Mutex::new(Slots::new(total, per_address)));
    std::thread::Builder::new()
        .name("fascia-accept".into())
        .spawn(move || accept_forever(&listener, &slots, &handler))
        .map_err(|e| format!("cannot start the server: {e}"))?;
    Ok(())
}

/// How much lower than the rest of the process every connection thread
/// runs (the accept thread keeps the process's priority, so a newcomer is
/// taken promptly). The scheduler shares a busy CPU by thread, so under a couple of
/// hundred busy connections a rebuild at the same priority got a few percent
/// of it: an edit that takes 0.7 s took 10 to 18 s to show (measured by
/// `tests/serve_load.rs`). Ten steps of niceness weigh a thread about a
/// tenth of one at the process's own (Linux's weights: 110 against 1024);
/// on an idle machine it changes nothing.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub const REQUEST_NICENESS: i32 = 10;

/// Lower this thread's priority by [`REQUEST_NICENESS`] (never needs a
/// privilege: only raising one does). On Linux niceness is per thread.
fn yield_to_rebuilds() {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        if let Ok(now) = getpriority_process(None) {
            let _ = setpriority_process(None, (now + REQUEST_NICENESS).min(19));
        }
    }
}

fn accept_forever(listener: &TcpListener, slots: &Arc<OpenSlots>, handler: &Handler) {
    let mut warned: Option<Instant> = None;
    loop {
        // Connections that gave way still hold their descriptors until their
        // threads run: let them, and leave the newcomer in the kernel's queue.
        if slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .saturated()
        {
            std::thread::sleep(Duration::from_millis(1));
            continue;
        }
        match listener.accept() {
            Ok((stream, peer)) => admit(stream, peer.ip(), slots, handler),
            Err(e) => {
                // Out of file descriptors or memory: the connection waits in
                // the kernel's queue while others end.
                let scarce = matches!(e.raw_os_error(), Some(23 | 24 | 105 | 12));
                if scarce && warned.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                    eprintln!("warning: cannot accept a connection ({e}); trying again");
                    warned = Some(Instant::now());
                }
                let pause = if scarce { 50 } else { 1 };
                std::thread::sleep(Duration::from_millis(pause));
            }
        }
    }
}

/// Give a new connection a slot and a thread, or refuse it.
fn admit(stream: TcpStream, address: IpAddr, slots: &Arc<OpenSlots>, handler: &Handler) {
    let stream = Arc::new(stream);
    let admission = slots.lock().unwrap_or_else(PoisonError::into_inner).admit(
        address,
        Arc::clone(&stream),
        Instant::now(),
    );
    let id = match admission {
        Admission::Admitted(id) => id,
        Admission::Replacing(id, waiting) => {
            // Its thread sees the connection end, and ends.
            let _ = waiting.shutdown(std::net::Shutdown::Both);
            id
        }
        Admission::Refused => return refuse_busy(&stream),
    };
    let (slots, handler) = (Arc::clone(slots), Arc::clone(handler));
    let spawned = std::thread::Builder::new()
        .name("fascia-connection".into())
        .stack_size(CONNECTION_STACK)
        .spawn({
            let (slots, stream) = (Arc::clone(&slots), Arc::clone(&stream));
            move || {
                yield_to_rebuilds();
                connection::serve(&stream, id, &slots, &handler);
            }
        });
    if spawned.is_err() {
        slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .release(id);
        refuse_busy(&stream);
    }
}

/// A 503 for a connection beyond the bounds, written without waiting (the
/// accept thread never waits on a client), then the close.
fn refuse_busy(stream: &TcpStream) {
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 21\r\nRetry-After: 1\r\nConnection: close\r\n\r\ntoo many connections\n";
    if stream.set_nonblocking(true).is_ok() {
        let mut out: &TcpStream = stream;
        let _ = std::io::Write::write(&mut out, BUSY);
    }
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::handler::text;
    use std::io::{Read, Write};
    use std::net::SocketAddr;

    fn hello() -> Handler {
        Arc::new(|_req| Answer::Send(text(200, "hello")))
    }

    fn ask(addr: SocketAddr, request: &str) -> String {
        let mut c = TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        c.write_all(request.as_bytes()).unwrap();
        let mut text = String::new();
        let _ = c.read_to_string(&mut text);
        text
    }

    #[test]
    fn bounds_follow_the_descriptor_limit() {
        assert_eq!(connection_bounds(None), (512, 384));
        assert_eq!(connection_bounds(Some(20_000)), (512, 384));
        assert_eq!(connection_bounds(Some(128)), (32, 24));
        assert_eq!(connection_bounds(Some(10)), (4, 3));
    }

    #[test]
    fn answers_pipelined_requests_in_order_and_refuses_bad_heads() {
        let (listener, _) = bind("127.0.0.1", 0).unwrap();
        let addr = listener.local_addr().unwrap();
        let handler: Handler = Arc::new(|req| Answer::Send(text(200, leak(&req.target))));
        serve(listener, handler).unwrap();
        let two = ask(
            addr,
            "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        let a = two.find("\r\n\r\n/a").expect("first answer");
        let b = two.find("\r\n\r\n/b").expect("second answer");
        assert!(a < b, "{two}");
        assert_eq!(two.matches("Connection: close").count(), 1, "{two}");
        let dup = ask(addr, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
        assert!(dup.starts_with("HTTP/1.1 400 "), "{dup}");
        assert!(dup.contains("Connection: close"), "{dup}");
    }

    fn leak(s: &str) -> &'static str {
        Box::leak(s.to_string().into_boxed_str())
    }

    #[test]
    fn an_idle_connection_gives_way_at_the_bound() {
        // Bound of one connection per address, by hand.
        let (listener, _) = bind("127.0.0.1", 0).unwrap();
        let addr = listener.local_addr().unwrap();
        let slots: Arc<OpenSlots> = Arc::new(Mutex::new(Slots::new(1, 1)));
        let handler = hello();
        std::thread::spawn(move || accept_forever(&listener, &slots, &handler));
        let mut idle = TcpStream::connect(addr).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let answer = ask(
            addr,
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(answer.ends_with("hello"), "{answer}");
        idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut rest = Vec::new();
        assert_eq!(idle.read_to_end(&mut rest).ok(), Some(0), "closed");
    }
}
