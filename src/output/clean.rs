//! `fascia clean`: what builds leave beside the output folder, removed.
//!
//! A build keeps the standby tree `.NAME.fascia-standby` beside the output
//! (the output before last, which the next build updates in place; see
//! [`super::write`]); a build that was killed leaves its staging folder
//! `.NAME.fascia-stage-PID` (the next build makes it the standby) or, where
//! folders cannot be exchanged, the previous output set aside as
//! `.NAME.fascia-old-PID` (which is put back if the output is missing). With
//! `--cache`, the image cache `.fascia-cache/` under the site root goes too.
//!
//! The output folder passes the build's guard first
//! ([`super::guard::check_output_dir`], without `--force`). A folder is
//! removed only when it is fascia's: a real folder (not a link) under one of
//! those names, holding fascia's marker file (the standby and set-aside
//! outputs always do), or the staging folder of a build that is no longer
//! running. Folders of running builds are left, and said so.

use std::path::{Path, PathBuf};

use super::guard::{MARKER, absolute, check_output_dir};
use super::write::{Leftover, leftovers, remove_tree, restore_set_aside};
use crate::diagnostics::Diagnostic;

/// One folder removed, with what it held.
#[derive(Debug)]
pub struct Removed {
    pub path: PathBuf,
    /// What it was, in words.
    pub what: &'static str,
    pub bytes: u64,
    pub files: u64,
}

/// What [`clean`] did.
#[derive(Debug, Default)]
pub struct Report {
    pub removed: Vec<Removed>,
    /// Folders under fascia's names that were left, and why.
    pub left: Vec<(PathBuf, String)>,
    /// A set-aside output put back where the output folder was missing.
    pub restored: Option<PathBuf>,
}

/// Remove what builds left beside `out`, and the image cache of the site at
/// `site_root` with `cache`. `protected` are the site's folders beyond the
/// standard ones (the theme in use), as for a build.
pub fn clean(
    out: &Path,
    site_root: &Path,
    protected: &[PathBuf],
    cache: bool,
) -> Result<Report, Diagnostic> {
    check_output_dir(out, site_root, protected, false)?;
    let out = absolute(out);
    let mut report = Report::default();
    let found = leftovers(&out);
    report.restored = restore_set_aside(&out, &found)?;
    for l in found {
        if report.restored.as_ref() == Some(&l.path) {
            continue;
        }
        match judge(&l) {
            Ok(what) => report.removed.push(remove(&l.path, what)),
            Err(why) => report.left.push((l.path, why)),
        }
    }
    if cache {
        let dir = absolute(site_root).join(".fascia-cache");
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => report.removed.push(remove(&dir, "the image cache")),
            Ok(_) => report.left.push((
                dir,
                "not a folder (a link or a file): fascia did not create it".into(),
            )),
            Err(_) => {}
        }
    }
    Ok(report)
}

/// What a leftover is, if it is fascia's to remove; else why it is left.
fn judge(l: &Leftover) -> Result<&'static str, String> {
    if l.live {
        return Err(format!(
            "a running build (process {}) is using it",
            l.pid.unwrap_or_default()
        ));
    }
    let meta = std::fs::symlink_metadata(&l.path).map_err(|e| e.to_string())?;
    if !meta.is_dir() {
        return Err("not a folder (a link or a file): fascia did not create it".into());
    }
    let marked = l.path.join(MARKER).is_file();
    match (l.kind.as_str(), l.pid) {
        ("standby", None) if marked => Ok("the standby tree, the output before last"),
        ("stage", Some(_)) => Ok("the staging folder of a build that did not finish"),
        ("old", Some(_)) if marked => Ok("an earlier output set aside by a build that died"),
        ("standby" | "old", _) => Err(format!(
            "it has no {MARKER} file: fascia did not create it; remove it yourself if it is not needed"
        )),
        _ => Err("not a name fascia uses: remove it yourself if it is not needed".into()),
    }
}

/// Measure `dir`, then remove it.
fn remove(dir: &Path, what: &'static str) -> Removed {
    let (bytes, files) = size_of(dir);
    remove_tree(dir);
    Removed {
        path: dir.to_path_buf(),
        what,
        bytes,
        files,
    }
}

/// The bytes and number of the files under `dir`, following no link. Files
/// hard-linked with the output count in full, as `du` without `-l` does not:
/// the size is what the folder holds, not what removing it frees.
fn size_of(dir: &Path) -> (u64, u64) {
    let (mut bytes, mut files) = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(_) => {
                    bytes += e.metadata().map_or(0, |m| m.len());
                    files += 1;
                }
                Err(_) => {}
            }
        }
    }
    (bytes, files)
}
