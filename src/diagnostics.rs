//! Diagnostics: every problem a user can cause, with file, line, column, the
//! source line and a caret, printed like rustc (`path:line:col: error: ...`).
//!
//! Stages return diagnostics instead of failing on the first one, so `check`
//! reports everything in one run.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem, located in a file when it has a location.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short machine-readable kind, e.g. `missing-page`, `orphan-page`.
    pub code: &'static str,
    pub message: String,
    /// The file, relative to the site root where possible.
    pub file: Option<PathBuf>,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column (characters); 0 when unknown.
    pub column: usize,
    /// The source line the caret points into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity,
            code,
            message: message.into(),
            file: None,
            line: 0,
            column: 0,
            source_line: None,
            help: None,
        }
    }

    /// Attach a file without a position.
    #[must_use]
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// Attach a file and a 1-based line and column, taking the source line
    /// from `source` for the snippet.
    #[must_use]
    pub fn at(mut self, file: impl AsRef<Path>, source: &str, line: usize, column: usize) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self.line = line;
        self.column = column;
        self.source_line = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r').to_string());
        self
    }

    /// Attach a file and the position of a byte offset in `source`.
    #[must_use]
    pub fn at_offset(self, file: impl AsRef<Path>, source: &str, offset: usize) -> Self {
        let (line, column) = line_col(source, offset);
        self.at(file, source, line, column)
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The one-line header: `file:line:col: error: message`.
    pub fn header(&self) -> String {
        let mut out = String::new();
        if let Some(file) = &self.file {
            let _ = write!(out, "{}", file.display());
            if self.line > 0 {
                let _ = write!(out, ":{}:{}", self.line, self.column.max(1));
            }
            out.push_str(": ");
        }
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = write!(out, "{label}: {}", self.message);
        out
    }

    /// Render with the snippet and help, optionally coloured.
    pub fn render(&self, colour: bool) -> String {
        let (red, yellow, blue, bold, reset) = if colour {
            ("\x1b[31m", "\x1b[33m", "\x1b[34m", "\x1b[1m", "\x1b[0m")
        } else {
            ("", "", "", "", "")
        };
        let tint = if self.is_error() { red } else { yellow };
        let mut out = String::new();
        let header = self.header();
        let _ = writeln!(out, "{bold}{tint}{header}{reset}");
        if let Some(src) = &self.source_line {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            let caret_pad: String = src
                .chars()
                .take(self.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{blue}{pad} |{reset}");
            let _ = writeln!(out, "{blue}{num} |{reset} {src}");
            let _ = writeln!(out, "{blue}{pad} |{reset} {caret_pad}{tint}^{reset}");
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// Read a text file, naming `display` (the path as the user knows it) in
/// every error. Bytes that are not UTF-8 are an error at the line and column
/// of the first of them.
pub fn read_utf8(path: &Path, display: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error("io", format!("cannot read {}: {e}", path.display())).in_file(display)
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(bytes);
        let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let (line, column) = line_col(valid, at);
        Diagnostic::error(
            "invalid-utf8",
            format!(
                "this file is not UTF-8 text: byte 0x{:02X} at offset {at} is not valid UTF-8",
                bytes[at]
            ),
        )
        .at(display, &lossy, line, column)
        .with_help("save the file as UTF-8 (most editors offer it under \"Save with encoding\")")
    })
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..floor_char_boundary(source, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Convert a 1-based byte column on a given line into a character column.
pub fn byte_col_to_char_col(source: &str, line: usize, byte_col: usize) -> usize {
    source
        .lines()
        .nth(line.saturating_sub(1))
        .map_or(byte_col, |l| {
            let end = floor_char_boundary(l, byte_col.saturating_sub(1).min(l.len()));
            l[..end].chars().count() + 1
        })
}

/// The closest candidate to `word`, only when it is close enough to be a
/// plausible typo: a normalised similarity (1 - Damerau-Levenshtein distance
/// / the longer length, case-insensitive) of at least [`CLOSE_ENOUGH`], for
/// the whole name and for its last part (file name without extension), so
/// a shared folder or `.md` does not make two unrelated names close
/// (`nonexistent.md` gets no `ims.md`). The same last part in another
/// folder is close (a moved page).
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for cand in candidates {
        let score = name_similarity(&lower, &cand.to_lowercase());
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, cand));
        }
    }
    best.filter(|(s, _)| *s >= CLOSE_ENOUGH).map(|(_, c)| c)
}

/// The least [`name_similarity`] for a suggestion.
pub const CLOSE_ENOUGH: f64 = 0.7;

/// How alike two lowercase names are, from 0 (nothing alike) to 1 (equal).
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let whole = similarity(a, b);
    let (sa, sb) = (stem(a), stem(b));
    if !sa.is_empty() && sa == sb {
        return whole.max(CLOSE_ENOUGH + 0.1);
    }
    whole.min(similarity(sa, sb))
}

/// 1 - Damerau-Levenshtein distance / the longer length; one edit in a
/// name of two or more characters always counts as close (`lw` -> `low`).
fn similarity(a: &str, b: &str) -> f64 {
    let distance = strsim::damerau_levenshtein(a, b);
    let longer = a.chars().count().max(b.chars().count()).max(1);
    let score = 1.0 - distance as f64 / longer as f64;
    if distance == 1 && a.chars().count().min(b.chars().count()) >= 2 {
        score.max(CLOSE_ENOUGH)
    } else {
        score
    }
}

/// The last part of a path-like name, without its extension:
/// `notes/alpha.md` -> `alpha`, `notes/_index.md` -> `notes`, `/a/b/` -> `b`.
fn stem(name: &str) -> &str {
    let mut parts = name.trim_end_matches('/').rsplit('/');
    let mut last = parts.next().unwrap_or("");
    if last.starts_with("_index.") {
        last = parts.next().unwrap_or("");
    }
    match last.rsplit_once('.') {
        Some((base, _)) if !base.is_empty() => base,
        _ => last,
    }
}

/// `n thing` or `n things`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `2310` -> `2,310`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
/// A collection of diagnostics from one run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Sort by file, line, column so output is stable whatever the thread order.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
        });
        self.items.dedup_by(|a, b| {
            a.file == b.file && a.line == b.line && a.column == b.column && a.message == b.message
        });
    }

    /// Turn every warning into an error (`--strict`).
    pub fn make_strict(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let src = "ab\nçd é\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        let e = src.find('é').unwrap();
        assert_eq!(line_col(src, e), (2, 4));
    }

    #[test]
    fn render_has_caret_under_column() {
        let d = Diagnostic::error("x", "bad").at("a.md", "one\nhello world\n", 2, 7);
        let text = d.render(false);
        assert!(text.starts_with("a.md:2:7: error: bad\n"), "{text}");
        assert!(text.contains("2 | hello world\n  |       ^"), "{text}");
    }

    #[test]
    fn closest_finds_typos_only() {
        let c = ["title", "base_url", "description"];
        assert_eq!(closest("titel", c), Some("title"));
        assert_eq!(closest("descripton", c), Some("description"));
        assert_eq!(closest("zzzzzz", c), None);
        assert_eq!(closest("lw", ["low", "moderate"]), Some("low"));
        assert_eq!(closest("x", ["low", "moderate"]), None);
    }

    #[test]
    fn counts_in_words() {
        assert_eq!(plural(1, "error", "errors"), "1 error");
        assert_eq!(plural(0, "error", "errors"), "0 errors");
        assert_eq!(plural(2310, "link", "links"), "2,310 links");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn closest_paths_need_a_close_file_name() {
        let pages = ["ims.md", "notes/beta.md", "notes/alpha.md", "tech/other.md"];
        assert_eq!(closest("notes/betta.md", pages), Some("notes/beta.md"));
        assert_eq!(closest("nonexistent.md", pages), None);
        assert_eq!(closest("notes/missing.md", pages), None);
        assert_eq!(closest("notes/gamma.md", pages), None);
        // The same file in another folder: a moved page.
        assert_eq!(closest("essays/other.md", pages), Some("tech/other.md"));
        let urls = ["/", "/notes/", "/notes/beta/"];
        assert_eq!(closest("/notes/missing/", urls), None);
        assert_eq!(closest("/x/", urls), None);
    }
}
