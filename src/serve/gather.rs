//! Gathering watcher events into one batch of changes per rebuild
//! ([`gather`]: debounced, and never while a file of the site is half
//! written), and the files being written right now ([`Writes`]).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
use notify::{Event, EventKind};

use super::watch::{Change, WatchRoots, classify, classify_event};

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
    /// Changes to the site's files seen so far (writes, closes after
    /// writing, renames, removals).
    seen: u64,
}

impl Writes {
    pub fn note(&self, roots: &WatchRoots, event: &Event) {
        let (state, idle) = &*self.0;
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        if event.need_rescan() {
            // Events were lost, closes among them: start afresh.
            s.open.clear();
            idle.notify_all();
            s.seen += 1;
        }
        let changes = matches!(
            event.kind,
            EventKind::Create(_)
                | EventKind::Modify(_)
                | EventKind::Remove(_)
                | EventKind::Access(AccessKind::Close(AccessMode::Write))
        );
        if changes && event.paths.iter().any(|p| classify(roots, p).is_some()) {
            s.seen += 1;
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

    /// How many changes to the site's files were seen so far: work that
    /// can wait (the search index after edits) gives way when it moves.
    pub fn seen(&self) -> u64 {
        let (state, _) = &*self.0;
        state.lock().unwrap_or_else(PoisonError::into_inner).seen
    }

    /// How many writes have begun so far.
    pub fn begun(&self) -> u64 {
        let (state, _) = &*self.0;
        state.lock().unwrap_or_else(PoisonError::into_inner).begun
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
    seen: &mut dyn FnMut(&Event),
) {
    let Ok(event) = event else {
        batch.push(Change::Rescan);
        return;
    };
    seen(&event);
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
/// until the batch is quiet and no file is being written. `seen` is shown
/// every event as it is taken (the watcher adds new folders then).
pub fn gather(
    rx: &Receiver<notify::Result<Event>>,
    roots: &WatchRoots,
    track_writes: bool,
    d: Debounce,
    first: Option<Duration>,
    seen: &mut dyn FnMut(&Event),
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
        take(roots, event, track_writes, &mut batch, &mut writing, seen);
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
            Ok(event) => take(roots, event, track_writes, &mut batch, &mut writing, seen),
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
    use std::path::Path;
    use std::sync::mpsc::channel;

    fn roots() -> WatchRoots {
        WatchRoots {
            site: PathBuf::from("/s"),
            themes: vec![PathBuf::from("/t")],
        }
    }

    fn gather(
        rx: &Receiver<notify::Result<Event>>,
        roots: &WatchRoots,
        track_writes: bool,
        d: Debounce,
        first: Option<Duration>,
    ) -> Result<Option<Vec<Change>>, Stopped> {
        super::gather(rx, roots, track_writes, d, first, &mut |_| {})
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
    fn shows_every_event_taken() {
        let (tx, rx) = channel();
        tx.send(modify("/s/content/.a.md.swp")).unwrap();
        tx.send(modify("/s/content/a.md")).unwrap();
        let mut shown = Vec::new();
        let d = Debounce::default();
        let got = super::gather(&rx, &roots(), false, d, Some(Duration::ZERO), &mut |e| {
            shown.push(e.paths[0].clone());
        });
        assert_eq!(got, Ok(Some(vec![Change::Content("a.md".into())])));
        assert_eq!(
            shown,
            [
                Path::new("/s/content/.a.md.swp"),
                Path::new("/s/content/a.md")
            ]
        );
    }

    #[test]
    fn knows_which_files_are_being_written() {
        let writes = Writes::default();
        let event = |e: notify::Result<Event>| e.unwrap();
        writes.note(&roots(), &event(modify("/s/content/.a.md.swp")));
        assert_eq!(writes.begun(), 0, "junk is not the site");
        assert_eq!(writes.seen(), 0, "junk is not a change to the site");
        let read = notify::Event::new(EventKind::Access(AccessKind::Close(AccessMode::Read)))
            .add_path("/s/content/a.md".into());
        writes.note(&roots(), &read);
        assert_eq!(writes.seen(), 0, "reading changes nothing");
        writes.note(&roots(), &event(modify("/s/content/a.md")));
        assert_eq!(writes.begun(), 1);
        assert_eq!(writes.seen(), 1);
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
        assert_eq!(writes.seen(), 2, "the close after writing is a change too");
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
