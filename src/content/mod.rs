//! The content tree: walk `content/` (walkdir), read every Markdown file, and
//! turn each into a [`Page`] or [`Section`] with its front matter and body.
//!
//! `load` finds files (disk); `parse_file` is pure (text in, document out) and
//! runs in parallel; `assemble` gives pages their URLs and sections their pages.

mod assemble;
pub mod date;
pub mod front_matter;
pub mod vault;
pub use assemble::assemble;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;
use crate::markdown::{self, Body, GlossaryMatcher, RenderOptions};
pub use front_matter::{FrontMatter, SortBy};

/// A Markdown file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path below `content/`, with `/` separators (`techniques/iastm.md`).
    pub rel: String,
    /// Path shown in diagnostics (`content/techniques/iastm.md`).
    pub display: PathBuf,
    pub text: String,
}

/// A Markdown file found by the content walk, not read yet: each is read
/// right before it is parsed, so that a build never holds every source at
/// once (see `pipeline::parse`).
#[derive(Debug, Clone)]
pub struct FoundFile {
    /// Where it is on disk.
    pub abs: PathBuf,
    /// Path below `content/`, with `/` separators.
    pub rel: String,
}

impl FoundFile {
    /// Read the file (UTF-8): what [`parse_file`] takes.
    pub fn read(self) -> Result<SourceFile, Diagnostic> {
        let display = Path::new("content").join(&self.rel);
        let text = crate::diagnostics::read_utf8(&self.abs, &display)?;
        Ok(SourceFile {
            rel: self.rel,
            display,
            text,
        })
    }
}

/// What the content walk found.
#[derive(Debug, Default)]
pub struct ContentTree {
    /// The Markdown files, in the order of their paths (read later).
    pub files: Vec<FoundFile>,
    /// Non-Markdown files below `content/`: (absolute path, path below content/).
    pub assets: Vec<(PathBuf, String)>,
}

/// True for files editors leave behind: swap, backup and hidden files.
pub fn is_editor_junk(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || [
            ".swp",
            ".swx",
            ".swo",
            ".tmp",
            ".bak",
            ".orig",
            ".crdownload",
        ]
        .iter()
        .any(|e| name.ends_with(e))
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name == "4913"
}

/// Walk `content_dir`: its Markdown files (read one by one as they are
/// parsed, [`FoundFile::read`]) and its other files (assets).
pub fn load(
    content_dir: &Path,
    ignored: &globset::GlobSet,
) -> Result<ContentTree, Vec<Diagnostic>> {
    let mut md_paths = Vec::new();
    let mut assets = Vec::new();
    let walker = WalkDir::new(content_dir).sort_by_file_name().into_iter();
    for entry in
        walker.filter_entry(|e| e.depth() == 0 || !is_editor_junk(&e.file_name().to_string_lossy()))
    {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(content_dir).to_path_buf();
            vec![
                Diagnostic::error("io", format!("cannot read {}: {e}", path.display()))
                    .in_file(path),
            ]
        })?;
        // Zola's `ignored_content`.
        if !entry.file_type().is_file() || ignored.is_match(entry.path()) {
            continue;
        }
        let rel = rel_path(content_dir, entry.path());
        if entry.path().extension().is_some_and(|e| e == "md") {
            md_paths.push(FoundFile {
                abs: entry.path().to_path_buf(),
                rel,
            });
        } else {
            assets.push((entry.path().to_path_buf(), rel));
        }
    }
    md_paths.shrink_to_fit();
    Ok(ContentTree {
        files: md_paths,
        assets,
    })
}

/// `path` below `base`, with `/` separators whatever the platform.
pub(crate) fn rel_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A parsed Markdown file, before it knows its place in the site.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: SourceFile,
    pub fm: FrontMatter,
    pub body: Body,
    /// Lines before the body in the file.
    pub body_line_offset: usize,
    pub is_section: bool,
    /// The language of a translation (`name.fr.md`: `fr`); `None` for a
    /// file in the default language.
    pub lang: Option<String>,
}

impl Document {
    /// The path of the file this one translates (`a/b.fr.md` -> `a/b.md`),
    /// or its own path in the default language.
    pub fn base_rel(&self) -> std::borrow::Cow<'_, str> {
        base_rel(&self.file.rel, self.lang.as_deref())
    }
}

/// `rel` without its language code (`a/b.fr.md`, `fr` -> `a/b.md`).
pub fn base_rel<'a>(rel: &'a str, lang: Option<&str>) -> std::borrow::Cow<'a, str> {
    match lang.and_then(|l| rel.strip_suffix(&format!(".{l}.md"))) {
        Some(stem) => std::borrow::Cow::Owned(format!("{stem}.md")),
        None => std::borrow::Cow::Borrowed(rel),
    }
}

/// The path of `base`'s translation into `lang` (`a/b.md` -> `a/b.fr.md`).
pub fn translated_rel(base: &str, lang: &str) -> String {
    format!("{}.{lang}.md", base.trim_end_matches(".md"))
}

/// The language code in a file name (`b.fr.md` -> `fr`), when it is one
/// of `codes`.
pub fn lang_of_rel<'a>(rel: &str, codes: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name = rel.rsplit('/').next().unwrap_or(rel).strip_suffix(".md")?;
    let (_, code) = name.rsplit_once('.')?;
    codes.into_iter().find(|c| *c == code)
}

/// Everything a parse needs besides the file.
pub struct ParseContext<'a> {
    pub markdown: &'a crate::config::MarkdownConfig,
    pub glossary: Option<&'a GlossaryMatcher>,
    /// Shortcodes that exist (templates plus built-ins).
    pub shortcodes: &'a (dyn Fn(&str) -> bool + Sync),
    /// The site's languages other than the default, each with the matcher
    /// of its glossary (`data/glossary.xx.toml`).
    pub translations: &'a [(String, Option<GlossaryMatcher>)],
}

/// Parse one file: front matter and Markdown. Pure.
pub fn parse_file(
    file: SourceFile,
    cx: &ParseContext<'_>,
) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    let name = file.rel.rsplit('/').next().unwrap_or(&file.rel);
    let is_section = name == "_index.md"
        || name
            .strip_prefix("_index.")
            .and_then(|r| r.strip_suffix(".md"))
            .is_some_and(|code| cx.translations.iter().any(|(c, _)| c == code));
    let split = front_matter::split(&file.text, &file.display).map_err(|d| vec![d])?;
    let (mut fm, warnings) = front_matter::parse_with(
        &split,
        &file.text,
        &file.display,
        is_section,
        cx.markdown.obsidian,
    )?;
    let lang = lang_of_rel(&file.rel, cx.translations.iter().map(|(c, _)| c.as_str()));
    let at = format!("@/{}", base_rel(&file.rel, lang));
    let glossary = match lang {
        None => cx.glossary,
        Some(l) => cx
            .translations
            .iter()
            .find(|(c, _)| c == l)
            .and_then(|(_, m)| m.as_ref()),
    };
    if !is_section && fm.date.is_none() {
        fm.date = date::from_file_name(&page_stem(&base_rel(&file.rel, lang))).map(|(d, _)| d);
    }
    let lang = lang.map(str::to_string);
    let page_glossary = glossary
        .filter(|_| fm.glossary != Some(false))
        .map(|g| g.for_page(&at));
    let opts = RenderOptions {
        markdown: cx.markdown,
        glossary: page_glossary.as_ref(),
        folder_depth: file.rel.matches('/').count(),
    };
    let offset = split.body_line_offset;
    let body = markdown::render(split.body, &opts).map_err(|e| {
        vec![
            Diagnostic::error(e.code, e.message)
                .at(&file.display, &file.text, e.line + offset, e.column)
                .with_help_opt(e.help),
        ]
    })?;
    let mut errors = Vec::new();
    for call in &body.shortcodes {
        if !(cx.shortcodes)(&call.name) {
            errors.push(
                Diagnostic::error(
                    "unknown-shortcode",
                    format!("unknown shortcode `{}`", call.name),
                )
                .at(&file.display, &file.text, call.line + offset, call.column)
                .with_help(format!(
                    "create templates/shortcodes/{}.html, or escape it as {{{{/* {}() */}}}}",
                    call.name, call.name
                )),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if split.format == front_matter::Format::None || (cx.markdown.obsidian && fm.title.is_none()) {
        fm.title = Some(title_without_front_matter(&file.rel, &body));
    }
    if cx.markdown.obsidian {
        vault::tags_as_taxonomy(&mut fm, &body);
    }
    let mut warnings = warnings;
    if lang.is_none()
        && let Some(code) = unconfigured_language(&file.rel)
    {
        warnings.push(
            Diagnostic::warning(
                "unknown-language",
                format!(
                    "`{}` looks like a translation into `{code}`, a language config.toml does not name; it is built as a page of its own",
                    file.rel
                ),
            )
            .in_file(&file.display)
            .with_help(format!(
                "add [languages.{code}] to config.toml to publish it under /{code}/, or rename the file"
            )),
        );
    }
    for (line, col, lang) in &body.unknown_languages {
        let d = if cx.markdown.error_on_missing_language() {
            Diagnostic::error(
                "unknown-code-language",
                format!("fascia cannot highlight `{lang}`"),
            )
        } else {
            Diagnostic::warning(
                "unknown-code-language",
                format!("fascia cannot highlight `{lang}`; the block is shown plain"),
            )
        };
        let d = d
            .at(&file.display, &file.text, line + offset, *col)
            .with_help("name a language fascia knows (rust, toml, bash, html, ...), or none");
        if d.is_error() {
            errors.push(d);
        } else {
            warnings.push(d);
        }
    }
    for (line, col, message) in &body.shortcodes_as_text {
        warnings.push(
            Diagnostic::warning(
                "shortcode-syntax",
                format!("{message}; the call is shown as text, as Zola shows it"),
            )
            .at(&file.display, &file.text, line + offset, *col)
            .with_help(
                "fix the quoting to run the shortcode, or escape it as {{/* ... */}} to show it",
            ),
        );
    }
    for (line, col, message) in &body.math_errors {
        warnings.push(
            Diagnostic::warning("math-syntax", format!("maths that do not parse: {message}"))
                .at(&file.display, &file.text, line + offset, *col)
                .with_help("the formula is shown as code; check its LaTeX"),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (line, col, target) in &body.outside_links {
        warnings.push(
            Diagnostic::warning(
                "link-outside-content",
                format!("`{target}` leads outside content/; the link is kept as written"),
            )
            .at(&file.display, &file.text, line + offset, *col)
            .with_help("link a page of the site with @/path.md, or the file's published URL"),
        );
    }
    for (line, col) in &body.images_without_alt {
        warnings.push(
            Diagnostic::warning("image-without-alt", "image has no alt text")
                .at(&file.display, &file.text, line + offset, *col)
                .with_help("describe the image: ![what it shows](file.png)"),
        );
    }
    Ok((
        Document {
            file,
            fm,
            body,
            body_line_offset: offset,
            is_section,
            lang,
        },
        warnings,
    ))
}

/// The name a page's slug comes from: its file name without `.md`, or its
/// folder's name for a bundle (`a/b/index.md` -> `b`).
fn page_stem(base_rel: &str) -> String {
    let rel = base_rel.strip_suffix(".md").unwrap_or(base_rel);
    let rel = match rel.strip_suffix("/index") {
        Some(dir) => dir,
        None if rel == "index" => return rel.to_string(),
        None => rel,
    };
    rel.rsplit('/').next().unwrap_or(rel).to_string()
}

/// The code of a well-known language in a file name (`b.de.md` -> `de`).
fn unconfigured_language(rel: &str) -> Option<&str> {
    let name = rel.rsplit('/').next()?.strip_suffix(".md")?;
    let (_, code) = name.rsplit_once('.')?;
    (code.len() == 2
        && code.bytes().all(|b| b.is_ascii_lowercase())
        && !crate::config::languages::native_name(code).is_empty())
    .then_some(code)
}

/// The title of a file without front matter (as Obsidian gives it): its
/// first `# heading`, else its file name (`Deep fascia.md` -> `Deep fascia`;
/// a section's `_index.md` -> its folder's name).
fn title_without_front_matter(rel: &str, body: &Body) -> String {
    if let Some(h) = body.headings.iter().find(|h| h.level == 1) {
        return h.title.clone();
    }
    let mut parts = rel.rsplit('/');
    let file = parts.next().unwrap_or(rel);
    let name = if file == "_index.md" {
        parts.next().unwrap_or("Home")
    } else {
        file.trim_end_matches(".md")
    };
    name.to_string()
}

/// A page with its URL.
#[derive(Debug, Clone)]
pub struct Page {
    /// Shared with `serve`'s parse cache (see [`crate::pipeline::ParseCache`]).
    pub doc: Arc<Document>,
    pub slug: String,
    /// URL path, `/techniques/iastm/`.
    pub path: String,
    /// Index of the parent section in [`Site::sections`](crate::site::Site).
    pub section: usize,
    /// Co-located files (for `name/index.md` pages): absolute path, output path.
    pub assets: Vec<(PathBuf, String)>,
}

/// A section (`_index.md`) with its pages and subsections, sorted.
#[derive(Debug, Clone)]
pub struct Section {
    /// Shared with `serve`'s parse cache (see [`crate::pipeline::ParseCache`]).
    pub doc: Arc<Document>,
    /// URL path, `/techniques/`.
    pub path: String,
    pub parent: Option<usize>,
    pub pages: Vec<usize>,
    pub subsections: Vec<usize>,
    /// Folder below content/ (`techniques`, or empty for the root).
    pub dir: String,
}

impl Page {
    pub fn title(&self) -> &str {
        self.doc.fm.title.as_deref().unwrap_or(&self.slug)
    }
}

impl Section {
    pub fn title(&self) -> &str {
        self.doc.fm.title.as_deref().unwrap_or(&self.dir)
    }
}

/// Folder of a content path (`a/b.md` -> `a`, `b.md` -> empty).
pub fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(rel: &str, fm: &str) -> Document {
        let text = format!("+++\n{fm}\n+++\nBody of {rel}.\n");
        let file = SourceFile {
            rel: rel.into(),
            display: PathBuf::from(rel),
            text,
        };
        let md = crate::config::MarkdownConfig::default();
        let cx = ParseContext {
            markdown: &md,
            glossary: None,
            shortcodes: &|_| false,
            translations: &[],
        };
        parse_file(file, &cx).unwrap().0
    }

    #[test]
    fn pages_get_urls_and_sorted_sections() {
        let docs = vec![
            doc("_index.md", "title = \"Home\""),
            doc("tech/_index.md", "title = \"T\"\nsort_by = \"weight\""),
            doc("tech/b.md", "title = \"B\"\nweight = 1"),
            doc("tech/a.md", "title = \"A\"\nweight = 2"),
            doc("tech/c/index.md", "title = \"C\"\nweight = 3"),
            doc("tech/d.md", "title = \"D\"\ndraft = true"),
            doc("loose/e.md", "title = \"E\"\nslug = \"Eee Page\""),
        ];
        let assets = vec![(PathBuf::from("/x/pic.png"), "tech/c/pic.png".to_string())];
        let (sections, pages) = assemble(
            docs.into_iter().map(Arc::new).collect(),
            &assets,
            false,
            &[],
        );
        let tech = sections.iter().find(|s| s.dir == "tech").unwrap();
        let titles: Vec<_> = tech.pages.iter().map(|&i| pages[i].title()).collect();
        assert_eq!(titles, ["B", "A", "C"]);
        let c = pages.iter().find(|p| p.title() == "C").unwrap();
        assert_eq!(c.path, "/tech/c/");
        assert_eq!(c.assets[0].1, "tech/c/pic.png");
        let e = pages.iter().find(|p| p.title() == "E").unwrap();
        assert_eq!(e.path, "/loose/eee-page/");
        assert_eq!(sections[e.section].dir, "");
        assert!(pages.iter().all(|p| p.title() != "D"));
    }

    #[test]
    fn junk_files_are_recognised() {
        for junk in [
            ".iastm.md.swp",
            "iastm.md~",
            "#iastm.md#",
            ".#iastm.md",
            "4913",
            "x.md___jb_tmp___",
        ] {
            assert!(is_editor_junk(junk), "{junk}");
        }
        assert!(!is_editor_junk("iastm.md"));
    }
}
