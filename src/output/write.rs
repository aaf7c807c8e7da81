//! Writing the output folder safely.
//!
//! A first build writes into a temporary sibling folder renamed into place
//! at the end. Later builds update the folder in place: unchanged files are
//! not touched, changed ones are staged beside their targets and renamed over
//! them only when every file is written, and files that are gone are removed
//! last, so a failed build leaves the previous output untouched. fascia only replaces folders it created (they hold a marker
//! file) and refuses folders whose loss would hurt: `/`, the home folder, the
//! site root or anything containing it, and the site's own source folders.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use super::{Output, OutputFile};
use crate::diagnostics::Diagnostic;

/// The file that marks a folder as fascia's output.
pub const MARKER: &str = ".fascia-output";

fn io_err(action: &str, path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error("io", format!("cannot {action} {}: {e}", path.display()))
}

/// An absolute, normalised form of `p` (without requiring it to exist).
fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    // Canonicalise the longest existing ancestor, then append the rest.
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(std::ffi::OsStr::to_os_string),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        if name == ".." {
            out.pop();
        } else if name != "." {
            out.push(name);
        }
    }
    out
}

/// Refuse output folders that must never be replaced.
pub fn check_output_dir(out: &Path, site_root: &Path, force: bool) -> Result<(), Diagnostic> {
    let out_abs = absolute(out);
    let root = absolute(site_root);
    let refuse = |why: &str| {
        Err(Diagnostic::error(
            "unsafe-output-dir",
            format!(
                "refusing to use {} as the output folder: {why}",
                out.display()
            ),
        )
        .with_help("choose a separate folder, e.g. --output-dir public"))
    };
    if out_abs.parent().is_none() {
        return refuse("it is the filesystem root");
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && absolute(&home) == out_abs
    {
        return refuse("it is your home folder");
    }
    if root.starts_with(&out_abs) {
        return refuse("it is the site root or contains it");
    }
    for source in ["content", "templates", "static", "data", "themes"] {
        if out_abs.starts_with(root.join(source)) {
            return refuse(&format!("it is inside the site's {source}/ folder"));
        }
    }
    if out_abs.is_file() {
        return refuse("it is a file");
    }
    if out_abs.is_dir() && !out_abs.join(MARKER).exists() && !force {
        let empty = std::fs::read_dir(&out_abs).is_ok_and(|mut d| d.next().is_none());
        if !empty {
            return Err(Diagnostic::error(
                "unsafe-output-dir",
                format!("refusing to replace {}: it is not empty and fascia did not create it", out.display()),
            )
            .with_help(format!("empty it, choose another --output-dir, or pass --force to replace it (its {MARKER} file is missing)")));
        }
    }
    Ok(())
}

/// Write `output` into `out_dir`, replacing it only when all is written.
pub fn write_atomically(output: &Output, out_dir: &Path) -> Result<(), Diagnostic> {
    let sink = Sink::new(out_dir)?;
    sink.put_output(output)?;
    sink.commit()
}

/// How a [`Sink`] writes.
#[derive(Debug)]
enum Mode {
    /// No previous output: everything goes into a fresh hidden sibling folder
    /// that is renamed into place at the end.
    Fresh(PathBuf),
    /// A previous output exists: files whose bytes are unchanged are left
    /// alone (and keep their modification times); changed files are staged
    /// next to their targets as hidden `.name.fascia-tmp` files and renamed
    /// over them only at [`Sink::commit`]; files the new build no longer has
    /// are removed last. The old output is listed on a thread of its own
    /// while the build runs, so finding what to remove costs no time at the end.
    Update(Mutex<Option<std::thread::JoinHandle<Listing>>>),
}

/// What an output folder held: (path below it with `/` separators, is a folder).
type Listing = Vec<(String, bool)>;

fn list_output(out: &Path) -> Listing {
    walkdir::WalkDir::new(out)
        .min_depth(1)
        .into_iter()
        .flatten()
        .map(|entry| {
            (
                crate::content::rel_path(out, entry.path()),
                entry.file_type().is_dir(),
            )
        })
        .collect()
}

/// Where a build's files go, as they are rendered.
///
/// Nothing the reader of the output folder sees changes until
/// [`Sink::commit`]; dropping a sink without committing (a failed build)
/// removes what it staged and leaves the previous output as it was.
#[derive(Debug)]
pub struct Sink {
    out: PathBuf,
    mode: Mode,
    /// Relative paths of every file of the new output.
    kept: Mutex<HashSet<String>>,
    /// (staged file, target) pairs, Update mode.
    staged: Mutex<Vec<(PathBuf, PathBuf)>>,
    /// Folders created inside the old output, Update mode (removed on abort).
    created: Mutex<Vec<PathBuf>>,
    /// Files whose folder is blocked by a file of the old output: written
    /// at commit, after that file is gone.
    deferred: Mutex<Vec<(String, Vec<u8>)>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    committed: AtomicBool,
}

impl Sink {
    /// A sink for `out_dir` (already checked by [`check_output_dir`]).
    pub fn new(out_dir: &Path) -> Result<Self, Diagnostic> {
        let out = absolute(out_dir);
        let parent = out
            .parent()
            .ok_or_else(|| Diagnostic::error("io", "output folder has no parent"))?;
        std::fs::create_dir_all(parent).map_err(|e| io_err("create", parent, &e))?;
        let mode = if out.is_dir() {
            let dir = out.clone();
            Mode::Update(Mutex::new(Some(std::thread::spawn(move || {
                list_output(&dir)
            }))))
        } else {
            let name = out
                .file_name()
                .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
            let tmp = parent.join(format!(".{name}.fascia-new-{}", std::process::id()));
            if tmp.exists() {
                std::fs::remove_dir_all(&tmp).map_err(|e| io_err("remove", &tmp, &e))?;
            }
            std::fs::create_dir_all(&tmp).map_err(|e| io_err("create", &tmp, &e))?;
            Mode::Fresh(tmp)
        };
        Ok(Self {
            out,
            mode,
            kept: Mutex::default(),
            staged: Mutex::default(),
            created: Mutex::default(),
            deferred: Mutex::default(),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            committed: AtomicBool::new(false),
        })
    }

    /// (files written, files left unchanged) so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.written.load(Ordering::Relaxed),
            self.unchanged.load(Ordering::Relaxed),
        )
    }

    /// Write (or stage) one file. Safe to call from many threads; a path
    /// written twice is an error.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.claim(rel)?;
        match &self.mode {
            Mode::Fresh(tmp) => {
                let path = tmp.join(rel);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| io_err("create", dir, &e))?;
                }
                write_file(&path, bytes)?;
                self.written.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Mode::Update(_) => {
                let target = self.out.join(rel);
                if same_bytes(&target, bytes) {
                    self.unchanged.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                let Some(dir) = target.parent() else {
                    return Err(io_err(
                        "write",
                        &target,
                        &std::io::Error::other("no parent folder"),
                    ));
                };
                if !self.make_dirs(dir) {
                    lock(&self.deferred).push((rel.to_string(), bytes.to_vec()));
                    return Ok(());
                }
                let staged = staged_name(&target);
                write_file(&staged, bytes)?;
                lock(&self.staged).push((staged, target));
                self.written.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
        }
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
        if rel == MARKER || !lock(&self.kept).insert(rel.to_string()) {
            return Err(Diagnostic::error(
                "duplicate-output",
                format!("two parts of the site write the same output file {rel}"),
            )
            .with_help("give one of them a different slug, path or file name"));
        }
        Ok(())
    }

    /// Create `dir` inside the old output, remembering what was created.
    /// `false` when a file of the old output is in the way.
    fn make_dirs(&self, dir: &Path) -> bool {
        if dir.is_dir() {
            return true;
        }
        let mut missing = Vec::new();
        let mut d = dir;
        while !d.exists() {
            missing.push(d.to_path_buf());
            match d.parent() {
                Some(p) => d = p,
                None => break,
            }
        }
        if !d.is_dir() {
            return false;
        }
        for m in missing.iter().rev() {
            match std::fs::create_dir(m) {
                Ok(()) => lock(&self.created).push(m.clone()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(_) => return false,
            }
        }
        true
    }

    /// Make the new output visible: rename staged files into place, remove
    /// what the new build does not have, and mark the folder as fascia's.
    pub fn commit(self) -> Result<(), Diagnostic> {
        self.committed.store(true, Ordering::Relaxed);
        let marker = "This folder is written by fascia and replaced on every build.\n";
        match &self.mode {
            Mode::Fresh(tmp) => {
                let tmp = tmp.clone();
                let undo = |d: Diagnostic| {
                    let _ = std::fs::remove_dir_all(&tmp);
                    d
                };
                std::fs::write(tmp.join(MARKER), marker)
                    .map_err(|e| undo(io_err("write", &tmp.join(MARKER), &e)))?;
                if self.out.exists() {
                    return Err(undo(
                        Diagnostic::error(
                            "io",
                            format!(
                                "{} appeared while fascia was building; nothing was written",
                                self.out.display()
                            ),
                        )
                        .with_help("build again"),
                    ));
                }
                std::fs::rename(&tmp, &self.out)
                    .map_err(|e| undo(io_err("move into place", &self.out, &e)))
            }
            Mode::Update(listing) => {
                let staged = std::mem::take(&mut *lock(&self.staged));
                for (from, to) in &staged {
                    if to.is_dir() {
                        std::fs::remove_dir_all(to).map_err(|e| io_err("replace", to, &e))?;
                    }
                    std::fs::rename(from, to).map_err(|e| io_err("move into place", to, &e))?;
                }
                let kept = lock(&self.kept);
                let listing = lock(listing)
                    .take()
                    .and_then(|h| h.join().ok())
                    .unwrap_or_else(|| list_output(&self.out));
                prune(&self.out, &kept, &listing)?;
                for (rel, bytes) in std::mem::take(&mut *lock(&self.deferred)) {
                    let target = self.out.join(&rel);
                    let mut d = target.parent();
                    while let Some(dir) = d {
                        if dir.is_file() {
                            std::fs::remove_file(dir).map_err(|e| io_err("replace", dir, &e))?;
                        }
                        if dir == self.out {
                            break;
                        }
                        d = dir.parent();
                    }
                    if let Some(dir) = target.parent() {
                        std::fs::create_dir_all(dir).map_err(|e| io_err("create", dir, &e))?;
                    }
                    write_file(&target, &bytes)?;
                    self.written.fetch_add(1, Ordering::Relaxed);
                }
                let m = self.out.join(MARKER);
                if std::fs::read_to_string(&m).ok().as_deref() != Some(marker) {
                    std::fs::write(&m, marker).map_err(|e| io_err("write", &m, &e))?;
                }
                Ok(())
            }
        }
    }
}

impl Drop for Sink {
    /// A sink dropped before [`Sink::commit`] takes back what it staged.
    fn drop(&mut self) {
        if self.committed.load(Ordering::Relaxed) {
            return;
        }
        match &self.mode {
            Mode::Fresh(tmp) => {
                let _ = std::fs::remove_dir_all(tmp);
            }
            Mode::Update(_) => {
                for (staged, _) in lock(&self.staged).iter() {
                    let _ = std::fs::remove_file(staged);
                }
                for dir in lock(&self.created).iter().rev() {
                    let _ = std::fs::remove_dir(dir);
                }
            }
        }
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
    let mut old = Vec::with_capacity(bytes.len());
    std::io::Read::read_to_end(&mut f, &mut old).is_ok() && old == bytes
}

/// `dir/.name.fascia-tmp` for `dir/name`.
fn staged_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.fascia-tmp"))
}

/// Remove every file under `out` that is not in `kept` (nor the marker), then
/// every folder left empty. Only paths inside `out` are ever touched.
fn prune(out: &Path, kept: &HashSet<String>, listing: &Listing) -> Result<(), Diagnostic> {
    // Folders that hold a file of the new output stay.
    let mut kept_dirs: HashSet<&str> = HashSet::new();
    for rel in kept {
        let mut r = rel.as_str();
        while let Some(i) = r.rfind('/') {
            r = &r[..i];
            if !kept_dirs.insert(r) {
                break; // and so are its parents
            }
        }
    }
    let is_dir_now = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    let mut dirs = Vec::new();
    for (rel, is_dir) in listing {
        if *is_dir {
            if !kept_dirs.contains(rel.as_str()) {
                dirs.push(rel.as_str());
            }
            continue;
        }
        if rel == MARKER || kept.contains(rel) {
            continue;
        }
        let path = out.join(rel);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            // Gone already (a staged file renamed into place), or now a folder
            // of the new output.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound || is_dir_now(&path) => {}
            Err(e) => return Err(io_err("remove", &path, &e)),
        }
    }
    // Deepest first, so parents are empty when their turn comes.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
    for d in dirs {
        let path = out.join(d);
        if !is_dir_now(&path) {
            continue; // replaced by a file of the new output
        }
        match std::fs::remove_dir(&path) {
            Ok(()) => {}
            // Something that is not fascia's appeared in it during the build: leave it.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::DirectoryNotEmpty
                ) => {}
            Err(e) => return Err(io_err("remove", &path, &e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_folders() {
        let tmp = std::env::temp_dir().join(format!("fascia-write-test-{}", std::process::id()));
        let site = tmp.join("site");
        std::fs::create_dir_all(site.join("content")).unwrap();
        assert!(check_output_dir(Path::new("/"), &site, true).is_err());
        assert!(check_output_dir(&site, &site, true).is_err());
        assert!(check_output_dir(&tmp, &site, true).is_err());
        assert!(check_output_dir(&site.join("content"), &site, true).is_err());
        assert!(check_output_dir(&site.join("content/x"), &site, true).is_err());
        let other = tmp.join("other");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("keep.txt"), "x").unwrap();
        assert!(check_output_dir(&other, &site, false).is_err());
        assert!(check_output_dir(&other, &site, true).is_ok());
        assert!(check_output_dir(&site.join("public"), &site, false).is_ok());
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    fn tree(dir: &Path) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .flatten()
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let body = if e.file_type().is_dir() {
                    "/".to_string()
                } else {
                    std::fs::read_to_string(e.path()).unwrap()
                };
                (rel, body)
            })
            .collect();
        v.sort();
        v
    }

    fn names_in(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    fn build(out: &Path, files: &[(&str, &str)]) {
        let sink = Sink::new(out).unwrap();
        for (rel, body) in files {
            sink.put(rel, body.as_bytes()).unwrap();
        }
        sink.commit().unwrap();
    }

    #[test]
    fn updates_in_place_keeping_unchanged_files_and_pruning_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        build(
            &out,
            &[
                ("a/index.html", "A"),
                ("b/index.html", "B"),
                ("old/x/index.html", "X"),
                ("f", "file"),
            ],
        );
        assert!(out.join(MARKER).is_file());
        let a_time = std::fs::metadata(out.join("a/index.html"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        // b changes, old/ goes, `f` (a file) becomes a folder, `a/index.html` is unchanged.
        build(
            &out,
            &[
                ("a/index.html", "A"),
                ("b/index.html", "B2"),
                ("f/index.html", "F"),
            ],
        );
        let t = tree(&out);
        let names: Vec<&str> = t.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(
            names,
            [
                MARKER,
                "a",
                "a/index.html",
                "b",
                "b/index.html",
                "f",
                "f/index.html"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(out.join("b/index.html")).unwrap(),
            "B2"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("f/index.html")).unwrap(),
            "F"
        );
        let a_after = std::fs::metadata(out.join("a/index.html"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(a_time, a_after, "an unchanged file is not rewritten");
        // And back: a folder becomes a file.
        build(&out, &[("f", "file again")]);
        assert_eq!(
            std::fs::read_to_string(out.join("f")).unwrap(),
            "file again"
        );
        assert!(!out.join("a").exists() && !out.join("b").exists());
        // No staging leftovers anywhere around.
        assert_eq!(names_in(tmp.path()), ["public"]);
    }

    #[test]
    fn prune_works_from_the_listing_taken_when_the_build_began() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        build(&out, &[("a/index.html", "A"), ("old/x/index.html", "X")]);
        let listing = list_output(&out);
        assert!(
            listing.contains(&("old/x".to_string(), true)),
            "{listing:?}"
        );
        // Written after the listing: a file fascia does not know of, in a
        // folder the new output drops. And a listed file already gone.
        std::fs::write(out.join("old/notes.txt"), "mine").unwrap();
        let mut listing = listing;
        listing.push(("a/.gone.fascia-tmp".to_string(), false));
        let kept: HashSet<String> = ["a/index.html".to_string()].into();
        prune(&out, &kept, &listing).unwrap();
        let t = tree(&out);
        let names: Vec<&str> = t.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(names, [MARKER, "a", "a/index.html", "old", "old/notes.txt"]);
    }

    #[test]
    fn a_sink_dropped_before_commit_leaves_the_old_output_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        build(&out, &[("a/index.html", "A"), ("b/index.html", "B")]);
        let before = tree(&out);
        {
            let sink = Sink::new(&out).unwrap();
            sink.put("a/index.html", b"changed").unwrap();
            sink.put("new/deep/index.html", b"N").unwrap();
            assert!(out.join("a/.index.html.fascia-tmp").exists());
            // dropped: the build failed
        }
        assert_eq!(tree(&out), before);
        // A first build that fails leaves nothing at all.
        let fresh = tmp.path().join("fresh");
        {
            let sink = Sink::new(&fresh).unwrap();
            sink.put("a/index.html", b"A").unwrap();
        }
        assert!(!fresh.exists());
        assert_eq!(names_in(tmp.path()), ["public"]);
    }

    #[test]
    fn the_same_path_twice_is_an_error_and_static_files_yield_to_generated_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let sink = Sink::new(&out).unwrap();
        sink.put("a/index.html", b"A").unwrap();
        let err = sink.put("a/index.html", b"again").unwrap_err();
        assert!(err.message.contains("a/index.html"), "{}", err.message);
        let src = tmp.path().join("static.html");
        std::fs::write(&src, "static").unwrap();
        let mut output = Output::default();
        output.put_copy("a/index.html".into(), src.clone());
        output.put_copy("s.html".into(), src);
        sink.put_output(&output).unwrap();
        sink.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "A"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("s.html")).unwrap(),
            "static"
        );
    }
}
