//! Watching the site with notify: which paths matter and what they
//! invalidate (pure functions, unit-tested), and a debounced event loop that
//! falls back to polling when inotify runs out of watches.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
use notify::{
    Config as NotifyConfig, Event, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode,
    Watcher,
};

use crate::content::is_editor_junk;

/// What a changed path invalidates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// A Markdown file below content/ (path below content/).
    Content(String),
    /// Any other file below content/ (an asset).
    ContentAsset(String),
    /// A template of the site or theme: re-render, no re-parse.
    Template,
    /// A static file (site or theme): copy it.
    Static,
    /// Glossary, bibliography or other data: affects parsing and rendering.
    Data,
    /// config.toml or theme.toml: rebuild everything.
    Config,
    /// The watcher lost events: rebuild everything.
    Rescan,
}

/// Where the watched folders are: the site, and the folders holding themes
/// (`site/themes/` and the `themes/` beside the site, when they exist).
#[derive(Debug, Clone)]
pub struct WatchRoots {
    pub site: PathBuf,
    pub themes: Vec<PathBuf>,
}

impl WatchRoots {
    /// The roots for a site folder, made absolute.
    pub fn for_site(site: &Path) -> Self {
        let abs = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let site = abs(site);
        let themes = [site.join("themes"), site.join("..").join("themes")]
            .into_iter()
            .filter(|p| p.is_dir())
            .map(|p| abs(&p))
            .collect();
        Self { site, themes }
    }
}

/// Classify one changed path; `None` when it does not matter.
pub fn classify(roots: &WatchRoots, path: &Path) -> Option<Change> {
    let name = path.file_name()?.to_string_lossy();
    if is_editor_junk(&name) {
        return None;
    }
    let rel_of = |base: &Path, sub: &str| -> Option<String> {
        let rel = path.strip_prefix(base.join(sub)).ok()?;
        if rel
            .components()
            .any(|c| is_editor_junk(&c.as_os_str().to_string_lossy()))
        {
            return None;
        }
        Some(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        )
    };
    let site = &roots.site;
    if path == site.join("config.toml") {
        return Some(Change::Config);
    }
    if let Some(rel) = rel_of(site, "content") {
        return Some(if rel.ends_with(".md") || !rel.contains('.') {
            Change::Content(rel)
        } else {
            Change::ContentAsset(rel)
        });
    }
    if rel_of(site, "data").is_some() {
        return Some(Change::Data);
    }
    if rel_of(site, "templates").is_some() {
        return Some(Change::Template);
    }
    if rel_of(site, "static").is_some() {
        return Some(Change::Static);
    }
    for themes in &roots.themes {
        let Ok(rel) = path.strip_prefix(themes) else {
            continue;
        };
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
        let (Some(_theme), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        if parts.clone().any(|p| is_editor_junk(&p)) {
            return None;
        }
        return match kind.as_ref() {
            "theme.toml" => Some(Change::Config),
            "templates" => Some(Change::Template),
            "static" => Some(Change::Static),
            _ => None,
        };
    }
    None
}

/// Classify a notify event (all its paths), deduplicated and sorted.
pub fn classify_event(roots: &WatchRoots, event: &Event) -> Vec<Change> {
    if event.need_rescan() {
        return vec![Change::Rescan];
    }
    if matches!(event.kind, EventKind::Access(_)) {
        return Vec::new();
    }
    let mut out: Vec<Change> = event
        .paths
        .iter()
        .filter_map(|p| classify(roots, p))
        .collect();
    // A folder event below content/ (rename of a folder) may hide many files.
    if event
        .paths
        .iter()
        .any(|p| p.is_dir() && p.starts_with(roots.site.join("content")))
    {
        out.push(Change::Rescan);
    }
    out.sort();
    out.dedup();
    out
}

/// Which files of the site are being written right now, as the native
/// watcher reports it the moment it happens (on its own thread, not when a
/// batch is read): a file is being written from its first modification to
/// its close. A rebuild waits until none is, before it reads the site, and
/// notices writes that began while it ran.
#[derive(Debug, Clone, Default)]
pub struct Writes(Arc<(Mutex<WriteState>, Condvar)>);

#[derive(Debug, Default)]
struct WriteState {
    open: HashSet<PathBuf>,
    /// Writes begun so far.
    begun: u64,
}

impl Writes {
    fn note(&self, roots: &WatchRoots, event: &Event) {
        let (state, idle) = &*self.0;
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        if event.need_rescan() {
            // Events were lost, closes among them: start afresh.
            s.open.clear();
            idle.notify_all();
        }
        match event.kind {
            EventKind::Create(CreateKind::File) | EventKind::Modify(ModifyKind::Data(_)) => {
                for p in &event.paths {
                    if classify(roots, p).is_some() {
                        s.begun += 1;
                        s.open.insert(p.clone());
                    }
                }
            }
            EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Name(_)) => {
                for p in &event.paths {
                    s.open.remove(p);
                }
                if s.open.is_empty() {
                    idle.notify_all();
                }
            }
            _ => {}
        }
    }

    /// Wait (at most `max`) until no file of the site is being written.
    pub fn wait_idle(&self, max: Duration) {
        let (state, idle) = &*self.0;
        let s = state.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = idle.wait_timeout_while(s, max, |s| !s.open.is_empty());
    }

    /// How many writes have begun so far.
    pub fn begun(&self) -> u64 {
        let (state, _) = &*self.0;
        state.lock().unwrap_or_else(PoisonError::into_inner).begun
    }
}

/// A running watcher: its receiver of batched changes.
pub struct SiteWatcher {
    _watcher: Box<dyn Watcher + Send>,
    rx: Receiver<notify::Result<Event>>,
    roots: WatchRoots,
    /// Set when the native watcher failed and polling is used.
    pub polling: bool,
    /// Files being written (native watcher only).
    pub writes: Writes,
}

impl SiteWatcher {
    /// Watch the site root and the theme, recursively.
    pub fn start(roots: WatchRoots) -> Result<Self, String> {
        let folders: Vec<PathBuf> = std::iter::once(roots.site.clone())
            .chain(
                roots
                    .themes
                    .iter()
                    .filter(|t| !t.starts_with(&roots.site))
                    .cloned(),
            )
            .collect();
        let (tx, rx) = channel();
        let writes = Writes::default();
        let handler = {
            let (tx, writes, roots) = (tx.clone(), writes.clone(), roots.clone());
            move |event: notify::Result<Event>| {
                if let Ok(e) = &event {
                    writes.note(&roots, e);
                }
                let _ = tx.send(event);
            }
        };
        let native =
            RecommendedWatcher::new(handler, NotifyConfig::default()).map_err(|e| e.to_string());
        let mut native: Box<dyn Watcher + Send> = match native {
            Ok(w) => Box::new(w),
            Err(e) => return Self::polling(roots, &folders, tx, rx, &e),
        };
        for f in &folders {
            if let Err(e) = native.watch(f, RecursiveMode::Recursive) {
                let reason = e.to_string();
                drop(native);
                return Self::polling(roots, &folders, tx, rx, &reason);
            }
        }
        Ok(Self {
            _watcher: native,
            rx,
            roots,
            polling: false,
            writes,
        })
    }

    fn polling(
        roots: WatchRoots,
        folders: &[PathBuf],
        tx: std::sync::mpsc::Sender<notify::Result<Event>>,
        rx: Receiver<notify::Result<Event>>,
        reason: &str,
    ) -> Result<Self, String> {
        eprintln!(
            "warning: cannot watch files natively ({reason}); polling every 300 ms instead. \
             On Linux, raise the limit with: sudo sysctl fs.inotify.max_user_watches=524288"
        );
        let cfg = NotifyConfig::default()
            .with_poll_interval(Duration::from_millis(300))
            .with_compare_contents(false);
        let mut w = PollWatcher::new(tx, cfg).map_err(|e| e.to_string())?;
        for f in folders {
            w.watch(f, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch {}: {e}", f.display()))?;
        }
        Ok(Self {
            _watcher: Box::new(w),
            rx,
            roots,
            polling: true,
            writes: Writes::default(),
        })
    }

    /// Wait (at most `first`, or for as long as it takes) until something
    /// relevant changes, then gather the changes that follow closely (see
    /// [`Debounce`]). `Ok(None)`: nothing changed in time; `Err`: the
    /// watcher stopped.
    pub fn next_batch(
        &self,
        debounce: Debounce,
        first: Option<Duration>,
    ) -> Result<Option<Vec<Change>>, Stopped> {
        gather(&self.rx, &self.roots, !self.polling, debounce, first)
    }
}

/// How changes are gathered into one rebuild.
#[derive(Debug, Clone, Copy)]
pub struct Debounce {
    /// A batch ends once this passes without a relevant event...
    pub quiet: Duration,
    /// ...or this long after its first event,
    pub max_wait: Duration,
    /// unless a file of the site is still being written (modified, not yet
    /// closed): then it waits for the close, up to this long. A rebuild
    /// never reads a file between an editor's truncating it and its last
    /// write, which would serve a page cut short.
    pub max_write_wait: Duration,
}

impl Default for Debounce {
    fn default() -> Self {
        Self {
            quiet: Duration::from_millis(8),
            max_wait: Duration::from_millis(150),
            max_write_wait: Duration::from_secs(2),
        }
    }
}

/// The changes one event brings, and the files it shows being written
/// (`track_writes`: the native watcher reports closes; polling does not).
fn take(
    roots: &WatchRoots,
    event: notify::Result<Event>,
    track_writes: bool,
    batch: &mut Vec<Change>,
    writing: &mut HashSet<PathBuf>,
) {
    let Ok(event) = event else {
        batch.push(Change::Rescan);
        return;
    };
    match event.kind {
        EventKind::Create(CreateKind::File) | EventKind::Modify(ModifyKind::Data(_))
            if track_writes =>
        {
            writing.extend(
                event
                    .paths
                    .iter()
                    .filter(|p| classify(roots, p).is_some())
                    .cloned(),
            );
        }
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Remove(_)
        | EventKind::Modify(ModifyKind::Name(_)) => {
            for p in &event.paths {
                writing.remove(p);
            }
        }
        _ => {}
    }
    batch.extend(classify_event(roots, &event));
}

/// The watcher has stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

/// Wait for a relevant event on `rx` (at most `first`), then gather events
/// until the batch is quiet and no file is being written.
fn gather(
    rx: &Receiver<notify::Result<Event>>,
    roots: &WatchRoots,
    track_writes: bool,
    d: Debounce,
    first: Option<Duration>,
) -> Result<Option<Vec<Change>>, Stopped> {
    let mut batch: Vec<Change> = Vec::new();
    let mut writing: HashSet<PathBuf> = HashSet::new();
    let asked = Instant::now();
    while batch.is_empty() {
        let event = match first {
            None => rx.recv().map_err(|_| Stopped)?,
            Some(limit) => match rx.recv_timeout(limit.saturating_sub(asked.elapsed())) {
                Ok(e) => e,
                Err(RecvTimeoutError::Timeout) => return Ok(None),
                Err(RecvTimeoutError::Disconnected) => return Err(Stopped),
            },
        };
        take(roots, event, track_writes, &mut batch, &mut writing);
    }
    let started = Instant::now();
    loop {
        let limit = if writing.is_empty() {
            d.max_wait
        } else {
            d.max_write_wait
        };
        let left = limit.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        match rx.recv_timeout(d.quiet.min(left)) {
            Ok(event) => take(roots, event, track_writes, &mut batch, &mut writing),
            Err(RecvTimeoutError::Timeout) if writing.is_empty() => break,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Err(Stopped),
        }
    }
    batch.sort();
    batch.dedup();
    Ok(Some(batch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots() -> WatchRoots {
        WatchRoots {
            site: PathBuf::from("/s"),
            themes: vec![PathBuf::from("/t")],
        }
    }

    fn c(p: &str) -> Option<Change> {
        classify(&roots(), Path::new(p))
    }

    #[test]
    fn classifies_site_paths() {
        assert_eq!(c("/s/config.toml"), Some(Change::Config));
        assert_eq!(
            c("/s/content/techniques/iastm.md"),
            Some(Change::Content("techniques/iastm.md".into()))
        );
        assert_eq!(
            c("/s/content/techniques/iastm/pic.png"),
            Some(Change::ContentAsset("techniques/iastm/pic.png".into()))
        );
        assert_eq!(
            c("/s/content/techniques"),
            Some(Change::Content("techniques".into()))
        );
        assert_eq!(c("/s/data/glossary.toml"), Some(Change::Data));
        assert_eq!(c("/s/templates/page.html"), Some(Change::Template));
        assert_eq!(c("/s/static/logo.svg"), Some(Change::Static));
        assert_eq!(c("/t/fibre/templates/base.html"), Some(Change::Template));
        assert_eq!(c("/t/fibre/static/fibre.css"), Some(Change::Static));
        assert_eq!(c("/t/fibre/theme.toml"), Some(Change::Config));
    }

    #[test]
    fn ignores_output_junk_and_strangers() {
        for p in [
            "/s/public/index.html",
            "/s/content/.iastm.md.swp",
            "/s/content/iastm.md~",
            "/s/content/#iastm.md#",
            "/s/content/.#iastm.md",
            "/s/content/4913",
            "/s/content/iastm.md___jb_tmp___",
            "/s/content/.git/HEAD",
            "/elsewhere/config.toml",
            "/s/README.md",
        ] {
            assert_eq!(c(p), None, "{p}");
        }
    }

    #[test]
    fn rescan_events_rebuild_everything() {
        let mut e = Event::new(EventKind::Other);
        e = e.set_flag(notify::event::Flag::Rescan);
        assert_eq!(classify_event(&roots(), &e), vec![Change::Rescan]);
        let write = Event::new(EventKind::Modify(notify::event::ModifyKind::Any))
            .add_path(PathBuf::from("/s/content/a.md"))
            .add_path(PathBuf::from("/s/content/a.md"))
            .add_path(PathBuf::from("/s/content/.a.md.swp"));
        assert_eq!(
            classify_event(&roots(), &write),
            vec![Change::Content("a.md".into())]
        );
    }

    #[allow(clippy::unnecessary_wraps)] // the watcher sends results
    fn modify(p: &str) -> notify::Result<Event> {
        Ok(Event::new(EventKind::Modify(ModifyKind::Data(
            notify::event::DataChange::Any,
        )))
        .add_path(PathBuf::from(p)))
    }

    #[allow(clippy::unnecessary_wraps)] // the watcher sends results
    fn closed(p: &str) -> notify::Result<Event> {
        Ok(
            Event::new(EventKind::Access(AccessKind::Close(AccessMode::Write)))
                .add_path(PathBuf::from(p)),
        )
    }

    /// Send `events` with pauses (ms before each), gather one batch; the
    /// batch and how long gathering took.
    fn gathered(events: Vec<(u64, notify::Result<Event>)>, track: bool) -> (Vec<Change>, Duration) {
        let (tx, rx) = channel();
        let (done, gathered) = channel::<()>();
        let sender = std::thread::spawn(move || {
            for (pause, e) in events {
                std::thread::sleep(Duration::from_millis(pause));
                let _ = tx.send(e);
            }
            // The watcher stays alive until the batch is gathered.
            let _ = gathered.recv();
        });
        let d = Debounce {
            quiet: Duration::from_millis(30),
            max_wait: Duration::from_millis(150),
            max_write_wait: Duration::from_secs(1),
        };
        let first = Instant::now();
        let batch = gather(&rx, &roots(), track, d, None).unwrap().unwrap();
        let took = first.elapsed();
        drop(done);
        sender.join().unwrap();
        (batch, took)
    }

    #[test]
    fn knows_which_files_are_being_written() {
        let writes = Writes::default();
        let event = |e: notify::Result<Event>| e.unwrap();
        writes.note(&roots(), &event(modify("/s/content/.a.md.swp")));
        assert_eq!(writes.begun(), 0, "junk is not the site");
        writes.note(&roots(), &event(modify("/s/content/a.md")));
        assert_eq!(writes.begun(), 1);
        let t = Instant::now();
        writes.wait_idle(Duration::from_millis(60));
        assert!(t.elapsed() >= Duration::from_millis(60), "a.md is open");
        let closer = {
            let writes = writes.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                writes.note(&roots(), &event(closed("/s/content/a.md")));
            })
        };
        let t = Instant::now();
        writes.wait_idle(Duration::from_secs(5));
        assert!(t.elapsed() < Duration::from_secs(2), "woken by the close");
        closer.join().unwrap();
    }

    #[test]
    fn waits_for_a_first_event_at_most_as_asked() {
        let (tx, rx) = channel();
        let t = Instant::now();
        let d = Debounce::default();
        let none = gather(&rx, &roots(), true, d, Some(Duration::from_millis(50)));
        assert_eq!(none, Ok(None));
        assert!(t.elapsed() >= Duration::from_millis(50));
        tx.send(modify("/s/content/.a.md.swp")).unwrap();
        tx.send(closed("/s/content/a.md")).unwrap();
        let junk = gather(&rx, &roots(), true, d, Some(Duration::from_millis(50)));
        assert_eq!(junk, Ok(None), "irrelevant events start no batch");
        tx.send(modify("/s/content/a.md")).unwrap();
        let got = gather(&rx, &roots(), false, d, Some(Duration::ZERO));
        assert_eq!(got, Ok(Some(vec![Change::Content("a.md".into())])));
        drop(tx);
        assert_eq!(gather(&rx, &roots(), true, d, None), Err(Stopped));
    }

    #[test]
    fn waits_for_a_slow_write_to_close() {
        let a = "/s/content/a.md";
        // Half, a pause longer than `quiet`, the rest, the close.
        let (batch, took) = gathered(vec![(0, modify(a)), (80, modify(a)), (80, closed(a))], true);
        assert_eq!(batch, vec![Change::Content("a.md".into())]);
        assert!(
            took >= Duration::from_millis(160),
            "gathered before the close: {took:?}"
        );
        // Never closed: gathering gives up at `max_write_wait`.
        let (_, took) = gathered(vec![(0, modify(a))], true);
        assert!(
            took >= Duration::from_secs(1) && took < Duration::from_millis(1400),
            "{took:?}"
        );
        // Without close events (polling), only `quiet` and `max_wait` count
        // (the bounds leave room for a busy machine, far below `max_write_wait`).
        let (_, took) = gathered(vec![(0, modify(a)), (80, modify(a))], false);
        assert!(took < Duration::from_millis(500), "{took:?}");
        // Closes and junk alone start nothing; a junk file's write holds nothing.
        let (batch, took) = gathered(
            vec![
                (0, closed(a)),
                (0, modify("/s/content/.a.md.swp")),
                (0, modify(a)),
                (0, closed(a)),
            ],
            true,
        );
        assert_eq!(batch, vec![Change::Content("a.md".into())]);
        assert!(took < Duration::from_millis(500), "{took:?}");
    }
}
