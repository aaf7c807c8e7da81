//! Writing the output folder safely.
//!
//! The site is written into a temporary sibling folder and swapped in only
//! when every file is written, so a failed build leaves the previous output
//! untouched. fascia only replaces folders it created (they hold a marker
//! file) and refuses folders whose loss would hurt: `/`, the home folder, the
//! site root or anything containing it, and the site's own source folders.

use std::io::Write as _;
use std::path::{Path, PathBuf};

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
    let out_abs = absolute(out_dir);
    let parent = out_abs
        .parent()
        .ok_or_else(|| Diagnostic::error("io", "output folder has no parent"))?;
    std::fs::create_dir_all(parent).map_err(|e| io_err("create", parent, &e))?;
    let name = out_abs
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.fascia-new-{pid}"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| io_err("remove", &tmp, &e))?;
    }
    let t0 = std::time::Instant::now();
    let timings = std::env::var_os("FASCIA_TIMINGS").is_some();
    if let Err(d) = write_tree(output, &tmp) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(d);
    }
    let old = parent.join(format!(".{name}.fascia-old-{pid}"));
    if out_abs.exists() {
        std::fs::rename(&out_abs, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            io_err("move aside", &out_abs, &e)
        })?;
    }
    if let Err(e) = std::fs::rename(&tmp, &out_abs) {
        // Put the previous output back.
        let _ = std::fs::rename(&old, &out_abs);
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(io_err("move into place", &out_abs, &e));
    }
    if timings {
        eprintln!("timing: write new tree {:.3} s", t0.elapsed().as_secs_f64());
    }
    if old.exists() {
        std::fs::remove_dir_all(&old)
            .map_err(|e| io_err("remove the previous output", &old, &e))?;
    }
    Ok(())
}

fn write_tree(output: &Output, dir: &Path) -> Result<(), Diagnostic> {
    std::fs::create_dir_all(dir).map_err(|e| io_err("create", dir, &e))?;
    let mut dirs: Vec<PathBuf> = output
        .files
        .keys()
        .filter_map(|k| Path::new(k).parent().map(|p| dir.join(p)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d).map_err(|e| io_err("create", d, &e))?;
    }
    let files: Vec<(&String, &OutputFile)> = output.files.iter().collect();
    files.par_iter().try_for_each(|(rel, file)| {
        let path = dir.join(rel);
        match file {
            OutputFile::Bytes(b) => {
                let mut f = std::fs::File::create(&path).map_err(|e| io_err("write", &path, &e))?;
                f.write_all(b).map_err(|e| io_err("write", &path, &e))
            }
            OutputFile::Copy(from) => std::fs::copy(from, &path)
                .map(|_| ())
                .map_err(|e| io_err("copy", from, &e)),
        }
    })?;
    std::fs::write(
        dir.join(MARKER),
        "This folder is written by fascia and replaced on every build.\n",
    )
    .map_err(|e| io_err("write", &dir.join(MARKER), &e))
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
}
