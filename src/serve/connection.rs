//! One client connection, on a thread of its own: a request head in
//! (bounded by [`super::http`], within [`READ_TIMEOUT`] of waiting and
//! [`HEAD_DEADLINE`] of its first byte), its answer out, then the next
//! request; a refused request gets its status and the connection is closed.
//!
//! One request at a time: pipelined requests wait in the client's socket
//! until the answer before them is written, so a client that sends many and
//! reads none holds only its own thread, and only for [`WRITE_TIMEOUT`]: an
//! answer is abandoned (and the connection closed) when [`PROGRESS`] bytes
//! of it take longer than that to be written. The socket's send buffer is
//! kept small ([`SEND_BUFFER`]) so that a client that reads nothing is seen
//! not to within that time: the kernel otherwise grows the buffer of a
//! stalled connection little by little, up to megabytes, and each write
//! makes just enough progress to never time out.

use std::io::{BufWriter, Read as _, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tiny_http::Response;

use super::handler::{Body, text};
use super::http::{HeadScanner, MAX_BODY, Refusal, Request, Scan, parse_head};
use super::listener::{HEAD_DEADLINE, READ_TIMEOUT, WRITE_TIMEOUT};
use super::slots::{SlotId, Slots};

/// What answers a request.
pub type Handler = Arc<dyn Fn(&Request) -> Answer + Send + Sync>;

/// The open connections, by the sockets the listener may shut down.
pub type OpenSlots = Mutex<Slots<Arc<TcpStream>>>;

/// A live answer written on the connection until a write fails.
pub type Stream = Box<dyn FnOnce(&mut dyn Write) + Send>;

/// How a request is answered.
pub enum Answer {
    /// A response of declared length (`tiny_http` makes it; it is written
    /// here, with `Connection: close` when the connection ends after it).
    Send(Response<Body>),
    /// A stream that writes its own head and runs until a write fails; the
    /// connection ends with it.
    Stream(Stream),
}

/// Bytes of an answer that must be written within [`WRITE_TIMEOUT`] (a
/// client slower than 64 KiB per 10 s is let go).
pub const PROGRESS: usize = 64 * 1024;

/// The connection's send buffer (the kernel doubles it): on loopback and a
/// LAN plenty for full speed, and a bound on the kernel memory a client that
/// reads nothing holds.
pub const SEND_BUFFER: usize = 256 * 1024;

/// How long a closing connection reads what the client still sends (so
/// that the close does not reset the connection before the client has read
/// the answer), and at most how much.
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 1 << 20;

/// The connection's slot, given back when the connection ends.
struct Held<'a> {
    slots: &'a OpenSlots,
    id: SlotId,
}

impl Held<'_> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Slots<Arc<TcpStream>>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.lock().release(self.id);
    }
}

/// Serve the requests of one connection until it ends.
pub fn serve(stream: &TcpStream, id: SlotId, slots: &OpenSlots, handler: &Handler) {
    let held = Held { slots, id };
    let _ = stream.set_nodelay(true);
    let _ = socket2::SockRef::from(stream).set_send_buffer_size(SEND_BUFFER);
    let mut buf = Vec::new();
    loop {
        let req = match read_request(stream, &mut buf) {
            Next::Request(req) => req,
            Next::Closed => return,
            Next::Refused(refusal) => return refuse(stream, refusal),
        };
        {
            let mut slots = held.lock();
            if !slots.holds(id) {
                return; // it gave way to a newer connection meanwhile
            }
            slots.busy(id);
        }
        if req.body_length > 0
            && let Err(refusal) = discard_body(stream, &mut buf, &req)
        {
            return refuse(stream, refusal);
        }
        let keep = req.keep_alive();
        match handler(&req) {
            Answer::Send(resp) => {
                if write_response(Paced::new(stream), resp, req.is_head(), !keep).is_err() {
                    return;
                }
            }
            Answer::Stream(run) => {
                // Small writes, each bounded by the timeout.
                if stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err() {
                    return;
                }
                let mut out: &TcpStream = stream;
                run(&mut out);
                return close_gently(stream);
            }
        }
        if !keep {
            return close_gently(stream);
        }
        held.lock().waiting(id, Instant::now());
    }
}

enum Next {
    Request(Request),
    /// The client closed, failed, gave way, or sent nothing for
    /// [`READ_TIMEOUT`].
    Closed,
    Refused(Refusal),
}

/// Read one request head (bytes after it stay in `buf`).
fn read_request(stream: &TcpStream, buf: &mut Vec<u8>) -> Next {
    let mut scanner = HeadScanner::default();
    let idle_until = Instant::now() + READ_TIMEOUT;
    // Set by the head's first byte (it may be here already, pipelined).
    let mut deadline = (!buf.is_empty()).then(|| Instant::now() + HEAD_DEADLINE);
    let mut chunk = [0u8; 8192];
    loop {
        match scanner.advance(buf) {
            Scan::Complete(n) => {
                let head: Vec<u8> = buf.drain(..n).collect();
                return parse_head(&head).map_or_else(Next::Refused, Next::Request);
            }
            Scan::Refused(refusal) => return Next::Refused(refusal),
            Scan::Incomplete => {}
        }
        let n = match read_before(stream, &mut chunk, deadline.unwrap_or(idle_until)) {
            Ok(0) => return Next::Closed,
            Ok(n) => n,
            Err(Expired) if deadline.is_some() => {
                return Next::Refused(Refusal {
                    status: 408,
                    reason: "request head not received in time",
                });
            }
            Err(Expired | Failed) => return Next::Closed,
        };
        deadline.get_or_insert_with(|| Instant::now() + HEAD_DEADLINE);
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Why a read ended without bytes.
enum ReadError {
    Expired,
    Failed,
}
use ReadError::{Expired, Failed};

/// One read that gives up at `until`.
fn read_before(stream: &TcpStream, into: &mut [u8], until: Instant) -> Result<usize, ReadError> {
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Expired);
        }
        if stream.set_read_timeout(Some(left)).is_err() {
            return Err(Failed);
        }
        let mut reader: &TcpStream = stream;
        match reader.read(into) {
            Ok(n) => return Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return Err(Failed),
        }
    }
}

/// Read and drop the request's body (nothing here takes one), within
/// [`HEAD_DEADLINE`].
fn discard_body(stream: &TcpStream, buf: &mut Vec<u8>, req: &Request) -> Result<(), Refusal> {
    debug_assert!(req.body_length <= MAX_BODY);
    let late = Refusal {
        status: 408,
        reason: "request body not received in time",
    };
    let buffered = buf.len().min(req.body_length as usize);
    buf.drain(..buffered);
    let mut left = req.body_length as usize - buffered;
    if left > 0 && req.expects_continue() {
        Paced::new(stream)
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .map_err(|_| late)?;
    }
    let until = Instant::now() + HEAD_DEADLINE;
    let mut chunk = [0u8; 8192];
    while left > 0 {
        let want = left.min(chunk.len());
        match read_before(stream, &mut chunk[..want], until) {
            Ok(0) | Err(_) => return Err(late),
            Ok(n) => left -= n,
        }
    }
    Ok(())
}

/// Writes to a connection that fail once [`PROGRESS`] bytes have taken
/// longer than [`WRITE_TIMEOUT`].
struct Paced<'a> {
    stream: &'a TcpStream,
    since: Instant,
    written: usize,
}

impl<'a> Paced<'a> {
    fn new(stream: &'a TcpStream) -> Self {
        Self {
            stream,
            since: Instant::now(),
            written: 0,
        }
    }
}

impl Write for Paced<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let left = (self.since + WRITE_TIMEOUT).saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_write_timeout(Some(left))?;
        let mut out: &TcpStream = self.stream;
        let n = out.write(buf)?;
        self.written += n;
        if self.written >= PROGRESS {
            self.written = 0;
            self.since = Instant::now();
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Write `resp` (its head only for HEAD, and for the statuses that have no
/// body), closing the connection after it when `close`.
pub fn write_response(
    out: impl Write,
    resp: Response<Body>,
    head_only: bool,
    close: bool,
) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(32 * 1024, out);
    let status = resp.status_code();
    write!(
        w,
        "HTTP/1.1 {} {}\r\n",
        status.0,
        status.default_reason_phrase()
    )?;
    // The date is the time of the answer, as the HTTP date format has it.
    let printer = jiff::fmt::rfc2822::DateTimePrinter::new();
    if let Ok(date) = printer.timestamp_to_rfc9110_string(&jiff::Timestamp::now()) {
        write!(w, "Date: {date}\r\n")?;
    }
    for h in resp.headers() {
        write!(w, "{}: {}\r\n", h.field, h.value)?;
    }
    let length = resp.data_length();
    if let Some(n) = length {
        write!(w, "Content-Length: {n}\r\n")?;
    }
    // Without a length, the body ends when the connection does.
    if close || length.is_none() {
        w.write_all(b"Connection: close\r\n")?;
    }
    w.write_all(b"\r\n")?;
    if !head_only && !matches!(status.0, 100..=199 | 204 | 304) {
        let mut body = resp.into_reader();
        match length {
            Some(n) => std::io::copy(&mut (&mut body).take(n as u64), &mut w)?,
            None => std::io::copy(&mut body, &mut w)?,
        };
    }
    w.flush()
}

/// Answer `refusal` and close.
fn refuse(stream: &TcpStream, refusal: Refusal) {
    let resp = text(refusal.status, refusal.reason);
    if write_response(Paced::new(stream), resp, false, true).is_ok() {
        close_gently(stream);
    }
}

/// Close after the answer: end the sending side, then read what the client
/// still sends for a moment (see [`LINGER`]).
fn close_gently(stream: &TcpStream) {
    if stream.shutdown(Shutdown::Write).is_err() {
        return;
    }
    let until = Instant::now() + LINGER;
    let mut chunk = [0u8; 8192];
    let mut drained = 0;
    while drained < LINGER_BYTES {
        match read_before(stream, &mut chunk, until) {
            Ok(0) | Err(_) => return,
            Ok(n) => drained += n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiny_http::Header;

    fn written(resp: Response<Body>, head_only: bool, close: bool) -> String {
        let mut out = Vec::new();
        write_response(&mut out, resp, head_only, close).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_a_declared_length_and_says_when_it_closes() {
        let ok = written(text(200, "hello"), false, false);
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
        assert!(ok.contains("\r\nContent-Length: 5\r\n"), "{ok}");
        assert!(ok.contains("\r\nDate: ") && ok.contains(" GMT\r\n"), "{ok}");
        assert!(!ok.contains("Connection"), "{ok}");
        assert!(ok.ends_with("\r\n\r\nhello"), "{ok}");
        let head = written(text(404, "not found"), true, true);
        assert!(head.contains("\r\nContent-Length: 9\r\n"), "{head}");
        assert!(head.contains("\r\nConnection: close\r\n"), "{head}");
        assert!(head.ends_with("\r\n\r\n"), "HEAD sends no body: {head}");
        let not_modified = written(text(304, "unchanged"), false, false);
        assert!(not_modified.ends_with("\r\n\r\n"), "{not_modified}");
        let header = Header::from_bytes(&b"Location"[..], &b"/a/"[..]).unwrap();
        let moved = written(text(301, "moved").with_header(header), false, false);
        assert!(moved.contains("\r\nLocation: /a/\r\n"), "{moved}");
    }
}
