//! Sass stylesheets (`compile_sass = true`): `sass/` of the theme, then of
//! the site -> CSS in the output at the same relative path
//! (`sass/css/site.scss` -> `css/site.css`), compiled with grass. Files
//! whose names start with `_` are partials, only imported. The site's file
//! wins over the theme's of the same path.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;
use crate::output::Output;

/// The Sass folders of a site: its theme's, then its own.
pub fn dirs(root: &Path, template_dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = template_dirs
        .iter()
        .skip(1)
        .filter_map(|t| t.parent())
        .map(|theme| theme.join("sass"))
        .collect();
    dirs.push(root.join("sass"));
    dirs.retain(|d| d.is_dir());
    dirs
}

/// Compile every stylesheet of `dirs` into `output`; errors name the file,
/// line and column (relative to `root` when below it).
pub fn compile(root: &Path, dirs: &[PathBuf], output: &mut Output) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for dir in dirs {
        for file in stylesheets(dir) {
            let rel = file
                .strip_prefix(dir)
                .unwrap_or(&file)
                .with_extension("css");
            let out = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let mut options = grass::Options::default().load_path(dir);
            for other in dirs.iter().rev().filter(|d| *d != dir) {
                options = options.load_path(other);
            }
            match grass::from_path(&file, &options) {
                Ok(css) => output.insert_bytes(out, css.into_bytes()),
                Err(e) => errors.push(diagnostic(root, &file, &e)),
            }
        }
    }
    errors
}

/// `.scss` and `.sass` files below `dir` that are not partials, sorted.
fn stylesheets(dir: &Path) -> Vec<PathBuf> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            !name.starts_with('_')
                && !crate::content::is_editor_junk(&name)
                && (name.ends_with(".scss") || name.ends_with(".sass"))
        })
        .map(walkdir::DirEntry::into_path)
        .collect()
}

fn diagnostic(root: &Path, file: &Path, e: &grass::Error) -> Diagnostic {
    let shown = |p: &Path| {
        p.strip_prefix(root)
            .map_or_else(|_| p.to_path_buf(), Path::to_path_buf)
    };
    match e.clone().kind() {
        grass::ErrorKind::ParseError { message, loc, .. } => {
            let at = PathBuf::from(loc.file.name());
            let source = loc.file.source();
            Diagnostic::error("sass", message).at(
                shown(&at),
                source,
                loc.begin.line + 1,
                loc.begin.column + 1,
            )
        }
        _ => Diagnostic::error("sass", e.to_string().trim().trim_start_matches("Error: "))
            .in_file(shown(file)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partials_are_imported_not_written_and_errors_have_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let sass = dir.path().join("sass");
        std::fs::create_dir_all(sass.join("css")).unwrap();
        std::fs::write(sass.join("_vars.scss"), "$c: #123456;\n").unwrap();
        std::fs::write(
            sass.join("css/site.scss"),
            "@import \"vars\";\nbody { color: $c; }\n",
        )
        .unwrap();
        let mut out = Output::default();
        let errors = compile(dir.path(), &dirs(dir.path(), &[]), &mut out);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(out.files.contains_key("css/site.css"));
        assert!(!out.files.keys().any(|k| k.contains("vars")));

        std::fs::write(sass.join("bad.scss"), "a {\n  color: ;\n}\n").unwrap();
        let errors = compile(dir.path(), &dirs(dir.path(), &[]), &mut Output::default());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2, "{errors:?}");
        assert!(errors[0].file.as_ref().unwrap().ends_with("sass/bad.scss"));
    }
}
