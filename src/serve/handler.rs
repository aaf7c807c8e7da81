//! Answering one request (read by [`super::connection`]) with a
//! `tiny_http::Response`: the site from the current snapshot (with the
//! live-reload script injected into pages), the script, and the live-reload
//! event stream.
//!
//! Every answer declares its length (`Content-Length`, never chunked, also
//! for HEAD, which sends no body) and is read straight from the snapshot's
//! shared bytes: nothing is copied per request.

use std::io::{Read, Write};
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

use tiny_http::{Header, Response, StatusCode};

use super::ServerState;
use super::connection::Answer;
use super::http::Request;
use super::request_path::{Rejected, content_type, host_allowed, origin_allowed, resolve};

const LIVE_JS: &str = include_str!("live.js");
pub const EVENTS_PATH: &str = "/__fascia/events";
pub const SCRIPT_PATH: &str = "/__fascia/live.js";
/// Live-reload connections each hold a thread; never more than this.
pub const MAX_RELOAD_CLIENTS: usize = 32;
/// How often a quiet live-reload stream writes a comment: a page that went
/// away is noticed (the write fails) within two of these, and its slot freed.
const STREAM_PING: Duration = Duration::from_secs(1);

/// A response body: parts of shared files and small owned pieces, read in
/// order without copying the files.
pub struct Body {
    parts: Vec<Part>,
    /// Index of the part being read, and the offset within it.
    at: usize,
    offset: usize,
}

enum Part {
    Shared(Arc<Vec<u8>>, Range<usize>),
    Owned(Vec<u8>),
    Static(&'static [u8]),
}

impl Part {
    fn bytes(&self) -> &[u8] {
        match self {
            Part::Shared(b, r) => &b[r.clone()],
            Part::Owned(b) => b,
            Part::Static(b) => b,
        }
    }
}

impl Body {
    fn new(parts: Vec<Part>) -> Self {
        Self {
            parts,
            at: 0,
            offset: 0,
        }
    }

    fn len(&self) -> usize {
        self.parts.iter().map(|p| p.bytes().len()).sum()
    }
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while let Some(part) = self.parts.get(self.at) {
            let rest = &part.bytes()[self.offset..];
            if rest.is_empty() {
                self.at += 1;
                self.offset = 0;
                continue;
            }
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.offset += n;
            return Ok(n);
        }
        Ok(0)
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("header is valid")
}

/// A response whose length is declared up front: `tiny_http` then sends a
/// `Content-Length` and the bytes as they are (it would otherwise chunk
/// bodies from 32 KiB on), and for HEAD the length without the body.
fn response(status: u16, headers: Vec<Header>, body: Body) -> Response<Body> {
    let len = body.len();
    Response::new(StatusCode(status), headers, body, Some(len), None)
        .with_chunked_threshold(usize::MAX)
}

/// A short plain-text answer.
pub fn text(status: u16, message: &'static str) -> Response<Body> {
    response(
        status,
        vec![
            header("Content-Type", "text/plain; charset=utf-8"),
            header("Cache-Control", "no-store"),
        ],
        Body::new(vec![Part::Static(message.as_bytes())]),
    )
}

/// Whether an `If-None-Match` value names `etag` (weak comparison).
fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    let etag = etag.trim_start_matches("W/");
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == etag)
}

/// One of a bounded number of live-reload streams, given back when dropped.
struct Permit(Arc<AtomicUsize>);

impl Permit {
    fn take(count: &Arc<AtomicUsize>, max: usize) -> Option<Self> {
        if count.fetch_add(1, Ordering::SeqCst) >= max {
            count.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Self(Arc::clone(count)))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Answer one request.
pub fn answer(state: &Arc<ServerState>, req: &Request) -> Answer {
    if req.method != "GET" && req.method != "HEAD" {
        return Answer::Send(
            text(405, "method not allowed").with_header(header("Allow", "GET, HEAD")),
        );
    }
    let host_ok = req
        .header("Host")
        .is_some_and(|h| host_allowed(h, &state.interface, state.port));
    if !host_ok {
        return Answer::Send(text(
            403,
            "Host not allowed: fascia serve answers to localhost only",
        ));
    }
    let url = req.target.as_str();
    let path = url.split('?').next().unwrap_or("");
    if path == EVENTS_PATH {
        return open_event_stream(state, req);
    }
    if path == SCRIPT_PATH {
        return Answer::Send(response(
            200,
            vec![
                header("Content-Type", "text/javascript; charset=utf-8"),
                header("Cache-Control", "no-store"),
            ],
            Body::new(vec![Part::Static(LIVE_JS.as_bytes())]),
        ));
    }
    let Ok(key) = resolve(url).map_err(|Rejected::BadRequest| ()) else {
        return Answer::Send(text(400, "bad request path"));
    };
    Answer::Send(site_file(state, req, path, key))
}

/// The not-found page for a missing `key`: the one of the language whose
/// folder `key` is in (`fr/404.html` for `fr/...`), else the site's.
fn not_found_page<'a>(
    files: &'a super::snapshot::Files,
    key: &str,
) -> Option<(String, &'a super::ServedFile)> {
    let own = key
        .split_once('/')
        .map(|(first, _)| format!("{first}/404.html"))
        .filter(|k| files.contains_key(k.as_str()));
    let key = own.unwrap_or_else(|| "404.html".to_string());
    files.get(key.as_str()).map(|f| (key, f))
}

/// The file of the current snapshot at `key` (the request's `path`
/// resolved), a redirect to its folder, or the site's 404 page.
fn site_file(state: &ServerState, req: &Request, path: &str, key: String) -> Response<Body> {
    if !state.has_build() && is_page(&key) {
        return no_build_page(state);
    }
    let snapshot = state.snapshot();
    let (status, key, file) = if let Some(f) = snapshot.files.get(key.as_str()) {
        (200, key, f)
    } else {
        let dir_index = format!("{key}/index.html");
        if !key.ends_with("index.html") && snapshot.files.contains_key(dir_index.as_str()) {
            return text(301, "moved").with_header(header("Location", &format!("{path}/")));
        }
        let Some((key, page)) = not_found_page(&snapshot.files, &key) else {
            return text(404, "not found");
        };
        (404, key, page)
    };
    let ctype = content_type(&key);
    let html = ctype.starts_with("text/html");
    // Pages carry the build generation (in the injected script).
    let etag = if html {
        format!("\"{:016x}-{}\"", file.hash, snapshot.generation)
    } else {
        format!("\"{:016x}\"", file.hash)
    };
    let not_modified = status == 200
        && req
            .header("If-None-Match")
            .is_some_and(|v| etag_matches(v, &etag));
    let body = if html {
        live_reload_body(&file.bytes, snapshot.generation)
    } else {
        Body::new(vec![Part::Shared(
            Arc::clone(&file.bytes),
            0..file.bytes.len(),
        )])
    };
    let headers = vec![
        header("Content-Type", ctype),
        header("Cache-Control", "no-store"),
        header("X-Content-Type-Options", "nosniff"),
        header("ETag", &etag),
    ];
    // A 304 announces the length a 200 would have, and sends no body.
    response(if not_modified { 304 } else { status }, headers, body)
}

/// Whether an output key is a page (`a/index.html`, or `a` for `/a`).
fn is_page(key: &str) -> bool {
    let last = key.rsplit('/').next().unwrap_or(key);
    key.ends_with(".html") || !last.contains('.')
}

/// What every page request gets while no build has ever succeeded: the
/// errors (file, line, column, the source line) and the live-reload script,
/// which shows them in its overlay and reloads the page once the site
/// builds. Status 500: the server could not make the page asked for, and
/// a 200 would let a script or a link checker take this for the page;
/// browsers show the body and run its script whatever the status.
fn no_build_page(state: &ServerState) -> Response<Body> {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut errors = String::new();
    for e in state.errors() {
        errors.push_str("<pre>");
        errors.push_str(&escape(&e.text));
        errors.push_str("</pre>\n");
    }
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>fascia: the site does not build</title></head>\n<body><main id=\"fascia-no-build\"><h1>The site does not build yet</h1>\n<p>fascia has no good build to show. Fix the error below and save: this page reloads once the site builds.</p>\n{errors}</main><script src=\"{SCRIPT_PATH}?g=0\" defer></script></body></html>\n"
    );
    response(
        500,
        vec![
            header("Content-Type", "text/html; charset=utf-8"),
            header("Cache-Control", "no-store"),
            header("X-Content-Type-Options", "nosniff"),
        ],
        Body::new(vec![Part::Owned(html.into_bytes())]),
    )
}

/// A page with the live-reload script before `</body>` (server responses
/// only), read from the shared page without copying it.
fn live_reload_body(html: &Arc<Vec<u8>>, generation: u64) -> Body {
    let tag = format!("<script src=\"{SCRIPT_PATH}?g={generation}\" defer></script>");
    let at = memchr::memmem::rfind(html, b"</body>").unwrap_or(html.len());
    Body::new(vec![
        Part::Shared(Arc::clone(html), 0..at),
        Part::Owned(tag.into_bytes()),
        Part::Shared(Arc::clone(html), at..html.len()),
    ])
}

/// The live-reload stream, bounded by [`MAX_RELOAD_CLIENTS`]: it runs on
/// the connection's thread until a write to the page fails.
fn open_event_stream(state: &Arc<ServerState>, req: &Request) -> Answer {
    if let Some(origin) = req.header("Origin")
        && !origin_allowed(origin, &state.interface, state.port)
    {
        return Answer::Send(text(403, "Origin not allowed"));
    }
    let Some(slot) = Permit::take(&state.open_streams, MAX_RELOAD_CLIENTS) else {
        return Answer::Send(
            text(503, "too many live-reload connections").with_header(header("Retry-After", "5")),
        );
    };
    let (tx, rx) = sync_channel::<String>(16);
    // Registered before the first message is made: a rebuild in between is
    // told twice (the page ignores the repeat), never missed.
    state.clients.lock().expect("clients lock").push(tx);
    let first = state.message(&[], true);
    Answer::Stream(Box::new(move |out: &mut dyn Write| {
        stream_events(out, &first, &rx);
        drop(slot);
    }))
}

fn stream_events(w: &mut dyn Write, first: &str, rx: &Receiver<String>) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n";
    if w.write_all(head.as_bytes())
        .and_then(|()| w.write_all(first.as_bytes()))
        .and_then(|()| w.flush())
        .is_err()
    {
        return;
    }
    let mut quiet = Instant::now();
    loop {
        let msg = match rx.recv_timeout(STREAM_PING.saturating_sub(quiet.elapsed())) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => ":\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        // The connection's send timeout bounds each write (see `listener`).
        if w.write_all(msg.as_bytes())
            .and_then(|()| w.flush())
            .is_err()
        {
            return;
        }
        quiet = Instant::now();
    }
}
