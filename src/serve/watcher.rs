//! The running watcher: one native (inotify) watch per folder the build
//! reads ([`folder_role`]), added as folders appear and dropped as they go;
//! every folder that cannot be watched natively (the system's watches ran
//! out, at start or while serving) is polled instead ([`super::poll`]), and
//! the server says so, once.
//!
//! Watching folder by folder, rather than asking notify for one recursive
//! watch, is what makes this possible: notify's recursive watch stops at the
//! first folder it cannot watch (at start, fascia then polled the whole site
//! with notify's poller, which missed saves; later, notify dropped the new
//! folders silently) and follows links the build does not.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use notify::{Config as NotifyConfig, Event, RecommendedWatcher, RecursiveMode, Watcher};

use super::gather::{Debounce, Stopped, Writes, gather};
use super::poll::{POLL_EVERY, Poller};
use super::since::folders_read;
use super::watch::{Change, WatchRoots, folder_changes};

/// The folders watched, natively or by polling.
struct Folders {
    roots: WatchRoots,
    /// `None` when the system gives no native watcher at all.
    native: Option<Box<dyn Watcher + Send>>,
    /// Most native watches to hold (`None`: as many as the system allows).
    budget: Option<usize>,
    watched: HashSet<PathBuf>,
    poller: Poller,
    /// Why the first folder could not be watched natively.
    failure: Option<String>,
    /// Whether the server has said so.
    told: bool,
}

/// Why a folder is not watched natively.
enum Unwatched {
    /// It is gone already: nothing to watch.
    Gone,
    /// It must be polled.
    Failed(String),
}

impl Folders {
    /// The folders to start from: the site and each folder of themes.
    fn tops(&self) -> Vec<PathBuf> {
        std::iter::once(self.roots.site.clone())
            .chain(self.roots.themes.iter().cloned())
            .collect()
    }

    /// Watch `dir` and the folders below it that the build reads.
    fn add_tree(&mut self, dir: &Path) {
        for folder in folders_read(&self.roots, dir) {
            self.add(&folder);
        }
    }

    /// Watch one folder (not what is below it), natively or by polling.
    fn add(&mut self, dir: &Path) {
        if self.watched.contains(dir) || self.poller.polls(dir) {
            return;
        }
        match self.watch_natively(dir) {
            Ok(()) => {
                self.watched.insert(dir.to_path_buf());
            }
            Err(Unwatched::Gone) => {}
            Err(Unwatched::Failed(reason)) => {
                self.poller.add(dir.to_path_buf());
                self.failure.get_or_insert(reason);
            }
        }
    }

    fn watch_natively(&mut self, dir: &Path) -> Result<(), Unwatched> {
        let Some(native) = self.native.as_mut() else {
            return Err(Unwatched::Failed(
                self.failure
                    .clone()
                    .unwrap_or_else(|| "no native watcher".into()),
            ));
        };
        if let Some(budget) = self.budget
            && self.watched.len() >= budget
        {
            return Err(Unwatched::Failed(format!(
                "all {budget} watches allowed are in use"
            )));
        }
        native
            .watch(dir, RecursiveMode::NonRecursive)
            .map_err(|e| match e.kind {
                notify::ErrorKind::PathNotFound => Unwatched::Gone,
                notify::ErrorKind::Io(ref io) if io.kind() == std::io::ErrorKind::NotFound => {
                    Unwatched::Gone
                }
                _ => Unwatched::Failed(e.to_string()),
            })
    }

    /// Forget `path` and the folders below it (they are gone, or elsewhere).
    fn forget_below(&mut self, path: &Path) {
        let gone: Vec<PathBuf> = self
            .watched
            .iter()
            .filter(|d| d.starts_with(path))
            .cloned()
            .collect();
        for dir in gone {
            self.watched.remove(&dir);
            if let Some(native) = self.native.as_mut() {
                let _ = native.unwatch(&dir);
            }
        }
        self.poller.remove_below(path);
    }

    /// Follow the folders an event shows coming and going.
    fn seen(&mut self, event: &Event) {
        if event.need_rescan() {
            // Events were lost, maybe of new folders.
            for top in self.tops() {
                self.add_tree(&top);
            }
            return;
        }
        let (appeared, vanished) = folder_changes(event);
        for path in vanished {
            self.forget_below(path);
        }
        for path in appeared {
            if path.is_dir() {
                self.add_tree(path);
            }
        }
    }

    /// What to say, once, when some folders are polled.
    fn warning(&mut self, starting: bool) -> Option<String> {
        let reason = self.failure.as_ref().filter(|_| !self.told)?;
        self.told = true;
        let what = if starting {
            format!("{} folder(s) of the site", self.poller.count())
        } else {
            "new folders of the site".into()
        };
        Some(format!(
            "warning: cannot watch {what} for changes ({reason}); polling them every {} ms instead \
             (and any other folder that cannot be watched). On Linux, raise the limit with: \
             sudo sysctl fs.inotify.max_user_watches=524288",
            POLL_EVERY.as_millis()
        ))
    }
}

/// A running watcher: its receiver of batched changes.
pub struct SiteWatcher {
    folders: Folders,
    rx: Receiver<notify::Result<Event>>,
    /// Files being written (reported by the native watcher).
    pub writes: Writes,
}

impl SiteWatcher {
    /// Watch every folder the build reads.
    pub fn start(roots: WatchRoots) -> Result<Self, String> {
        Self::start_with(roots, None)
    }

    /// [`SiteWatcher::start`], holding at most `budget` native watches (as
    /// if the system allowed no more); `None`: as many as it allows.
    pub fn start_with(roots: WatchRoots, budget: Option<usize>) -> Result<Self, String> {
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
        let (native, failure) = match RecommendedWatcher::new(handler, NotifyConfig::default()) {
            Ok(w) => (Some(Box::new(w) as Box<dyn Watcher + Send>), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let mut folders = Folders {
            roots,
            native,
            budget,
            watched: HashSet::new(),
            poller: Poller::start(tx, POLL_EVERY),
            failure,
            told: false,
        };
        for top in folders.tops() {
            folders.add_tree(&top);
        }
        if let Some(warning) = folders.warning(true) {
            eprintln!("{warning}");
        }
        Ok(Self {
            folders,
            rx,
            writes,
        })
    }

    /// Wait (at most `first`, or for as long as it takes) until something
    /// relevant changes, then gather the changes that follow closely (see
    /// [`Debounce`]). `Ok(None)`: nothing changed in time; `Err`: the
    /// watcher stopped.
    pub fn next_batch(
        &mut self,
        debounce: Debounce,
        first: Option<Duration>,
    ) -> Result<Option<Vec<Change>>, Stopped> {
        let folders = &mut self.folders;
        let track_writes = folders.native.is_some();
        let roots = folders.roots.clone();
        let batch = gather(&self.rx, &roots, track_writes, debounce, first, &mut |e| {
            folders.seen(e);
        });
        if let Some(warning) = folders.warning(false) {
            eprintln!("{warning}");
        }
        batch
    }

    /// Whether `dir` is watched natively.
    pub fn watches(&self, dir: &Path) -> bool {
        self.folders.watched.contains(dir)
    }

    /// Whether `dir` is polled.
    pub fn polls(&self, dir: &Path) -> bool {
        self.folders.poller.polls(dir)
    }

    /// How many folders are watched natively, and how many polled.
    pub fn counts(&self) -> (usize, usize) {
        (self.folders.watched.len(), self.folders.poller.count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// A site in a temporary folder: config, three pages in `content/notes/`.
    fn site() -> (tempfile::TempDir, WatchRoots) {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("content/notes")).unwrap();
        std::fs::create_dir_all(site.join("static")).unwrap();
        std::fs::write(site.join("config.toml"), "title = \"t\"\n").unwrap();
        for name in ["a", "b", "c"] {
            std::fs::write(site.join(format!("content/notes/{name}.md")), "save 00\n").unwrap();
        }
        let roots = WatchRoots::for_site(&site);
        (dir, roots)
    }

    /// Save the files of `dir` 30 times, 50 ms apart, in turn, each time
    /// with new content of the same length (as quick saves within one
    /// second are), while taking batches as the server does and "rebuilding"
    /// (reading the files) after each. Every file must be read as last
    /// saved: no save lost.
    fn quick_saves_are_all_seen(w: &mut SiteWatcher, dir: &Path) {
        let files: Vec<PathBuf> = ["a", "b", "c"]
            .iter()
            .map(|n| dir.join(format!("{n}.md")))
            .collect();
        let saver = {
            let files = files.clone();
            std::thread::spawn(move || {
                for i in 1..=30 {
                    std::fs::write(&files[i % 3], format!("save {i:02}\n")).unwrap();
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        };
        let read = |f: &PathBuf| std::fs::read_to_string(f).unwrap_or_default();
        let mut last_read: Vec<String> = files.iter().map(read).collect();
        let mut batches = 0;
        let mut quiet_since = Instant::now();
        while !saver.is_finished() || quiet_since.elapsed() < Duration::from_secs(2) {
            let batch = w.next_batch(Debounce::default(), Some(Duration::from_millis(100)));
            if let Ok(Some(batch)) = batch {
                assert!(!batch.is_empty());
                batches += 1;
                last_read = files.iter().map(read).collect();
                quiet_since = Instant::now();
            }
        }
        saver.join().unwrap();
        let on_disk: Vec<String> = files.iter().map(read).collect();
        assert_eq!(on_disk, ["save 30\n", "save 28\n", "save 29\n"]);
        assert_eq!(
            last_read, on_disk,
            "a save was never seen ({batches} batches)"
        );
    }

    #[test]
    fn polls_every_folder_when_no_watch_is_left_at_start() {
        let (_dir, roots) = site();
        let notes = roots.site.join("content/notes");
        let mut w = SiteWatcher::start_with(roots.clone(), Some(0)).unwrap();
        assert!(w.polls(&notes) && w.polls(&roots.site) && !w.watches(&notes));
        assert_eq!(w.counts().0, 0);
        assert!(w.folders.told, "said so at start");
        assert_eq!(w.folders.warning(false), None, "and only once");
        quick_saves_are_all_seen(&mut w, &notes);
    }

    #[test]
    fn polls_new_folders_once_watches_run_out_while_serving() {
        let (_dir, roots) = site();
        let all = SiteWatcher::start(roots.clone()).unwrap().counts();
        assert_eq!(all.1, 0, "everything watched natively");
        // Exactly enough watches for the folders there are at start.
        let mut w = SiteWatcher::start_with(roots.clone(), Some(all.0)).unwrap();
        assert_eq!(w.counts(), all);
        assert!(!w.folders.told);
        let later = roots.site.join("content/later");
        std::fs::create_dir(&later).unwrap();
        std::fs::write(later.join("a.md"), "save 00\n").unwrap();
        let t = Instant::now();
        while !w.polls(&later) && t.elapsed() < Duration::from_secs(5) {
            let _ = w.next_batch(Debounce::default(), Some(Duration::from_millis(100)));
        }
        assert!(w.polls(&later), "the new folder is polled");
        assert!(w.folders.told, "said so when the watches ran out");
        quick_saves_are_all_seen(&mut w, &later);
        // Gone, and forgotten: made again, it is watched again.
        std::fs::remove_dir_all(&later).unwrap();
        let t = Instant::now();
        while w.polls(&later) && t.elapsed() < Duration::from_secs(5) {
            let _ = w.next_batch(Debounce::default(), Some(Duration::from_millis(100)));
        }
        assert!(!w.polls(&later) && !w.watches(&later));
    }

    #[test]
    fn does_not_follow_links_the_build_does_not_follow() {
        let (dir, roots) = site();
        let outside = dir.path().join("outside");
        for sub in ["a", "b/c", "d"] {
            std::fs::create_dir_all(outside.join(sub)).unwrap();
        }
        let link = roots.site.join("static/linked");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        // A linked content/ is followed, as the build follows it.
        let content = roots.site.join("content");
        let real_content = dir.path().join("real-content");
        std::fs::rename(&content, &real_content).unwrap();
        std::os::unix::fs::symlink(&real_content, &content).unwrap();
        let mut w = SiteWatcher::start(roots.clone()).unwrap();
        assert!(w.watches(&roots.site.join("static")));
        assert!(!w.watches(&link) && !w.watches(&link.join("b/c")) && !w.polls(&link));
        assert!(w.watches(&content) && w.watches(&content.join("notes")));
        std::fs::write(outside.join("b/c/x.md"), "not the site").unwrap();
        let batch = w.next_batch(Debounce::default(), Some(Duration::from_millis(600)));
        assert_eq!(
            batch,
            Ok(None),
            "a change behind the link is not the site's"
        );
        std::fs::write(content.join("notes/a.md"), "edited").unwrap();
        let batch = w.next_batch(Debounce::default(), Some(Duration::from_secs(5)));
        assert_eq!(batch, Ok(Some(vec![Change::Content("notes/a.md".into())])));
    }
}
