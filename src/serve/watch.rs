//! Watching the site: which folders to watch and which changed paths
//! matter, and what they invalidate (pure functions, unit-tested here).
//!
//! [`SiteWatcher`] watches each folder the build reads ([`folder_role`]),
//! polling those it cannot watch natively; [`gather`](super::gather) makes
//! its events into one batch of [`Change`]s per rebuild.

use std::path::{Path, PathBuf};

use notify::event::{ModifyKind, RenameMode};
use notify::{Event, EventKind};

use crate::content::is_editor_junk;

pub use super::gather::{Debounce, Stopped, Writes};
pub use super::watcher::SiteWatcher;

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
    /// A Sass file (site or theme, partials too): recompile the stylesheets.
    Sass,
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
    // Below content/ the build skips junk folders too; below static/ and
    // templates/ it skips junk files only (the name, checked above).
    let rel_of = |base: &Path, sub: &str| -> Option<String> {
        let rel = path.strip_prefix(base.join(sub)).ok()?;
        if sub == "content"
            && rel
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
    if rel_of(site, "sass").is_some() {
        return Some(Change::Sass);
    }
    for themes in &roots.themes {
        let Ok(rel) = path.strip_prefix(themes) else {
            continue;
        };
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
        let (Some(_theme), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        return match kind.as_ref() {
            "theme.toml" => Some(Change::Config),
            "templates" => Some(Change::Template),
            "static" => Some(Change::Static),
            "sass" => Some(Change::Sass),
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
    // A folder appearing in a walked folder (a rename, a copy) may hide
    // many files, written before it was watched.
    if event.paths.iter().any(|p| {
        matches!(
            folder_role(roots, p),
            Some(FolderRole::Walked | FolderRole::Inside)
        ) && p.is_dir()
    }) {
        out.push(Change::Rescan);
    }
    out.sort();
    out.dedup();
    out
}

/// The folders the build reads from, below the site.
const SITE_FOLDERS: [&str; 5] = ["content", "data", "templates", "static", "sass"];
/// ...and below each theme.
const THEME_FOLDERS: [&str; 3] = ["templates", "static", "sass"];

/// How the watcher treats a folder, as the build reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderRole {
    /// Read for some files of its own (the site, a folder of themes, a
    /// theme): watched, not walked; its subfolders have roles of their own.
    Own,
    /// A folder the build walks (`content/`, `static/`, a theme's
    /// `templates/`, ...): watched with every folder below it. A link to it
    /// is followed, as the build's walk follows its starting folder.
    Walked,
    /// Inside a walked folder: watched unless it is a link, which the
    /// build's walk does not follow (a link to `/etc` in `static/` is not
    /// the site).
    Inside,
}

/// The role of folder `dir`; `None` for a folder the build never reads
/// (the output, `.git`, a junk folder below `content/`, anything else).
pub fn folder_role(roots: &WatchRoots, dir: &Path) -> Option<FolderRole> {
    for sub in SITE_FOLDERS {
        let base = roots.site.join(sub);
        let Ok(rel) = dir.strip_prefix(&base) else {
            continue;
        };
        let junk = rel
            .components()
            .any(|c| is_editor_junk(&c.as_os_str().to_string_lossy()));
        return match rel.as_os_str().is_empty() {
            true => Some(FolderRole::Walked),
            false if sub == "content" && junk => None,
            false => Some(FolderRole::Inside),
        };
    }
    for themes in &roots.themes {
        let Ok(rel) = dir.strip_prefix(themes) else {
            continue;
        };
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        return match parts.as_slice() {
            [] => Some(FolderRole::Own),
            [theme] if !is_editor_junk(theme) => Some(FolderRole::Own),
            [theme, kind] if !is_editor_junk(theme) && THEME_FOLDERS.contains(&kind.as_str()) => {
                Some(FolderRole::Walked)
            }
            [theme, kind, ..]
                if !is_editor_junk(theme) && THEME_FOLDERS.contains(&kind.as_str()) =>
            {
                Some(FolderRole::Inside)
            }
            _ => None,
        };
    }
    (dir == roots.site).then_some(FolderRole::Own)
}

/// Paths an event shows appearing (maybe new folders, to watch) and
/// vanishing (maybe watched folders, to forget), in that order of handling:
/// vanished first, so a folder renamed within the site is forgotten under
/// its old name before it is watched under its new one.
pub fn folder_changes(event: &Event) -> (Vec<&Path>, Vec<&Path>) {
    let all = || event.paths.iter().map(PathBuf::as_path).collect::<Vec<_>>();
    match event.kind {
        EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
            (all(), Vec::new())
        }
        EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(RenameMode::From)) => {
            (Vec::new(), all())
        }
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
            let paths = all();
            let (from, to) = paths.split_at(1.min(paths.len()));
            (to.to_vec(), from.to_vec())
        }
        // Which way is unknown: what exists appeared, the rest vanished.
        EventKind::Modify(ModifyKind::Name(_)) => all().into_iter().partition(|p| p.exists()),
        _ => (Vec::new(), Vec::new()),
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
        assert_eq!(c("/s/sass/main.scss"), Some(Change::Sass));
        assert_eq!(c("/s/sass/parts/_vars.scss"), Some(Change::Sass));
        assert_eq!(c("/t/fibre/sass/theme.scss"), Some(Change::Sass));
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
    fn static_and_template_files_in_dot_folders_are_the_site() {
        // The build copies static/.well-known/… (it skips junk files, not
        // junk folders, there), but skips junk folders below content/.
        assert_eq!(
            c("/s/static/.well-known/security.txt"),
            Some(Change::Static)
        );
        assert_eq!(c("/t/fibre/static/.well-known/a.txt"), Some(Change::Static));
        assert_eq!(c("/s/static/.well-known/.a.txt.swp"), None);
        assert_eq!(c("/s/content/.drafts/a.md"), None);
    }

    #[test]
    fn watches_the_folders_the_build_reads_and_no_other() {
        use FolderRole::{Inside, Own, Walked};
        let role = |p: &str| folder_role(&roots(), Path::new(p));
        assert_eq!(role("/s"), Some(Own));
        assert_eq!(role("/s/content"), Some(Walked));
        assert_eq!(role("/s/content/techniques/iastm"), Some(Inside));
        assert_eq!(role("/s/static/img"), Some(Inside));
        assert_eq!(role("/s/static/.well-known"), Some(Inside));
        assert_eq!(role("/s/data"), Some(Walked));
        assert_eq!(role("/t"), Some(Own));
        assert_eq!(role("/t/fibre"), Some(Own));
        assert_eq!(role("/t/fibre/templates"), Some(Walked));
        assert_eq!(role("/t/fibre/static/fonts"), Some(Inside));
        assert_eq!(role("/s/sass"), Some(Walked));
        assert_eq!(role("/t/fibre/sass/parts"), Some(Inside));
        for never in [
            "/s/public",
            "/s/public/techniques",
            "/s/.git",
            "/s/node_modules",
            "/s/content/.git",
            "/s/content/.git/objects",
            "/t/fibre/node_modules",
            "/t/.cache",
            "/elsewhere",
            "/",
        ] {
            assert_eq!(role(never), None, "{never}");
        }
    }

    #[test]
    fn renames_vanish_before_they_appear() {
        let both = Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::Both)))
            .add_path(PathBuf::from("/s/content/old"))
            .add_path(PathBuf::from("/s/content/new"));
        assert_eq!(
            folder_changes(&both),
            (
                vec![Path::new("/s/content/new")],
                vec![Path::new("/s/content/old")]
            )
        );
        let created = Event::new(EventKind::Create(notify::event::CreateKind::Folder))
            .add_path(PathBuf::from("/s/content/x"));
        assert_eq!(folder_changes(&created).0, vec![Path::new("/s/content/x")]);
        let removed = Event::new(EventKind::Remove(notify::event::RemoveKind::Folder))
            .add_path(PathBuf::from("/s/content/x"));
        assert_eq!(folder_changes(&removed).1, vec![Path::new("/s/content/x")]);
        let written = Event::new(EventKind::Modify(ModifyKind::Any))
            .add_path(PathBuf::from("/s/content/x.md"));
        assert_eq!(folder_changes(&written), (vec![], vec![]));
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
