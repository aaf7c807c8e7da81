//! `fascia serve`: build into memory, serve it over HTTP, watch the site,
//! rebuild on change, and tell open pages what changed over Server-Sent
//! Events on the same port.
//!
//! One [`ServerState`] holds everything the threads share: the current site
//! snapshot (replaced whole, so a response is always one build's version),
//! the last build's errors, and the live-reload clients. [`listener`] makes
//! the socket and admits connections within bounds, [`connection`] reads
//! each request ([`http`] checks its head) and writes its answer, which
//! [`handler`] makes (as a `tiny_http::Response`); [`watcher`] watches the
//! folders the build reads ([`watch`] decides which, and what a change
//! touches; [`poll`] covers what cannot be watched), [`gather`] makes the
//! changes into batches, and [`incremental`] rebuilds what they touch.

pub mod connection;
pub mod gather;
pub mod handler;
pub mod http;
pub mod incremental;
pub mod listener;
pub mod poll;
pub mod request_path;
pub mod since;
pub mod slots;
pub mod snapshot;
pub mod warnings;
pub mod watch;
pub mod watcher;

use std::sync::atomic::AtomicUsize;
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::diagnostics::Diagnostics;
use crate::pipeline::{BuildOptions, ParseCache};
use crate::report::Verbosity;
pub use handler::MAX_RELOAD_CLIENTS;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use listener::REQUEST_NICENESS;
pub use snapshot::{ServedFile, Snapshot};

/// After an incremental rebuild, how long no further edit must arrive before
/// the search index (and a large site's print edition) is made again. It is
/// made from every page (seconds on a large site, on this thread): waiting
/// for a pause in the editing keeps it from delaying the next edit's pages.
const SEARCH_AFTER: Duration = Duration::from_secs(1);

/// How often the server looks for theme folders made after it started
/// (`site/themes/NAME` for a theme that was missing): the watcher only
/// knows the folders that existed when it began.
const ROOTS_EVERY: Duration = Duration::from_secs(1);

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
    /// Live-reload streams open (see [`handler::MAX_RELOAD_CLIENTS`]).
    open_streams: Arc<AtomicUsize>,
    pub interface: String,
    pub port: u16,
    /// What the terminal is told (`-q`, `-v`).
    pub verbosity: Verbosity,
    /// The warnings printed in the terminal so far.
    warnings: warnings::Printed,
}

impl ServerState {
    pub fn new(interface: &str, port: u16) -> Self {
        Self {
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            errors: RwLock::new(Vec::new()),
            clients: Mutex::new(Vec::new()),
            open_streams: Arc::default(),
            interface: interface.to_string(),
            port,
            verbosity: Verbosity::Normal,
            warnings: warnings::Printed::default(),
        }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.read().expect("snapshot lock"))
    }

    /// Whether a build ever succeeded: until one does there is nothing to
    /// serve, and every page request is answered with the errors.
    pub fn has_build(&self) -> bool {
        self.snapshot().generation > 0
    }

    pub(crate) fn errors(&self) -> Vec<ReportedError> {
        self.errors.read().expect("errors lock").clone()
    }

    /// Install a successful build and tell every open page what changed.
    pub fn publish(&self, snapshot: Snapshot) -> Vec<String> {
        let changed = self.snapshot().changed_urls(&snapshot);
        self.publish_changed(snapshot, changed)
    }

    /// [`ServerState::publish`] when what changed is known
    /// ([`Snapshot::with_changes`]).
    pub fn publish_changed(&self, snapshot: Snapshot, changed: Vec<String>) -> Vec<String> {
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
        self.fail_with(errors);
    }

    /// Keep the last good build and show `errors` in every open page.
    pub fn fail_with(&self, errors: Vec<ReportedError>) {
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
    pub verbosity: Verbosity,
}

fn is_loopback(interface: &str) -> bool {
    interface
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
        || interface == "localhost"
}

/// Run the server until the process is stopped.
pub fn run(opts: &ServeOptions) -> Result<(), String> {
    let (listener, port) = listener::bind(&opts.interface, opts.port)?;
    let quiet = opts.verbosity.quiet();
    if port != opts.port && !quiet {
        eprintln!(
            "Port {} is in use, so fascia serves on port {port} instead (choose one with --port)",
            opts.port
        );
    }
    if !is_loopback(&opts.interface) && !quiet {
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
    let mut server_state = ServerState::new(&opts.interface, port);
    server_state.verbosity = opts.verbosity;
    let state = Arc::new(server_state);
    let build_opts = BuildOptions {
        root: opts.root.clone(),
        base_url: Some(base_url.clone()),
        drafts: opts.drafts,
        serving: true,
    };
    // Watch after the first build (a watch sees every file the build opens:
    // see `since`); what was saved meanwhile is built once serving starts.
    let mut roots = watch::WatchRoots::for_site(&opts.root);
    let cache = ParseCache::default();
    let mut live = None;
    let clock = crate::timing::Clock::new();
    let stamps = since::Stamps::take(&roots);
    clock.lap("modification times");
    rebuild(
        &state,
        &mut live,
        &build_opts,
        &cache,
        None,
        &watch::Writes::default(),
    );
    clock.lap("first build");
    let mut watcher = watch::SiteWatcher::start(roots.clone())?;
    clock.lap("watching");
    let handle: connection::Handler = {
        let state = Arc::clone(&state);
        Arc::new(move |req| handler::answer(&state, req))
    };
    listener::serve(listener, handle)?;
    if !quiet {
        eprintln!(
            "Serving {} at {base_url}/ (live reload on; Ctrl+C to stop)",
            opts.root.display()
        );
    }
    report_warnings(&state, live.as_ref());
    if opts.open {
        let _ = std::process::Command::new("xdg-open")
            .arg(format!("{base_url}/"))
            .spawn();
    }
    // Build everything again (re-parsing only the files whose text changed).
    let rescan = |live: &mut Option<_>, writes: &watch::Writes| {
        let batch = [watch::Change::Rescan];
        rebuild(&state, live, &build_opts, &cache, Some(&batch), writes);
    };
    if let Some(path) = stamps.changed(&roots) {
        if opts.verbosity.verbose() {
            eprintln!("{} changed during the first build", path.display());
        }
        rescan(&mut live, &watcher.writes);
    }
    loop {
        // A stale search index is made again only when no edit is waiting.
        let lagging = live
            .as_ref()
            .is_some_and(crate::pipeline::live::Live::lagging);
        let wait = if lagging { SEARCH_AFTER } else { ROOTS_EVERY };
        match watcher.next_batch(watch::Debounce::default(), Some(wait)) {
            Ok(Some(batch)) => rebuild(
                &state,
                &mut live,
                &build_opts,
                &cache,
                Some(&batch),
                &watcher.writes,
            ),
            Ok(None) if lagging => catch_up(&state, &mut live, &watcher.writes),
            Ok(None) => {
                let now = watch::WatchRoots::for_site(&opts.root);
                if now.themes != roots.themes {
                    // A theme folder appeared (or went): watch it and build.
                    watcher = watch::SiteWatcher::start(now.clone())?;
                    roots = now;
                    rescan(&mut live, &watcher.writes);
                }
            }
            Err(watch::Stopped) => return Ok(()),
        }
    }
}

/// The search index after incremental rebuilds, published as a build of its
/// own (pages never wait for it). It gives way to the next change to the
/// site: an edit waits for the page it is in, not for tens of seconds of
/// index on a large site; the index is made again at the next pause.
fn catch_up(
    state: &ServerState,
    live: &mut Option<crate::pipeline::live::Live>,
    writes: &watch::Writes,
) {
    let Some(current) = live.as_mut() else {
        return;
    };
    let started = Instant::now();
    let seen = writes.seen();
    let give_way = || writes.seen() != seen;
    let run = std::panic::AssertUnwindSafe(|| current.catch_up_unless(&give_way));
    match std::panic::catch_unwind(run) {
        Ok(Ok(keys)) if keys.is_empty() => {}
        Ok(Err(diags)) => report_failure(state, &diags),
        Ok(Ok(keys)) => {
            let (next, changed) = state.snapshot().with_changes(&current.output, &keys);
            let changed = state.publish_changed(next, changed);
            report_rebuild(state, "search index", started, &changed);
        }
        Err(_) => {
            *live = None;
            eprintln!("Rebuild failed: fascia panicked (a bug); serving the last good build");
        }
    }
}

/// [`rebuild_inner`], surviving a panic: the last good build stays served,
/// the error is shown in open pages, and the next change rebuilds in full.
fn rebuild(
    state: &ServerState,
    live: &mut Option<crate::pipeline::live::Live>,
    opts: &BuildOptions,
    cache: &ParseCache,
    batch: Option<&[watch::Change]>,
    writes: &watch::Writes,
) {
    // Read nothing while an editor is half-way through saving a file (it
    // may have truncated it and written part); then note whether a save
    // begins during the rebuild, which may then have read half a file.
    writes.wait_idle(Duration::from_secs(2));
    let begun = writes.begun();
    let superseded = || writes.begun() != begun;
    let run = std::panic::AssertUnwindSafe(|| {
        rebuild_inner(state, live, opts, cache, batch, &superseded);
    });
    if std::panic::catch_unwind(run).is_err() {
        *live = None;
        let serving = if state.has_build() {
            "serving the last good build"
        } else {
            "there is no good build to serve yet"
        };
        eprintln!("Rebuild failed: fascia panicked (a bug); {serving}");
        state.fail_with(vec![ReportedError {
            text: format!("fascia panicked while rebuilding (a bug: please report it); {serving}"),
        }]);
    }
    if batch.is_some() {
        report_warnings(state, live.as_ref());
    }
}

/// Rebuild after `batch` (or initially): incrementally when the changes
/// allow it, else in full; publish the result, or keep the last good build
/// and report the errors.
fn rebuild_inner(
    state: &ServerState,
    live: &mut Option<crate::pipeline::live::Live>,
    opts: &BuildOptions,
    cache: &ParseCache,
    batch: Option<&[watch::Change]>,
    superseded: &dyn Fn() -> bool,
) {
    let started = Instant::now();
    if let (Some(batch), Some(current)) = (batch, live.as_mut())
        && !current.dirty
        && let incremental::Plan::Bodies(rels) = incremental::plan(batch)
    {
        match current.apply_body_edits(&rels) {
            Ok(keys) => {
                let clock = crate::timing::Clock::new();
                let (next, changed) = state.snapshot().with_changes(&current.output, &keys);
                clock.lap("edit: next snapshot");
                let changed = state.publish_changed(next, changed);
                clock.lap("edit: published");
                report_rebuild(state, "incremental", started, &changed);
                state.warnings.edit(&current.edit_warnings, state.verbosity);
                return;
            }
            // A save began meanwhile: judge the file once it is written.
            Err(crate::pipeline::live::Fallback::Errors(_)) if superseded() => return,
            Err(crate::pipeline::live::Fallback::Errors(diags)) => {
                report_failure(state, &diags);
                return;
            }
            Err(crate::pipeline::live::Fallback::Full) => {}
        }
    }
    // The served snapshot shares the rendered files; the rest of the old
    // build (its site model) is not needed any more, so free it before
    // building the next one instead of holding two at once.
    *live = None;
    let previous = state.snapshot();
    let earlier = |path: &str| previous.files.get(path).map(|f| Arc::clone(&f.bytes));
    let clock = crate::timing::Clock::new();
    let built = crate::pipeline::live::Live::build_reusing(
        opts,
        cache,
        Some(&earlier),
        crate::pipeline::live::PRINT_ON_EDIT_MAX,
    );
    match built {
        Ok((built, diags)) => {
            clock.lap("full: built");
            let mut next = Snapshot::from_output(&built.output, &previous);
            if built.lagging() {
                next.carry(&previous, built.made_later());
            }
            drop(previous);
            clock.lap("full: next snapshot");
            let changed = state.publish(next);
            clock.lap("full: published");
            *live = Some(built);
            state.warnings.due(diags);
            report_rebuild(
                state,
                if batch.is_some() { "full" } else { "initial" },
                started,
                &changed,
            );
        }
        Err(_) if superseded() => {}
        Err(diags) => report_failure(state, &diags),
    }
}

/// Print a failed build's errors and what the browser shows meanwhile, and
/// show them in open pages.
fn report_failure(state: &ServerState, diags: &Diagnostics) {
    crate::report::print_diagnostics(diags, state.verbosity);
    if state.has_build() {
        eprintln!("Rebuild failed: serving the last good build; the error is shown in open pages");
    } else {
        eprintln!(
            "Build failed: there is no good build to serve yet, so every page shows this error; pages reload once the site builds"
        );
    }
    state.fail(diags);
}

/// Print the warnings of the last full build (see [`warnings`]).
fn report_warnings(state: &ServerState, live: Option<&crate::pipeline::live::Live>) {
    let site = live.map(|l| &l.state.site);
    state.warnings.report_due(site, state.verbosity);
}

fn report_rebuild(state: &ServerState, kind: &str, started: Instant, changed: &[String]) {
    if state.verbosity.quiet() {
        return;
    }
    eprintln!(
        "Rebuilt ({kind}) in {:.1} ms: {}",
        started.elapsed().as_secs_f64() * 1000.0,
        crate::report::plural(changed.len(), "changed path", "changed paths")
    );
    if state.verbosity.verbose() {
        for url in changed.iter().take(20) {
            eprintln!("  {url}");
        }
        if changed.len() > 20 {
            eprintln!("  ...and {} more", changed.len() - 20);
        }
    }
}
