//! Polling the folders the native watcher could not watch: each folder's
//! listing, read every [`POLL_EVERY`], compared with the last one, and the
//! differences sent as watcher events.
//!
//! notify's own `PollWatcher` compares modification times in whole seconds
//! (and not sizes), so a second save within the second of the first went
//! unseen. Here an entry changes when its size, modification or status
//! change time (to the nanosecond) or inode does, and a file modified
//! within [`RECENT`] of a reading also has its content hashed, as git does
//! for "racily clean" files: two saves within one tick of the file system's
//! clock, of one size, still differ in content.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, SystemTime};

use notify::event::{CreateKind, MetadataKind, ModifyKind, RemoveKind};
use notify::{Event, EventKind};

/// How often polled folders are read.
pub const POLL_EVERY: Duration = Duration::from_millis(300);

/// Files modified this recently (before a reading) are hashed too.
const RECENT: Duration = Duration::from_secs(2);

/// Files larger than this are compared by their metadata only.
const MAX_HASHED: u64 = 8 << 20;

/// What a reading of a folder saw of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub folder: bool,
    pub len: u64,
    pub modified: Option<SystemTime>,
    /// Status change time (seconds, nanoseconds) and inode, where known.
    pub changed: (i64, i64),
    pub inode: u64,
    /// The content's hash, for a file modified shortly before the reading.
    pub hash: Option<u64>,
}

/// A folder's entries by name.
pub type Listing = HashMap<OsString, Entry>;

fn entry(path: &Path, meta: &std::fs::Metadata, now: SystemTime) -> Entry {
    #[cfg(unix)]
    let (changed, inode) = {
        use std::os::unix::fs::MetadataExt;
        ((meta.ctime(), meta.ctime_nsec()), meta.ino())
    };
    #[cfg(not(unix))]
    let (changed, inode) = ((0, 0), 0);
    let modified = meta.modified().ok();
    let recent = modified.is_some_and(|m| now.duration_since(m).map_or(true, |d| d < RECENT));
    let hash = (meta.is_file() && recent && meta.len() <= MAX_HASHED)
        .then(|| std::fs::read(path).ok().map(|b| crate::hash::xxh3(&b)))
        .flatten();
    Entry {
        folder: meta.is_dir(),
        len: meta.len(),
        modified,
        changed,
        inode,
        hash,
    }
}

/// Read a folder's listing (links are not followed).
pub fn read_listing(dir: &Path) -> std::io::Result<Listing> {
    let now = SystemTime::now();
    let mut listing = Listing::new();
    for item in std::fs::read_dir(dir)? {
        let item = item?;
        let path = item.path();
        if let Ok(meta) = std::fs::symlink_metadata(&path) {
            listing.insert(item.file_name(), entry(&path, &meta, now));
        }
    }
    Ok(listing)
}

/// Whether a file changed between two readings. Folders change only by
/// coming and going (what is in them is read on its own).
fn differs(old: &Entry, new: &Entry) -> bool {
    if old.folder || new.folder {
        return old.folder != new.folder;
    }
    let meta = |e: &Entry| (e.len, e.modified, e.changed, e.inode);
    meta(old) != meta(new) || matches!((old.hash, new.hash), (Some(a), Some(b)) if a != b)
}

/// The events that take `dir`'s listing from `old` to `new` (`None`: the
/// folder is gone). Kinds a native watcher would not send for a write in
/// progress, since a poll sees no closes.
pub fn differences(dir: &Path, old: &Listing, new: Option<&Listing>) -> Vec<Event> {
    let empty = Listing::new();
    let new = new.unwrap_or(&empty);
    let event = |kind, name: &OsString| Event::new(kind).add_path(dir.join(name));
    let mut events = Vec::new();
    for (name, now) in new {
        match old.get(name) {
            None if now.folder => events.push(event(EventKind::Create(CreateKind::Folder), name)),
            None => events.push(event(EventKind::Create(CreateKind::Any), name)),
            Some(before) if differs(before, now) => events.push(event(
                EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime)),
                name,
            )),
            Some(_) => {}
        }
    }
    for (name, before) in old {
        if !new.contains_key(name) {
            let kind = if before.folder {
                RemoveKind::Folder
            } else {
                RemoveKind::File
            };
            events.push(event(EventKind::Remove(kind), name));
        }
    }
    events.sort_by(|a, b| a.paths.cmp(&b.paths));
    events
}

/// The polled folders and their last listings.
type Folders = BTreeMap<PathBuf, Listing>;

/// Polls folders on a thread of its own, which ends with the poller.
pub struct Poller {
    folders: Arc<Mutex<Folders>>,
}

impl Poller {
    /// Send the changes seen in polled folders to `tx`, every `every`.
    pub fn start(tx: Sender<notify::Result<Event>>, every: Duration) -> Self {
        let folders = Arc::new(Mutex::new(Folders::new()));
        let weak = Arc::downgrade(&folders);
        std::thread::Builder::new()
            .name("fascia-poll".into())
            .spawn(move || poll(&weak, &tx, every))
            .expect("the poll thread starts");
        Self { folders }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Folders> {
        self.folders.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Poll `dir` from now on: its listing now is what later ones are
    /// compared with (so a change made after this call is never missed).
    pub fn add(&self, dir: PathBuf) {
        let listing = read_listing(&dir).unwrap_or_default();
        self.lock().insert(dir, listing);
    }

    pub fn polls(&self, dir: &Path) -> bool {
        self.lock().contains_key(dir)
    }

    /// Stop polling `dir` and the folders below it.
    pub fn remove_below(&self, dir: &Path) {
        self.lock().retain(|d, _| !d.starts_with(dir));
    }

    pub fn count(&self) -> usize {
        self.lock().len()
    }
}

fn poll(folders: &Weak<Mutex<Folders>>, tx: &Sender<notify::Result<Event>>, every: Duration) {
    loop {
        std::thread::sleep(every);
        let Some(folders) = folders.upgrade() else {
            return;
        };
        let mut events = Vec::new();
        {
            let mut folders = folders.lock().unwrap_or_else(PoisonError::into_inner);
            folders.retain(|dir, last| {
                let now = read_listing(dir).ok();
                events.extend(differences(dir, last, now.as_ref()));
                match now {
                    Some(now) => {
                        *last = now;
                        true
                    }
                    None => false,
                }
            });
        }
        for e in events {
            if tx.send(Ok(e)).is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(len: u64, secs: u32, hash: Option<u64>) -> Entry {
        Entry {
            folder: false,
            len,
            modified: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs.into())),
            changed: (secs.into(), 0),
            inode: 7,
            hash,
        }
    }

    fn listing(entries: &[(&str, Entry)]) -> Listing {
        entries
            .iter()
            .map(|(n, e)| (OsString::from(n), e.clone()))
            .collect()
    }

    fn kinds(events: &[Event]) -> Vec<(String, EventKind)> {
        events
            .iter()
            .map(|e| (e.paths[0].to_string_lossy().into_owned(), e.kind))
            .collect()
    }

    #[test]
    fn a_save_within_the_same_second_and_size_is_seen() {
        let dir = Path::new("/s/content");
        let old = listing(&[("a.md", file(10, 100, Some(1)))]);
        // Same size and second, but content hashed differently.
        let new = listing(&[("a.md", file(10, 100, Some(2)))]);
        assert_eq!(differences(dir, &old, Some(&new)).len(), 1);
        // Nanoseconds count.
        let mut later = file(10, 100, None);
        later.modified = later.modified.map(|m| m + Duration::from_nanos(1));
        let new = listing(&[("a.md", later)]);
        let old = listing(&[("a.md", file(10, 100, None))]);
        assert_eq!(differences(dir, &old, Some(&new)).len(), 1);
        // Nothing changed: no event, even though one reading hashed and the other did not.
        let new = listing(&[("a.md", file(10, 100, Some(3)))]);
        assert!(differences(dir, &old, Some(&new)).is_empty());
    }

    #[test]
    fn files_and_folders_come_and_go() {
        let dir = Path::new("/s/content");
        let mut sub = file(0, 5, None);
        sub.folder = true;
        let old = listing(&[("gone.md", file(1, 1, None)), ("kept", sub.clone())]);
        let mut sub_touched = sub.clone();
        sub_touched.modified = Some(SystemTime::now());
        let new = listing(&[
            ("new.md", file(1, 1, None)),
            ("kept", sub_touched),
            ("fresh", sub),
        ]);
        assert_eq!(
            kinds(&differences(dir, &old, Some(&new))),
            vec![
                (
                    "/s/content/fresh".into(),
                    EventKind::Create(CreateKind::Folder)
                ),
                (
                    "/s/content/gone.md".into(),
                    EventKind::Remove(RemoveKind::File)
                ),
                (
                    "/s/content/new.md".into(),
                    EventKind::Create(CreateKind::Any)
                ),
            ],
            "a folder's own times do not count"
        );
        assert_eq!(
            kinds(&differences(dir, &old, None)),
            vec![
                (
                    "/s/content/gone.md".into(),
                    EventKind::Remove(RemoveKind::File)
                ),
                (
                    "/s/content/kept".into(),
                    EventKind::Remove(RemoveKind::Folder)
                ),
            ]
        );
    }

    #[test]
    fn recent_files_are_hashed_when_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "one").unwrap();
        let listing = read_listing(dir.path()).unwrap();
        let a = &listing[&OsString::from("a.md")];
        assert_eq!(a.hash, Some(crate::hash::xxh3(b"one")));
        assert_eq!(a.len, 3);
    }
}
