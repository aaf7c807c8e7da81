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

use super::watch::{FolderRole, WatchRoots, classify, folder_role};

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
#[derive(Debug, Default)]
pub struct Stamps(HashMap<PathBuf, Option<SystemTime>>);

impl Stamps {
    /// Take them now.
    #[must_use]
    pub fn take(roots: &WatchRoots) -> Self {
        let mut stamps = HashMap::new();
        visit(roots, &mut |path, time| {
            stamps.insert(path.to_path_buf(), time);
            true
        });
        Self(stamps)
    }

    /// The first file or folder whose time differs now, or that appeared
    /// or went (a file made, removed or renamed also changes its folder's
    /// time), if any.
    #[must_use]
    pub fn changed(&self, roots: &WatchRoots) -> Option<PathBuf> {
        let mut seen = 0;
        let mut found = None;
        visit(roots, &mut |path, time| {
            seen += 1;
            if self.0.get(path) == Some(&time) {
                return true;
            }
            found = Some(path.to_path_buf());
            false
        });
        if found.is_none() && seen != self.0.len() {
            // Something went and nothing else changed: a folder's time
            // shows it, unless the folder went too.
            found = Some(roots.site.clone());
        }
        found
    }
}

/// Show `each` every folder the build reads and every file in them that
/// matters to it (not editor junk or the output), with its modification
/// time, until it returns false. A folder reachable twice is shown once.
fn visit(roots: &WatchRoots, each: &mut dyn FnMut(&Path, Option<SystemTime>) -> bool) {
    let time = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let mut done = HashSet::new();
    let tops = std::iter::once(roots.site.clone()).chain(roots.themes.iter().cloned());
    for top in tops {
        for folder in folders_read(roots, &top) {
            if !done.insert(folder.clone()) {
                continue;
            }
            if !each(&folder, time(&folder)) {
                return;
            }
            let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                .map(|e| e.path())
                .filter(|p| classify(roots, p).is_some())
                .collect();
            files.sort();
            for file in files {
                if !each(&file, time(&file)) {
                    return;
                }
            }
        }
    }
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
