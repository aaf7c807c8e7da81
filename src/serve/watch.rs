//! Watching the site with notify: which paths matter and what they
//! invalidate (pure functions, unit-tested), and a debounced event loop that
//! falls back to polling when inotify runs out of watches.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

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

/// A running watcher: its receiver of batched changes.
pub struct SiteWatcher {
    _watcher: Box<dyn Watcher + Send>,
    rx: Receiver<notify::Result<Event>>,
    roots: WatchRoots,
    /// Set when the native watcher failed and polling is used.
    pub polling: bool,
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
        let native =
            RecommendedWatcher::new(tx.clone(), NotifyConfig::default()).map_err(|e| e.to_string());
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
        })
    }

    /// Block until something relevant changes, then keep collecting until
    /// `quiet` passes without a relevant event (at most `max_wait`).
    pub fn next_batch(&self, quiet: Duration, max_wait: Duration) -> Option<Vec<Change>> {
        let mut batch: Vec<Change> = Vec::new();
        loop {
            let event = self.rx.recv().ok()?;
            batch.extend(self.relevant(event));
            if !batch.is_empty() {
                break;
            }
        }
        let started = Instant::now();
        loop {
            let left = max_wait.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match self.rx.recv_timeout(quiet.min(left)) {
                Ok(event) => batch.extend(self.relevant(event)),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
        batch.sort();
        batch.dedup();
        Some(batch)
    }

    fn relevant(&self, event: notify::Result<Event>) -> Vec<Change> {
        match event {
            Ok(e) => classify_event(&self.roots, &e),
            Err(_) => vec![Change::Rescan],
        }
    }
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
}
