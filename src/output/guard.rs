//! The output guard: which folders a build may replace.
//!
//! A build replaces its whole output folder, so the folder it is given must be
//! one whose loss hurts no one. With or without `--force`, fascia never
//! replaces `/`, the home folder or any folder containing it, the site root or
//! any folder containing it, nor any of the site's source folders (content,
//! templates, static, data, themes, the theme actually used) or a folder
//! inside or around one of them. `--force` lifts only the refusal to replace a
//! non-empty folder that fascia did not create (one without its marker file).

use std::path::{Component, Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// The file that marks a folder as fascia's output.
pub const MARKER: &str = ".fascia-output";

/// An absolute, normalised form of `p` (without requiring it to exist): the
/// longest existing ancestor canonicalised (symbolic links resolved), the rest
/// appended with `.` and `..` applied.
pub fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
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
    // `..` right after an existing prefix that `exists()` skipped.
    let mut clean = PathBuf::new();
    for c in out.components() {
        match c {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other.as_os_str()),
        }
    }
    clean
}

/// Whether `a` is `b`, inside `b`, or contains `b` (both absolute).
fn overlaps(a: &Path, b: &Path) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// Refuse output folders that must never be replaced.
///
/// `protected` lists the site's own folders beyond the standard ones under
/// `site_root` (the theme in use, a `themes_dir` elsewhere).
pub fn check_output_dir(
    out: &Path,
    site_root: &Path,
    protected: &[PathBuf],
    force: bool,
) -> Result<(), Diagnostic> {
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
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        let home = absolute(Path::new(&home));
        if home.starts_with(&out_abs) {
            return refuse("it is your home folder or contains it");
        }
    }
    if root.starts_with(&out_abs) {
        return refuse("it is the site root or contains it");
    }
    for source in [
        "content",
        "templates",
        "static",
        "data",
        "themes",
        "sass",
        ".fascia-cache",
    ] {
        if overlaps(&out_abs, &root.join(source)) {
            return refuse(&format!(
                "it is, holds or lies inside the site's {source}/ folder"
            ));
        }
    }
    for dir in protected {
        let dir = absolute(dir);
        if overlaps(&out_abs, &dir) {
            return refuse(&format!(
                "it is, holds or lies inside {}, which the site is built from",
                dir.display()
            ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_folders_even_with_force() {
        let tmp = tempfile::tempdir().unwrap();
        let tmp = tmp.path();
        let site = tmp.join("site");
        std::fs::create_dir_all(site.join("content")).unwrap();
        let theme = tmp.join("themes/fibre");
        std::fs::create_dir_all(&theme).unwrap();
        let protected = [theme.clone()];
        let refused = |p: &Path| check_output_dir(p, &site, &protected, true).is_err();
        assert!(refused(Path::new("/")));
        assert!(refused(&site));
        assert!(refused(tmp));
        assert!(refused(&site.join("content")));
        assert!(refused(&site.join("content/x")));
        assert!(refused(&site.join("content/../content/y")));
        assert!(refused(&theme), "the theme in use");
        assert!(refused(&tmp.join("themes")), "the folder holding the theme");
        assert!(refused(&theme.join("static/out")), "inside the theme");
        assert!(!refused(&site.join("public")));
        assert!(!refused(&tmp.join("elsewhere")));
    }

    #[test]
    fn refuses_the_home_folder_and_its_ancestors() {
        let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
            panic!("HOME is not set; the guard reads it");
        };
        let home = PathBuf::from(home);
        let site = Path::new("/nonexistent-site-root-for-test");
        assert!(check_output_dir(&home, site, &[], true).is_err());
        if let Some(parent) = home.parent().filter(|p| p.parent().is_some()) {
            let err = check_output_dir(parent, site, &[], true).unwrap_err();
            assert!(err.message.contains("home folder"), "{}", err.message);
        }
    }

    #[test]
    fn force_lifts_only_the_foreign_folder_refusal() {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("site");
        std::fs::create_dir_all(&site).unwrap();
        let other = tmp.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("keep.txt"), "x").unwrap();
        assert!(check_output_dir(&other, &site, &[], false).is_err());
        assert!(check_output_dir(&other, &site, &[], true).is_ok());
        std::fs::write(other.join(MARKER), "").unwrap();
        assert!(check_output_dir(&other, &site, &[], false).is_ok());
    }
}
