//! `fascia serve`: build into memory, serve it with `tiny_http`, watch the
//! site, rebuild on change, and tell open pages what changed over
//! Server-Sent Events on the same port.
//!
//! One [`ServerState`] holds everything the threads share: the current site
//! snapshot (replaced whole, so a response is always one build's version),
//! the last build's errors, and the live-reload clients.

pub mod incremental;
pub mod request_path;
pub mod watch;

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use tiny_http::{Header, Request, Response, Server};

use crate::diagnostics::Diagnostics;
use crate::output::{Output, OutputFile};
use crate::pipeline::{BuildOptions, ParseCache};
use request_path::{Rejected, content_type, host_allowed, origin_allowed, resolve, url_of_key};

const LIVE_JS: &str = include_str!("live.js");
const EVENTS_PATH: &str = "/__fascia/events";
const SCRIPT_PATH: &str = "/__fascia/live.js";
/// Live-reload connections each hold a thread; never more than this.
pub const MAX_RELOAD_CLIENTS: usize = 32;
const WORKERS: usize = 8;

/// One complete build, served as a whole.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Incremented on every successful build.
    pub generation: u64,
    pub files: HashMap<String, Arc<Vec<u8>>>,
    pub hashes: HashMap<String, u64>,
}

impl Snapshot {
    /// Read an [`Output`] fully into memory.
    pub fn from_output(output: &Output, generation: u64) -> Self {
        let mut files = HashMap::with_capacity(output.files.len());
        let mut hashes = HashMap::with_capacity(output.files.len());
        for (key, file) in &output.files {
            let bytes = match file {
                OutputFile::Bytes(b) => Arc::clone(b),
                OutputFile::Copy(path) => match std::fs::read(path) {
                    Ok(b) => Arc::new(b),
                    Err(_) => continue,
                },
            };
            hashes.insert(key.clone(), crate::render::fnv1a(&bytes));
            files.insert(key.clone(), bytes);
        }
        Self {
            generation,
            files,
            hashes,
        }
    }

    /// URL paths whose content differs between `self` and `newer`.
    pub fn changed_urls(&self, newer: &Snapshot) -> Vec<String> {
        let mut urls: Vec<String> = newer
            .hashes
            .iter()
            .filter(|(k, h)| self.hashes.get(*k) != Some(h))
            .map(|(k, _)| url_of_key(k))
            .chain(
                self.hashes
                    .keys()
                    .filter(|k| !newer.hashes.contains_key(*k))
                    .map(|k| url_of_key(k)),
            )
            .collect();
        urls.sort();
        urls
    }
}

/// A build error as the overlay shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedError {
    pub text: String,
}

/// A message on the reload stream.
#[derive(Debug, Serialize)]
struct ReloadMessage<'a> {
    generation: u64,
    changed: &'a [String],
    errors: &'a [ReportedError],
    initial: bool,
}

/// Everything the server threads share.
pub struct ServerState {
    snapshot: RwLock<Arc<Snapshot>>,
    errors: RwLock<Vec<ReportedError>>,
    clients: Mutex<Vec<SyncSender<String>>>,
    open_clients: AtomicUsize,
    pub interface: String,
    pub port: u16,
}

impl ServerState {
    pub fn new(interface: &str, port: u16) -> Self {
        Self {
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            errors: RwLock::new(Vec::new()),
            clients: Mutex::new(Vec::new()),
            open_clients: AtomicUsize::new(0),
            interface: interface.to_string(),
            port,
        }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.read().expect("snapshot lock"))
    }

    fn errors(&self) -> Vec<ReportedError> {
        self.errors.read().expect("errors lock").clone()
    }

    /// Install a successful build and tell every open page what changed.
    pub fn publish(&self, snapshot: Snapshot) -> Vec<String> {
        let changed = self.snapshot().changed_urls(&snapshot);
        *self.snapshot.write().expect("snapshot lock") = Arc::new(snapshot);
        self.errors.write().expect("errors lock").clear();
        self.broadcast(&changed);
        changed
    }

    /// Keep the last good build and show `diags` in every open page.
    pub fn fail(&self, diags: &Diagnostics) {
        let errors: Vec<ReportedError> = diags
            .items
            .iter()
            .filter(|d| d.is_error())
            .map(|d| ReportedError {
                text: d.render(false),
            })
            .collect();
        *self.errors.write().expect("errors lock") = errors;
        self.broadcast(&[]);
    }

    fn message(&self, changed: &[String], initial: bool) -> String {
        let errors = self.errors();
        let msg = ReloadMessage {
            generation: self.snapshot().generation,
            changed,
            errors: &errors,
            initial,
        };
        format!(
            "data: {}\n\n",
            serde_json::to_string(&msg).expect("message serialises")
        )
    }

    fn broadcast(&self, changed: &[String]) {
        let text = self.message(changed, false);
        let mut clients = self.clients.lock().expect("clients lock");
        clients.retain(|c| c.try_send(text.clone()).is_ok());
    }
}

/// Options of `fascia serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: std::path::PathBuf,
    pub interface: String,
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
}

/// Bind to the first free port from `port` on.
fn bind(interface: &str, port: u16) -> Result<(Server, u16), String> {
    let mut last = String::new();
    for p in port..port.saturating_add(20) {
        match Server::http((interface, p)) {
            Ok(s) => return Ok((s, p)),
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!(
        "cannot listen on {interface}:{port} to {}: {last}",
        port.saturating_add(19)
    ))
}

fn is_loopback(interface: &str) -> bool {
    interface
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
        || interface == "localhost"
}

/// Run the server until the process is stopped.
pub fn run(opts: &ServeOptions) -> Result<(), String> {
    let (server, port) = bind(&opts.interface, opts.port)?;
    if !is_loopback(&opts.interface) {
        eprintln!(
            "warning: serving on {} makes your draft site reachable from other machines; use the default 127.0.0.1 to keep it local",
            opts.interface
        );
    }
    let host = if opts.interface.contains(':') {
        format!("[{}]", opts.interface)
    } else {
        opts.interface.clone()
    };
    let base_url = format!("http://{host}:{port}");
    let state = Arc::new(ServerState::new(&opts.interface, port));
    let build_opts = BuildOptions {
        root: opts.root.clone(),
        base_url: Some(base_url.clone()),
        drafts: opts.drafts,
        serving: true,
    };
    // Watch before the first build, so no edit made meanwhile is missed.
    let watcher = watch::SiteWatcher::start(watch::WatchRoots::for_site(&opts.root))?;
    let cache = ParseCache::default();
    let mut live = None;
    rebuild(&state, &mut live, &build_opts, &cache, None);
    let server = Arc::new(server);
    for _ in 0..WORKERS {
        let (server, state) = (Arc::clone(&server), Arc::clone(&state));
        std::thread::spawn(move || {
            while let Ok(req) = server.recv() {
                handle(&state, req);
            }
        });
    }
    eprintln!(
        "Serving {} at {base_url}/ (live reload on; Ctrl+C to stop)",
        opts.root.display()
    );
    if opts.open {
        let _ = std::process::Command::new("xdg-open")
            .arg(format!("{base_url}/"))
            .spawn();
    }
    while let Some(batch) = watcher.next_batch(Duration::from_millis(8), Duration::from_millis(150))
    {
        rebuild(&state, &mut live, &build_opts, &cache, Some(&batch));
    }
    Ok(())
}

/// Rebuild after `batch` (or initially): incrementally when the changes
/// allow it, else in full; publish the result, or keep the last good build
/// and report the errors.
fn rebuild(
    state: &ServerState,
    live: &mut Option<incremental::Live>,
    opts: &BuildOptions,
    cache: &ParseCache,
    batch: Option<&[watch::Change]>,
) {
    let started = Instant::now();
    if let (Some(batch), Some(current)) = (batch, live.as_mut())
        && !current.dirty
        && let incremental::Plan::Bodies(rels) = incremental::plan(batch)
    {
        match current.apply_body_edits(&rels) {
            Ok(keys) => {
                let previous = state.snapshot();
                let mut files = previous.files.clone();
                let mut hashes = previous.hashes.clone();
                for key in &keys {
                    if let Some(OutputFile::Bytes(b)) = current.output.files.get(key) {
                        hashes.insert(key.clone(), crate::render::fnv1a(b));
                        files.insert(key.clone(), Arc::clone(b));
                    }
                }
                let changed = state.publish(Snapshot {
                    generation: previous.generation + 1,
                    files,
                    hashes,
                });
                report_rebuild("incremental", started, changed.len());
                return;
            }
            Err(incremental::Fallback::Errors(diags)) => {
                crate::cli::print_diagnostics(&diags);
                eprintln!(
                    "Rebuild failed: serving the last good build; the error is shown in open pages"
                );
                state.fail(&diags);
                return;
            }
            Err(incremental::Fallback::Full) => {}
        }
    }
    match incremental::Live::build(opts, cache) {
        Ok((built, diags)) => {
            let generation = state.snapshot().generation + 1;
            let changed = state.publish(Snapshot::from_output(&built.output, generation));
            *live = Some(built);
            crate::cli::print_diagnostics(&Diagnostics {
                items: diags
                    .items
                    .into_iter()
                    .filter(crate::diagnostics::Diagnostic::is_error)
                    .collect(),
            });
            report_rebuild(
                if batch.is_some() { "full" } else { "initial" },
                started,
                changed.len(),
            );
        }
        Err(diags) => {
            crate::cli::print_diagnostics(&diags);
            eprintln!(
                "Rebuild failed: serving the last good build; the error is shown in open pages"
            );
            state.fail(&diags);
        }
    }
}

fn report_rebuild(kind: &str, started: Instant, changed: usize) {
    eprintln!(
        "Rebuilt ({kind}) in {:.1} ms: {changed} changed path(s)",
        started.elapsed().as_secs_f64() * 1000.0
    );
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header is valid")
}

fn text_response(status: u16, text: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string(text)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
}

fn request_header<'a>(req: &'a Request, name: &'static str) -> Option<&'a str> {
    req.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// Answer one request.
fn handle(state: &Arc<ServerState>, req: Request) {
    let method = req.method().clone();
    if !matches!(method, tiny_http::Method::Get | tiny_http::Method::Head) {
        let _ = req.respond(
            text_response(405, "method not allowed").with_header(header("Allow", "GET, HEAD")),
        );
        return;
    }
    let host_ok =
        request_header(&req, "Host").is_some_and(|h| host_allowed(h, &state.interface, state.port));
    if !host_ok {
        let _ = req.respond(text_response(
            403,
            "Host not allowed: fascia serve answers to localhost only",
        ));
        return;
    }
    let url = req.url().to_string();
    let path = url.split('?').next().unwrap_or("");
    if path == EVENTS_PATH {
        return open_event_stream(state, req);
    }
    if path == SCRIPT_PATH {
        let resp = Response::from_string(LIVE_JS)
            .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
            .with_header(header("Cache-Control", "no-store"));
        let _ = req.respond(resp);
        return;
    }
    let key = match resolve(&url) {
        Ok(k) => k,
        Err(Rejected::BadRequest) => {
            let _ = req.respond(text_response(400, "bad request path"));
            return;
        }
    };
    let snapshot = state.snapshot();
    let (status, key, body) = if let Some(b) = snapshot.files.get(&key) {
        (200, key, Arc::clone(b))
    } else {
        let dir_index = format!("{key}/index.html");
        if !key.ends_with("index.html") && snapshot.files.contains_key(&dir_index) {
            let location = format!("{path}/");
            let _ =
                req.respond(text_response(301, "moved").with_header(header("Location", &location)));
            return;
        }
        let Some(page) = snapshot.files.get("404.html") else {
            let _ = req.respond(text_response(404, "not found"));
            return;
        };
        (404, "404.html".to_string(), Arc::clone(page))
    };
    let ctype = content_type(&key);
    let bytes = if ctype.starts_with("text/html") {
        inject_live_reload(&body, snapshot.generation)
    } else {
        body.as_ref().clone()
    };
    let resp = Response::from_data(if method == tiny_http::Method::Head {
        Vec::new()
    } else {
        bytes
    })
    .with_status_code(status)
    .with_header(header("Content-Type", ctype))
    .with_header(header("Cache-Control", "no-store"))
    .with_header(header("X-Content-Type-Options", "nosniff"));
    let _ = req.respond(resp);
}

/// Add the live-reload script to an HTML page (server responses only).
pub fn inject_live_reload(html: &[u8], generation: u64) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}?g={generation}\" defer></script>");
    let text = String::from_utf8_lossy(html);
    let at = text.rfind("</body>").unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + tag.len());
    out.push_str(&text[..at]);
    out.push_str(&tag);
    out.push_str(&text[at..]);
    out.into_bytes()
}

/// Keep the request open and stream reload messages to it, on its own
/// thread, bounded by [`MAX_RELOAD_CLIENTS`].
fn open_event_stream(state: &Arc<ServerState>, req: Request) {
    if let Some(origin) = request_header(&req, "Origin")
        && !origin_allowed(origin, &state.interface, state.port)
    {
        let _ = req.respond(text_response(403, "Origin not allowed"));
        return;
    }
    if state.open_clients.fetch_add(1, Ordering::SeqCst) >= MAX_RELOAD_CLIENTS {
        state.open_clients.fetch_sub(1, Ordering::SeqCst);
        let _ = req.respond(text_response(503, "too many live-reload connections"));
        return;
    }
    let (tx, rx) = sync_channel::<String>(16);
    let first = state.message(&[], true);
    state.clients.lock().expect("clients lock").push(tx);
    let state = Arc::clone(state);
    std::thread::spawn(move || {
        stream_events(req, &first, &rx);
        state.open_clients.fetch_sub(1, Ordering::SeqCst);
    });
}

fn stream_events(req: Request, first: &str, rx: &Receiver<String>) {
    let mut w = req.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\nX-Content-Type-Options: nosniff\r\n\r\n";
    if w.write_all(head.as_bytes())
        .and_then(|()| w.write_all(first.as_bytes()))
        .and_then(|()| w.flush())
        .is_err()
    {
        return;
    }
    loop {
        let msg = match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(m) => m,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if w.write_all(msg.as_bytes())
            .and_then(|()| w.flush())
            .is_err()
        {
            return;
        }
    }
}
