//! The folders the build reads, and what in them changed while a build ran.
//!
//! `serve` starts watching only once its first build is done: a native
//! watch reports every file opened in its folder (notify asks inotify for
//! opens), and the first build opens every file of the site, which cost a
//! sixth of its parse at 100,000 pages (docs/search.md). The modification
//! times taken before that build ([`Stamps`]) show afterwards what was
//! saved while it ran, which is then built.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;

use super::watch::{FolderRole, WatchRoots, classify, folder_role};
use crate::content::is_editor_junk;

/// `dir` and the folders below it that the build reads, as it walks them:
/// a folder of its own is read for its files and each subfolder has a role
/// of its own; a walked folder is followed if it is a link, and no link
/// below it is.
pub fn folders_read(roots: &WatchRoots, dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(roots, dir, &mut out);
    out
}

fn collect(roots: &WatchRoots, dir: &Path, out: &mut Vec<PathBuf>) {
    match folder_role(roots, dir) {
        None => {}
        Some(FolderRole::Own) => {
            if !dir.is_dir() {
                return;
            }
            out.push(dir.to_path_buf());
            let children: Vec<PathBuf> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect();
            for child in children {
                collect(roots, &child, out);
            }
        }
        Some(role) => {
            let link = std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_symlink());
            if role == FolderRole::Inside && link {
                return;
            }
            out.extend(
                walkdir::WalkDir::new(dir)
                    .into_iter()
                    .filter_entry(|e| {
                        e.depth() == 0
                            || (e.file_type().is_dir() && folder_role(roots, e.path()).is_some())
                    })
                    .flatten()
                    // The starting folder reports itself as a link, if it is one.
                    .filter(|e| e.depth() == 0 || e.file_type().is_dir())
                    .map(walkdir::DirEntry::into_path),
            );
        }
    }
}

/// The modification time of every file and folder the build reads, taken
/// before a build: what differs afterwards ([`Stamps::changed`]) was saved,
/// made, removed or renamed while it ran.
#[derive(Debug)]
pub struct Stamps(HashMap<PathBuf, Option<SystemTime>>);

impl Stamps {
    /// Take them now.
    #[must_use]
    pub fn take(roots: &WatchRoots) -> Self {
        Self(stamps(roots).into_iter().collect())
    }

    /// The first file or folder whose time differs now, or that appeared
    /// or went (a file made, removed or renamed also changes its folder's
    /// time), if any.
    #[must_use]
    pub fn changed(&self, roots: &WatchRoots) -> Option<PathBuf> {
        let now = stamps(roots);
        let differs = now
            .iter()
            .find(|(path, time)| self.0.get(path) != Some(time))
            .map(|(path, _)| path.clone());
        // Something went and nothing else changed: a folder's time shows
        // it, unless the folder went too.
        differs.or_else(|| (now.len() != self.0.len()).then(|| roots.site.clone()))
    }
}

/// Every folder the build reads (once, though reachable twice) and every
/// file in them that matters to it (not editor junk or the output), with
/// its modification time: each folder, then its files. The folders are
/// read on the thread pool.
fn stamps(roots: &WatchRoots) -> Vec<(PathBuf, Option<SystemTime>)> {
    let time = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let mut done = HashSet::new();
    let folders: Vec<PathBuf> = std::iter::once(roots.site.clone())
        .chain(roots.themes.iter().cloned())
        .flat_map(|top| folders_read(roots, &top))
        .filter(|folder| done.insert(folder.clone()))
        .collect();
    let per_folder: Vec<Vec<(PathBuf, Option<SystemTime>)>> = folders
        .into_par_iter()
        .map(|folder| {
            // Below a folder of its own only some files matter (config.toml,
            // theme.toml); in a walked folder, all but editor junk.
            let own = folder_role(roots, &folder) == Some(FolderRole::Own);
            let matters = |e: &std::fs::DirEntry| {
                if own {
                    classify(roots, &e.path()).is_some()
                } else {
                    !is_editor_junk(&e.file_name().to_string_lossy())
                }
            };
            let files: Vec<(PathBuf, Option<SystemTime>)> = std::fs::read_dir(&folder)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()) && matters(e))
                .map(|e| {
                    // The link's target's time, as the build reads it.
                    let stamp = if e.file_type().is_ok_and(|t| t.is_symlink()) {
                        time(&e.path())
                    } else {
                        e.metadata().and_then(|m| m.modified()).ok()
                    };
                    (e.path(), stamp)
                })
                .collect();
            let stamp = time(&folder);
            std::iter::once((folder, stamp)).chain(files).collect()
        })
        .collect();
    per_folder.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::time::Duration;

    /// A site whose every file and folder was last changed long ago.
    fn old_site() -> (tempfile::TempDir, WatchRoots) {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        for sub in [
            "content/notes",
            "static",
            "public/notes",
            "themes/t/templates",
        ] {
            fs::create_dir_all(site.join(sub)).unwrap();
        }
        for (path, text) in [
            ("config.toml", "title = \"t\"\n"),
            ("content/notes/a.md", "a\n"),
            ("static/s.css", "a{}\n"),
            ("public/notes/index.html", "<p>\n"),
            ("themes/t/templates/page.html", "{{ page.content }}\n"),
        ] {
            fs::write(site.join(path), text).unwrap();
        }
        for entry in walkdir::WalkDir::new(&site) {
            age(entry.unwrap().path());
        }
        let roots = WatchRoots::for_site(&site);
        (dir, roots)
    }

    /// Set `path`'s modification time to one long past (always the same).
    fn age(path: &Path) {
        let past = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        fs::File::open(path).unwrap().set_modified(past).unwrap();
    }

    #[test]
    fn the_folders_read_are_the_sites_and_themes_not_the_output() {
        let (_dir, roots) = old_site();
        let rel = |p: &PathBuf| p.strip_prefix(&roots.site).unwrap().display().to_string();
        let found: Vec<String> = folders_read(&roots, &roots.site).iter().map(rel).collect();
        for want in [
            "",
            "content",
            "content/notes",
            "static",
            "themes/t/templates",
        ] {
            assert!(found.contains(&want.to_string()), "{want:?} in {found:?}");
        }
        assert!(!found.iter().any(|f| f.starts_with("public")), "{found:?}");
    }

    #[test]
    fn a_file_saved_in_place_shows_and_the_output_or_junk_does_not() {
        let (_dir, roots) = old_site();
        let before = Stamps::take(&roots);
        assert_eq!(before.changed(&roots), None);
        // The output and editor junk do not count.
        fs::write(roots.site.join("public/notes/index.html"), "<p>new\n").unwrap();
        let notes = roots.site.join("content/notes");
        fs::write(notes.join(".a.md.swp"), "x").unwrap();
        age(&notes);
        assert_eq!(before.changed(&roots), None);
        // A page saved in place changes its own time only.
        let page = notes.join("a.md");
        fs::write(&page, "a, edited\n").unwrap();
        assert_eq!(before.changed(&roots), Some(page.clone()));
        // Whatever the clock says: only a different time counts.
        age(&page);
        let before = Stamps::take(&roots);
        assert_eq!(before.changed(&roots), None);
        let f = fs::File::options().write(true).open(&page).unwrap();
        f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000))
            .unwrap();
        assert_eq!(before.changed(&roots), Some(page));
    }

    #[test]
    fn a_file_made_or_removed_shows_in_its_folder_or_in_the_count() {
        let (_dir, roots) = old_site();
        let before = Stamps::take(&roots);
        let templates = roots.themes[0].join("t/templates");
        fs::write(templates.join("section.html"), "s\n").unwrap();
        assert_eq!(before.changed(&roots), Some(templates.clone()));
        // Made with the folder's time put back: the new file shows.
        age(&templates);
        assert_eq!(before.changed(&roots), Some(templates.join("section.html")));

        let (_dir, roots) = old_site();
        let before = Stamps::take(&roots);
        let static_dir = roots.site.join("static");
        fs::remove_file(static_dir.join("s.css")).unwrap();
        assert_eq!(before.changed(&roots), Some(static_dir.clone()));
        // Removed with the folder's time put back: the count shows it.
        age(&static_dir);
        assert_eq!(before.changed(&roots), Some(roots.site.clone()));
    }
}
