//! Writing the output folder atomically.
//!
//! Whatever happens to a build (an error at any stage, a file that cannot be
//! written, a full disk, `kill -9` at any instant), the output folder holds
//! either the whole previous site or the whole new one, never a mix.
//!
//! Design, and why:
//! 1. Every build writes a complete new tree in a hidden sibling folder,
//!    `.NAME.fascia-stage-PID`, never into the live output, so a failure at
//!    any point leaves the live output as it was.
//! 2. The stage is the standby tree, `.NAME.fascia-standby`: the output of
//!    the build before last, kept after the swap. The build claims it with a
//!    rename (one build at a time can), lists it, removes any link planted in
//!    it, and updates it in place: files whose bytes are unchanged are left
//!    alone, changed ones are written beside and renamed over (the old file
//!    may be a hard link shared with the live output), files the new output
//!    lacks are removed. A rebuild thus creates no folders: on this machine a
//!    folder costs about 0.4 ms to create, so re-creating 10,000 of them made
//!    a rebuild with one changed page two to three times slower than an
//!    in-place update. With no standby (the first rebuild), the stage is a new
//!    folder whose unchanged files are hard-linked from the live output.
//! 3. At commit the stage and the output are exchanged in one step with
//!    `renameat2(RENAME_EXCHANGE)` (Linux; `renameatx_np(RENAME_SWAP)` on
//!    Apple systems), so there is no instant at which the output folder is
//!    missing or mixed. The previous output, now at the staging name, becomes
//!    the standby. Where the exchange is not available the folders are
//!    swapped with two renames through `.NAME.fascia-old-PID`; a build killed
//!    between them leaves no output folder, and the next build puts the
//!    previous one back before it starts.
//! 4. Each build first tidies what builds that died left: an output moved
//!    aside is put back, a half-updated stage becomes the standby (the next
//!    update finishes it), anything else is removed.
//!
//! The cost is a second copy of the site beside the output (its unchanged
//! files are hard links, so little disk in practice); deleting the standby
//! folder is always safe.
//! A generation folder behind a swapped symbolic link would also be atomic,
//! but the output would then be a link, which upload tools, zip and static
//! hosts treat differently from a folder; the exchange keeps it a folder.
//! Data is not flushed to the disk (`fsync`): the guarantee is against a
//! failed or killed build, not against a power cut.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;

use super::guard::absolute;
pub use super::guard::{MARKER, check_output_dir};
use super::{Output, OutputFile};
use crate::diagnostics::Diagnostic;

fn io_err(action: &str, path: &Path, e: &std::io::Error) -> Diagnostic {
    let mut d = Diagnostic::error("io", format!("cannot {action} {}: {e}", path.display()));
    if e.raw_os_error() == Some(28) {
        d = d.with_help("the disk is full: free some space and build again");
    }
    d
}

/// Write `output` into `out_dir`, replacing it only when all is written.
pub fn write_atomically(output: &Output, out_dir: &Path) -> Result<(), Diagnostic> {
    let sink = Sink::new(out_dir)?;
    sink.put_output(output)?;
    sink.commit()
}

/// The regular files and the folders of a tree (paths below it,
/// `/`-separated), found by a walk that follows no link.
#[derive(Debug, Default)]
struct Listing {
    files: HashSet<String>,
    dirs: Vec<String>,
}

/// List `root`; when `clean` (the standby tree, about to be written into),
/// remove every entry that is neither a file nor a folder (a symbolic link
/// planted in it must not redirect a write).
fn list_tree(root: &Path, clean: bool) -> Listing {
    let mut listing = Listing::default();
    for e in walkdir::WalkDir::new(root)
        .min_depth(1)
        .into_iter()
        .flatten()
    {
        let t = e.file_type();
        if t.is_file() {
            listing
                .files
                .insert(crate::content::rel_path(root, e.path()));
        } else if t.is_dir() {
            listing.dirs.push(crate::content::rel_path(root, e.path()));
        } else if clean {
            let _ = std::fs::remove_file(e.path());
        }
    }
    listing
}

/// Where a build's files go, as they are rendered.
///
/// Nothing the reader of the output folder sees changes until
/// [`Sink::commit`]; dropping a sink without committing (a failed build)
/// removes its staging folder and leaves the previous output as it was.
#[derive(Debug)]
pub struct Sink {
    out: PathBuf,
    stage: PathBuf,
    /// The stage is the standby tree of an earlier build, updated in place
    /// (else a new folder, filled with links to the previous output's
    /// unchanged files).
    reused: bool,
    /// What the stage (when reused) or the previous output holds, listed on
    /// a thread of its own while the build runs (taken on first use).
    previous: Mutex<Option<std::thread::JoinHandle<Listing>>>,
    listing: OnceLock<Listing>,
    /// Relative paths of every file of the new output.
    kept: Mutex<HashSet<String>>,
    /// Folders of a new stage made so far (relative): each is made once,
    /// not asked for again with every file put in it.
    made: Mutex<HashSet<String>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    done: AtomicBool,
}

/// `.NAME.fascia-KIND-PID` beside `out`.
fn sibling(out: &Path, kind: &str, pid: u32) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.fascia-{kind}-{pid}"))
}

impl Sink {
    /// A sink for `out_dir` (already checked by [`check_output_dir`]).
    pub fn new(out_dir: &Path) -> Result<Self, Diagnostic> {
        let out = absolute(out_dir);
        let parent = out
            .parent()
            .ok_or_else(|| Diagnostic::error("io", "the output folder has no parent folder"))?;
        std::fs::create_dir_all(parent).map_err(|e| io_err("create", parent, &e))?;
        recover(&out)?;
        let stage = sibling(&out, "stage", std::process::id());
        // Claim the standby tree (a rename: only one build can), or start anew.
        let reused = std::fs::rename(standby(&out), &stage).is_ok();
        if !reused {
            if std::fs::symlink_metadata(&stage).is_ok() {
                std::fs::remove_dir_all(&stage).map_err(|e| io_err("remove", &stage, &e))?;
            }
            std::fs::create_dir(&stage).map_err(|e| io_err("create", &stage, &e))?;
        }
        let listed = if reused { stage.clone() } else { out.clone() };
        let previous = std::fs::symlink_metadata(&listed)
            .is_ok_and(|m| m.is_dir())
            .then(|| std::thread::spawn(move || list_tree(&listed, reused)));
        Ok(Self {
            out,
            stage,
            reused,
            previous: Mutex::new(previous),
            listing: OnceLock::new(),
            kept: Mutex::default(),
            made: Mutex::default(),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            done: AtomicBool::new(false),
        })
    }

    /// (files written, files kept from the previous output) so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.written.load(Ordering::Relaxed),
            self.unchanged.load(Ordering::Relaxed),
        )
    }

    /// Whether this build has written (or claimed) `rel`.
    pub fn has(&self, rel: &str) -> bool {
        lock(&self.kept).contains(rel)
    }

    /// Every path this build has written so far.
    pub fn paths(&self) -> Vec<String> {
        lock(&self.kept).iter().cloned().collect()
    }

    /// Where `rel` is staged until [`Sink::commit`] (to read back what was
    /// written).
    pub fn staged(&self, rel: &str) -> PathBuf {
        self.stage.join(rel)
    }

    fn previous_files(&self) -> &Listing {
        self.listing.get_or_init(|| {
            lock(&self.previous)
                .take()
                .and_then(|h| h.join().ok())
                .unwrap_or_default()
        })
    }

    /// Write one file into the staging tree. Safe to call from many threads;
    /// a path written twice is an error.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.claim(rel)?;
        let path = self.stage.join(rel);
        let listed = self.previous_files().files.contains(rel);
        if self.reused {
            if listed && same_bytes(&path, bytes) {
                self.unchanged.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            make_room(&self.stage, rel)?;
            // A new file beside, then renamed over: the old one may be a link
            // shared with the live output, which must not change.
            let tmp = staged_name(&path);
            write_file(&tmp, bytes)?;
            std::fs::rename(&tmp, &path).map_err(|e| io_err("write", &path, &e))?;
        } else {
            self.make_dirs(rel)?;
            let old = self.out.join(rel);
            if listed && same_bytes(&old, bytes) && std::fs::hard_link(&old, &path).is_ok() {
                self.unchanged.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            write_file(&path, bytes)?;
        }
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Copy a file from disk (static files, page assets).
    pub fn put_copy(&self, rel: &str, from: &Path) -> Result<(), Diagnostic> {
        let bytes = std::fs::read(from).map_err(|e| io_err("copy", from, &e))?;
        self.put(rel, &bytes)
    }

    /// Every file of an in-memory [`Output`], in parallel.
    pub fn put_output(&self, output: &Output) -> Result<(), Diagnostic> {
        let files: Vec<(&String, &OutputFile)> = output.files.iter().collect();
        files.par_iter().try_for_each(|(rel, file)| match file {
            OutputFile::Bytes(b) => self.put(rel, b),
            // A generated file wins over a static file at the same path.
            OutputFile::Copy(_) if lock(&self.kept).contains(rel.as_str()) => Ok(()),
            OutputFile::Copy(from) => self.put_copy(rel, from),
        })
    }

    /// Make the folders of `rel` in a new stage, unless made already.
    fn make_dirs(&self, rel: &str) -> Result<(), Diagnostic> {
        let Some((dir, _)) = rel.rsplit_once('/') else {
            return Ok(());
        };
        if lock(&self.made).contains(dir) {
            return Ok(());
        }
        let path = self.stage.join(dir);
        std::fs::create_dir_all(&path).map_err(|e| io_err("create", &path, &e))?;
        let mut made = lock(&self.made);
        let mut d = dir;
        while made.insert(d.to_string()) {
            match d.rsplit_once('/') {
                Some((parent, _)) => d = parent,
                None => break,
            }
        }
        Ok(())
    }

    fn claim(&self, rel: &str) -> Result<(), Diagnostic> {
        if !crate::url_path::is_normal_file_path(rel) || rel == MARKER {
            return Err(Diagnostic::error(
                "unsafe-output-path",
                format!(
                    "refusing to write {rel:?}: it is not a plain path inside the output folder"
                ),
            )
            .with_help("this is a bug in fascia or a template: please report it"));
        }
        if !lock(&self.kept).insert(rel.to_string()) {
            return Err(Diagnostic::error(
                "duplicate-output",
                format!("two parts of the site write the same output file {rel}"),
            )
            .with_help("give one of them a different slug, path or file name"));
        }
        Ok(())
    }

    /// Make the new output visible in one step; the previous one becomes the
    /// standby tree the next build updates.
    pub fn commit(self) -> Result<(), Diagnostic> {
        self.done.store(true, Ordering::Relaxed);
        if self.reused {
            let kept = lock(&self.kept);
            prune(&self.stage, &kept, self.previous_files());
        }
        let marker = self.stage.join(MARKER);
        let result = if std::fs::read_to_string(&marker).is_ok_and(|m| m == MARKER_TEXT) {
            Ok(())
        } else {
            write_file(&marker, MARKER_TEXT.as_bytes())
        };
        let result = result.and_then(|()| swap_in(&self.stage, &self.out));
        if result.is_ok() {
            // The previous output is at the staging name now: the next standby.
            keep_as_standby(&self.stage, &self.out);
        } else {
            self.abandon();
        }
        result
    }
}

impl Sink {
    /// After a failure: a standby that was claimed goes back (the next update
    /// finishes it); a new stage is removed, freeing its space (the failure
    /// may be a full disk).
    fn abandon(&self) {
        if self.reused {
            keep_as_standby(&self.stage, &self.out);
        } else {
            remove_tree(&self.stage);
        }
    }
}

const MARKER_TEXT: &str = "This folder is written by fascia and replaced on every build.\n";

impl crate::render::PageSink for Sink {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        Sink::put(self, path, bytes)
    }

    fn put_streamed(
        &self,
        path: &str,
        write: crate::render::WriteWith<'_>,
    ) -> Result<(), Diagnostic> {
        Sink::put_streamed(self, path, write)
    }
}

impl Drop for Sink {
    /// A sink dropped before [`Sink::commit`] takes back what it staged.
    fn drop(&mut self) {
        if !self.done.load(Ordering::Relaxed) {
            self.abandon();
        }
    }
}

/// Put `stage` at `out`, with `out`'s previous content left at `stage`.
fn swap_in(stage: &Path, out: &Path) -> Result<(), Diagnostic> {
    let failed = |e: &std::io::Error| {
        io_err("move the new output into place at", out, e)
            .with_help("nothing was changed: the previous output is whole; build again")
    };
    if std::fs::symlink_metadata(out).is_err() {
        return std::fs::rename(stage, out).map_err(|e| failed(&e));
    }
    match exchange(stage, out) {
        Ok(()) => Ok(()),
        Err(e) if exchange_unsupported(&e) => swap_by_renames(stage, out),
        Err(e) => Err(failed(&e)),
    }
}

#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

fn exchange_unsupported(e: &std::io::Error) -> bool {
    // EINVAL: the file system cannot exchange; ENOSYS: the kernel cannot.
    e.kind() == std::io::ErrorKind::Unsupported || matches!(e.raw_os_error(), Some(22 | 38))
}

/// The fallback swap: `out` -> old, `stage` -> `out`, then old removed.
fn swap_by_renames(stage: &Path, out: &Path) -> Result<(), Diagnostic> {
    let old = sibling(out, "old", std::process::id());
    std::fs::rename(out, &old).map_err(|e| {
        io_err("move aside", out, &e)
            .with_help("nothing was changed: the previous output is whole; build again")
    })?;
    if let Err(e) = std::fs::rename(stage, out) {
        let back = std::fs::rename(&old, out);
        return Err(io_err("move the new output into place at", out, &e).with_help(
            if back.is_ok() {
                "the previous output was put back whole; build again"
            } else {
                "the previous output is in the folder named in this message's siblings (.NAME.fascia-old-PID); the next build puts it back"
            },
        ));
    }
    // The new output is in place; the previous one goes (or, if this is
    // interrupted, the next build removes it).
    remove_tree(&old);
    Ok(())
}

/// A folder a build left beside its output: `.NAME.fascia-KIND[-PID]`.
#[derive(Debug, Clone)]
pub struct Leftover {
    /// `standby`, `stage`, `old`, or a kind fascia does not use.
    pub kind: String,
    /// The build that made it, for `stage` and `old`.
    pub pid: Option<u32>,
    pub path: PathBuf,
    /// Its build is still running.
    pub live: bool,
}

/// What builds left beside `out` (absolute): the standby tree, and the
/// staging and set-aside folders of builds, live or dead.
pub fn leftovers(out: &Path) -> Vec<Leftover> {
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return Vec::new();
    };
    let prefix = format!(".{}.fascia-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut found: Vec<Leftover> = entries
        .flatten()
        .filter_map(|entry| {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let rest = file_name.strip_prefix(&prefix)?;
            let (kind, pid) = match rest.rsplit_once('-') {
                Some((k, p)) if p.parse::<u32>().is_ok() => (k, p.parse().ok()),
                _ => (rest, None),
            };
            Some(Leftover {
                kind: kind.to_string(),
                pid,
                path: entry.path(),
                live: pid.is_some_and(|p| p != std::process::id() && process_alive(p)),
            })
        })
        .collect();
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// Put back an output folder that a fallback swap killed between its two
/// renames left aside (`.NAME.fascia-old-PID`), if `out` is missing.
/// Returns the folder it came from.
pub fn restore_set_aside(out: &Path, found: &[Leftover]) -> Result<Option<PathBuf>, Diagnostic> {
    if std::fs::symlink_metadata(out).is_ok() {
        return Ok(None);
    }
    let Some(old) = found.iter().find(|l| l.kind == "old" && !l.live) else {
        return Ok(None);
    };
    std::fs::rename(&old.path, out)
        .map_err(|e| io_err("restore the previous output from", &old.path, &e))?;
    Ok(Some(old.path.clone()))
}

/// Before a build: put back an output folder a killed fallback swap left
/// aside, and remove the staging and old folders of builds that died.
fn recover(out: &Path) -> Result<(), Diagnostic> {
    let found: Vec<Leftover> = leftovers(out).into_iter().filter(|l| !l.live).collect();
    restore_set_aside(out, &found)?;
    for l in found {
        if l.kind == "standby" || std::fs::symlink_metadata(&l.path).is_err() {
            continue;
        }
        if l.kind == "stage" {
            keep_as_standby(&l.path, out); // a half-updated tree: the next build finishes it
        } else {
            remove_tree(&l.path);
        }
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: u32) -> bool {
    false
}

/// Remove a folder of fascia's own (staging or previous output), its top
/// entries in parallel. Errors are ignored: a leftover is removed next time.
pub fn remove_tree(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let entries: Vec<std::fs::DirEntry> = entries.flatten().collect();
    entries.par_iter().for_each(|e| {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(&p);
        } else {
            let _ = std::fs::remove_file(&p);
        }
    });
    let _ = std::fs::remove_dir_all(dir);
}

/// `.NAME.fascia-standby` beside `out`: the tree of the build before last,
/// updated in place by the next build (so a rebuild writes only what
/// changed and creates no folders), then swapped in.
fn standby(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.fascia-standby"))
}

/// Keep `tree` as the standby of `out`, unless one is already there.
fn keep_as_standby(tree: &Path, out: &Path) {
    if std::fs::symlink_metadata(tree).is_err() {
        return;
    }
    let standby = standby(out);
    // No output (a first build that failed): nothing to keep a standby for.
    if std::fs::symlink_metadata(out).is_err()
        || std::fs::symlink_metadata(&standby).is_ok()
        || std::fs::rename(tree, &standby).is_err()
    {
        remove_tree(tree);
    }
}

/// Make the folders of `rel` below `root`, removing a file of an earlier
/// build that stands where a folder must be, and a folder where `rel` goes.
fn make_room(root: &Path, rel: &str) -> Result<(), Diagnostic> {
    let path = root.join(rel);
    if let Some(dir) = path.parent()
        && std::fs::create_dir_all(dir).is_err()
    {
        let mut d = root.to_path_buf();
        for part in rel.split('/').take(rel.matches('/').count()) {
            d.push(part);
            if std::fs::symlink_metadata(&d).is_ok_and(|m| !m.is_dir()) {
                std::fs::remove_file(&d).map_err(|e| io_err("replace", &d, &e))?;
            }
            match std::fs::create_dir(&d) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_err("create", &d, &e)),
            }
        }
    }
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(&path).map_err(|e| io_err("replace", &path, &e))?;
    }
    Ok(())
}

/// `dir/.name.fascia-tmp` for `dir/name`.
fn staged_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.fascia-tmp"))
}

/// Remove from the standby tree every file the new output does not have,
/// then every folder left empty (errors left for the next build).
fn prune(root: &Path, kept: &HashSet<String>, listing: &Listing) {
    for rel in &listing.files {
        if rel != MARKER && !kept.contains(rel) {
            let _ = std::fs::remove_file(root.join(rel));
        }
    }
    let mut dirs: Vec<&String> = listing.dirs.iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
    for d in dirs {
        let _ = std::fs::remove_dir(root.join(d));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let mut f = std::fs::File::create(path).map_err(|e| io_err("write", path, &e))?;
    f.write_all(bytes).map_err(|e| io_err("write", path, &e))
}

/// Whether `path` is a file holding exactly `bytes`.
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    match f.metadata() {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {}
        _ => return false,
    }
    // In pieces: the old file is never held whole (the print edition is
    // 88 MB at 10,000 pages).
    let mut buf = vec![0u8; (64 * 1024).min(bytes.len().max(1))];
    let mut rest = bytes;
    while !rest.is_empty() {
        let want = buf.len().min(rest.len());
        if std::io::Read::read_exact(&mut f, &mut buf[..want]).is_err()
            || buf[..want] != rest[..want]
        {
            return false;
        }
        rest = &rest[want..];
    }
    true
}

mod streamed;

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
