//! The one rule for every path a build writes.
//!
//! Output paths come from many places: a page's `path` or `slug`, `aliases`,
//! taxonomy terms, page assets, static files, the generator's own files. Each
//! goes through [`output_path`] before anything is written, so none can leave
//! the output folder, whatever a page's front matter says.

/// Why a path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// A `..` component: it would climb out of the output folder.
    Parent,
    /// A backslash, which Windows reads as a folder separator.
    Backslash,
    /// A NUL or another control character, which no file name should hold.
    Control,
    /// A component longer than file systems allow (255 bytes).
    TooLong,
}

impl PathError {
    pub fn explain(self) -> &'static str {
        match self {
            Self::Parent => "a `..` part would lead outside the output folder",
            Self::Backslash => "a `\\` is a folder separator on Windows; use `/`",
            Self::Control => "it holds a control character (such as NUL or a line break)",
            Self::TooLong => "a part of it is longer than 255 bytes, more than file systems allow",
        }
    }
}

/// The normalised relative form of a site path: empty and `.` components
/// dropped, no leading or trailing `/` (`"/a//./b/"` -> `"a/b"`, `"/"` -> `""`).
/// A path that could name something outside the output folder is refused.
pub fn output_path(raw: &str) -> Result<String, PathError> {
    let mut out = String::with_capacity(raw.len());
    for part in raw.split('/') {
        if part.is_empty() || part == "." {
            continue;
        }
        if part == ".." {
            return Err(PathError::Parent);
        }
        if part.contains('\\') {
            return Err(PathError::Backslash);
        }
        if part.chars().any(char::is_control) {
            return Err(PathError::Control);
        }
        if part.len() > 255 {
            return Err(PathError::TooLong);
        }
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(part);
    }
    Ok(out)
}

/// Whether `rel` is already in the form [`output_path`] gives (and not empty):
/// the check the writer makes on every file it is handed.
pub fn is_normal_file_path(rel: &str) -> bool {
    !rel.is_empty() && output_path(rel).is_ok_and(|p| p == rel)
}

/// The link from the page at URL path `from` to URL path `to` (both from
/// the site's root, as a page's `path`): `../techniques/iastm/` from
/// `/references/`. It works whatever the site's base URL (a folder below a
/// domain too) and from a folder or `file://`, and is a third the length of
/// a permalink. A `from` ending in `/` is a folder; otherwise its last part
/// is a file. `to`'s query and fragment are kept; a `to` that is not a path
/// from the root (a full URL, `#x`) is returned as it is.
pub fn relative_url(to: &str, from: &str) -> String {
    if !to.starts_with('/') || to.starts_with("//") {
        return to.to_string();
    }
    let split = to.find(['?', '#']).unwrap_or(to.len());
    let (to_path, tail) = to.split_at(split);
    let dir = &from[..from.rfind('/').map_or(0, |i| i + 1)];
    let dirs: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let parts: Vec<&str> = to_path.split('/').skip(1).collect();
    // `to`'s folders (all but its last part, the file or "" after a `/`).
    let (file, folders) = parts.split_last().unwrap_or((&"", &[]));
    let common = dirs.iter().zip(folders).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(dirs.len() - common);
    for f in &folders[common..] {
        out.push_str(f);
        out.push('/');
    }
    out.push_str(file);
    if out.is_empty() {
        out.push_str("./");
    }
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_refuses() {
        assert_eq!(output_path("/a//./b/").unwrap(), "a/b");
        assert_eq!(output_path("/").unwrap(), "");
        assert_eq!(output_path("Cześć/żółw").unwrap(), "Cześć/żółw");
        assert_eq!(output_path("a/.well-known/x").unwrap(), "a/.well-known/x");
        for bad in [
            "../../../../tmp/x",
            "a/../../b",
            "..",
            "/..",
            "a\\..\\b",
            "a\0b",
            "a\nb",
        ] {
            assert!(output_path(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(output_path(&"x".repeat(256)), Err(PathError::TooLong));
        assert!(is_normal_file_path("a/b/index.html"));
        assert!(!is_normal_file_path("/a/b"));
        assert!(!is_normal_file_path("a/./b"));
        assert!(!is_normal_file_path(""));
    }

    #[test]
    fn relative_urls() {
        let cases = [
            ("/techniques/iastm/", "/references/", "../techniques/iastm/"),
            ("/fr/comparisons/x/", "/references/", "../fr/comparisons/x/"),
            ("/references/", "/references/", "./"),
            ("/references/#ref-a", "/citations/", "../references/#ref-a"),
            ("/references/#ref-a", "/references/", "./#ref-a"),
            ("/a/b/c/", "/a/b/", "c/"),
            ("/a/", "/a/b/", "../"),
            ("/", "/a/b/", "../../"),
            ("/", "/", "./"),
            ("/x.html", "/a/page.html", "../x.html"),
            ("/a/x.html?q=1", "/a/page.html", "x.html?q=1"),
            ("/a/b", "/a/b/", "../b"),
            ("https://e.org/a/", "/b/", "https://e.org/a/"),
            ("//e.org/a/", "/b/", "//e.org/a/"),
            ("#top", "/b/", "#top"),
        ];
        for (to, from, want) in cases {
            assert_eq!(relative_url(to, from), want, "{to} from {from}");
        }
    }
}
