//! Writing the output folder atomically.
//!
//! Whatever happens to a build (an error at any stage, a file that cannot be
//! written, a full disk, `kill -9` at any instant), the output folder holds
//! either the whole previous site or the whole new one, never a mix.
//!
//! Design, and why:
//! 1. Every build writes a complete new tree into a hidden sibling folder,
//!    `.NAME.fascia-stage-PID`. Nothing is ever written into the previous
//!    output, so a symbolic link planted in it cannot redirect a write.
//! 2. A file whose bytes equal the previous output's file at the same path is
//!    not written again: it is hard-linked from there (same inode, same
//!    modification time, no data written). Only regular files found by a walk
//!    that does not follow links are candidates. This is what keeps a rebuild
//!    with few changes close to the old in-place update, which wrote nothing
//!    for such files either.
//! 3. At commit the two folders are exchanged in one step with
//!    `renameat2(RENAME_EXCHANGE)` (Linux; `renameatx_np(RENAME_SWAP)` on
//!    Apple systems), so there is no instant at which the output folder is
//!    missing or mixed. The previous tree, now at the staging name, is then
//!    removed. Where the exchange is not available the folders are swapped
//!    with two renames through `.NAME.fascia-old-PID`; a build killed between
//!    them leaves no output folder, and the next build puts the previous one
//!    back before it starts.
//! 4. Each build first removes the leftovers of builds that died (staging and
//!    old folders whose process is gone), so a killed first build does not
//!    leave a hidden copy of the site beside the output forever.
//!
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

/// The regular files of the previous output (paths below it, `/`-separated).
type Listing = HashSet<String>;

fn list_output(out: &Path) -> Listing {
    walkdir::WalkDir::new(out)
        .min_depth(1)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| crate::content::rel_path(out, e.path()))
        .collect()
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
    /// The previous output's files, listed on a thread of its own while the
    /// build runs (taken on first use).
    previous: Mutex<Option<std::thread::JoinHandle<Listing>>>,
    listing: OnceLock<Listing>,
    /// Relative paths of every file of the new output.
    kept: Mutex<HashSet<String>>,
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
        if stage.exists() {
            std::fs::remove_dir_all(&stage).map_err(|e| io_err("remove", &stage, &e))?;
        }
        std::fs::create_dir(&stage).map_err(|e| io_err("create", &stage, &e))?;
        let previous = if std::fs::symlink_metadata(&out).is_ok_and(|m| m.is_dir()) {
            let dir = out.clone();
            Some(std::thread::spawn(move || list_output(&dir)))
        } else {
            None
        };
        Ok(Self {
            out,
            stage,
            previous: Mutex::new(previous),
            listing: OnceLock::new(),
            kept: Mutex::default(),
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
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_err("create", dir, &e))?;
        }
        if self.previous_files().contains(rel) {
            let old = self.out.join(rel);
            if same_bytes(&old, bytes) && std::fs::hard_link(&old, &path).is_ok() {
                self.unchanged.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
        }
        write_file(&path, bytes)?;
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

    /// Make the new output visible in one step, then remove the previous one.
    pub fn commit(self) -> Result<(), Diagnostic> {
        self.done.store(true, Ordering::Relaxed);
        let marker = self.stage.join(MARKER);
        let result = std::fs::write(&marker, MARKER_TEXT)
            .map_err(|e| io_err("write", &marker, &e))
            .and_then(|()| swap_in(&self.stage, &self.out));
        // Either the staging folder (a failure) or the previous output (after
        // the swap) is at the staging name now: it goes.
        remove_tree(&self.stage);
        result
    }
}

const MARKER_TEXT: &str = "This folder is written by fascia and replaced on every build.\n";

impl crate::render::PageSink for Sink {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        Sink::put(self, path, bytes)
    }
}

impl Drop for Sink {
    /// A sink dropped before [`Sink::commit`] takes back what it staged.
    fn drop(&mut self) {
        if !self.done.load(Ordering::Relaxed) {
            remove_tree(&self.stage);
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

/// Before a build: put back an output folder a killed fallback swap left
/// aside, and remove the staging and old folders of builds that died.
fn recover(out: &Path) -> Result<(), Diagnostic> {
    let Some(parent) = out.parent() else {
        return Ok(());
    };
    let name = out
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let prefix = format!(".{name}.fascia-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    let mut leftovers = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let (kind, pid) = rest.rsplit_once('-').unwrap_or((rest, ""));
        let pid: Option<u32> = pid.parse().ok();
        if pid.is_some_and(|p| p != std::process::id() && process_alive(p)) {
            continue; // another build, still running
        }
        leftovers.push((kind.to_string(), entry.path()));
    }
    // An output moved aside and never replaced: put it back first.
    if std::fs::symlink_metadata(out).is_err()
        && let Some((_, old)) = leftovers.iter().find(|(k, _)| k == "old")
    {
        std::fs::rename(old, out)
            .map_err(|e| io_err("restore the previous output from", old, &e))?;
    }
    for (_, path) in leftovers {
        if std::fs::symlink_metadata(&path).is_ok() {
            remove_tree(&path);
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
fn remove_tree(dir: &Path) {
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
    let mut old = Vec::with_capacity(bytes.len());
    std::io::Read::read_to_end(&mut f, &mut old).is_ok() && old == bytes
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
