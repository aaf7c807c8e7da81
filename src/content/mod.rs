//! The content tree: walk `content/` (walkdir), read every Markdown file, and
//! turn each into a [`Page`] or [`Section`] with its front matter and body.
//!
//! `load` finds files (disk); `parse_file` is pure (text in, document out) and
//! runs in parallel; `assemble` gives pages their URLs and sections their pages.

pub mod date;
pub mod front_matter;
pub mod vault;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
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

/// What the content walk found.
#[derive(Debug, Default)]
pub struct ContentTree {
    pub files: Vec<SourceFile>,
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

/// Walk `content_dir` and read every Markdown file (in parallel). Every file
/// that cannot be read is reported, not only the first.
pub fn load(content_dir: &Path) -> Result<ContentTree, Vec<Diagnostic>> {
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
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = rel_path(content_dir, entry.path());
        if entry.path().extension().is_some_and(|e| e == "md") {
            md_paths.push((entry.path().to_path_buf(), rel));
        } else {
            assets.push((entry.path().to_path_buf(), rel));
        }
    }
    let read: Vec<Result<SourceFile, Diagnostic>> = md_paths
        .into_par_iter()
        .map(|(abs, rel)| {
            let display = Path::new("content").join(&rel);
            let text = crate::diagnostics::read_utf8(&abs, &display)?;
            Ok(SourceFile { rel, display, text })
        })
        .collect();
    let (mut files, mut errors) = (Vec::with_capacity(read.len()), Vec::new());
    for r in read {
        match r {
            Ok(f) => files.push(f),
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    files.shrink_to_fit();
    Ok(ContentTree { files, assets })
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
}

/// Everything a parse needs besides the file.
pub struct ParseContext<'a> {
    pub markdown: &'a crate::config::MarkdownConfig,
    pub glossary: Option<&'a GlossaryMatcher>,
    /// Shortcodes that exist (templates plus built-ins).
    pub shortcodes: &'a (dyn Fn(&str) -> bool + Sync),
}

/// Parse one file: front matter and Markdown. Pure.
pub fn parse_file(
    file: SourceFile,
    cx: &ParseContext<'_>,
) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    let is_section = file.rel == "_index.md" || file.rel.ends_with("/_index.md");
    let split = front_matter::split(&file.text, &file.display).map_err(|d| vec![d])?;
    let (mut fm, warnings) = front_matter::parse_with(
        &split,
        &file.text,
        &file.display,
        is_section,
        cx.markdown.obsidian,
    )?;
    let at = format!("@/{}", file.rel);
    let page_glossary = cx
        .glossary
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
        },
        warnings,
    ))
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

fn url_of_dir(dir: &str) -> String {
    if dir.is_empty() {
        "/".to_string()
    } else {
        let parts: Vec<String> = dir.split('/').map(slug_component).collect();
        format!("/{}/", parts.join("/"))
    }
}

/// A slug for one URL component: `slug::slugify`, or where that leaves
/// nothing (only punctuation), the text itself made safe as one component.
fn slug_component(s: &str) -> String {
    let out = slug::slugify(s);
    if !out.is_empty() {
        return out;
    }
    let safe = crate::url_path::output_path(s)
        .unwrap_or_default()
        .replace('/', "-");
    if safe.is_empty() {
        "-".to_string()
    } else {
        safe
    }
}

/// Give documents their places: sections by folder, pages under the nearest
/// section, URLs, sorted page lists. Drafts are dropped unless `drafts`.
pub fn assemble(
    docs: Vec<Arc<Document>>,
    assets: &[(PathBuf, String)],
    drafts: bool,
) -> (Vec<Section>, Vec<Page>) {
    let (mut section_docs, page_docs): (Vec<Arc<Document>>, Vec<Arc<Document>>) =
        docs.into_iter().partition(|d| d.is_section);
    if !section_docs.iter().any(|d| d.file.rel == "_index.md") {
        section_docs.push(Arc::new(synthetic_root()));
    }
    section_docs.sort_by(|a, b| a.file.rel.cmp(&b.file.rel));
    let mut sections: Vec<Section> = section_docs
        .into_iter()
        .filter(|d| drafts || !d.fm.draft || d.file.rel == "_index.md")
        .map(|doc| {
            let dir = parent_dir(&doc.file.rel).to_string();
            Section {
                path: url_of_dir(&dir),
                doc,
                parent: None,
                pages: Vec::new(),
                subsections: Vec::new(),
                dir,
            }
        })
        .collect();
    let by_dir: HashMap<String, usize> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| (s.dir.clone(), i))
        .collect();
    let nearest = |mut dir: &str| -> usize {
        loop {
            if let Some(&i) = by_dir.get(dir) {
                return i;
            }
            if dir.is_empty() {
                return by_dir[""];
            }
            dir = parent_dir(dir);
        }
    };
    for i in 0..sections.len() {
        if !sections[i].dir.is_empty() {
            let p = nearest(parent_dir(&sections[i].dir));
            sections[i].parent = Some(p);
            sections[p].subsections.push(i);
        }
    }
    let mut pages: Vec<Page> = page_docs
        .into_iter()
        .filter(|d| drafts || !d.fm.draft)
        .map(|doc| page_from_doc(doc, &nearest, &sections, assets))
        .collect();
    pages.sort_by(|a, b| a.doc.file.rel.cmp(&b.doc.file.rel));
    for (i, p) in pages.iter().enumerate() {
        sections[p.section].pages.push(i);
    }
    section_anchor_links(&mut sections, &mut pages);
    for s in 0..sections.len() {
        let sort_by = sections[s].doc.fm.sort_by;
        let mut list = std::mem::take(&mut sections[s].pages);
        sort_pages(&mut list, &pages, sort_by);
        sections[s].pages = list;
        let mut subs = std::mem::take(&mut sections[s].subsections);
        subs.sort_by(|&a, &b| {
            let (x, y) = (&sections[a], &sections[b]);
            (x.doc.fm.weight.unwrap_or(i64::MAX), x.title())
                .cmp(&(y.doc.fm.weight.unwrap_or(i64::MAX), y.title()))
        });
        sections[s].subsections = subs;
    }
    (sections, pages)
}

/// A section's `insert_anchor_links` moves the heading anchors of the
/// section and of its own pages (as in Zola; subsections set their own).
fn section_anchor_links(sections: &mut [Section], pages: &mut [Page]) {
    fn restyle(doc: &mut Arc<Document>, to: crate::config::AnchorLinks) {
        let from = doc.body.anchor_links;
        if from == to {
            return;
        }
        let d = Arc::make_mut(doc);
        let heads = &d.body.headings;
        d.body.html = markdown::headings::restyle_anchors(&d.body.html, heads, from, to);
        if let Some(summary) = &d.body.summary {
            d.body.summary = Some(markdown::headings::restyle_anchors(
                summary, heads, from, to,
            ));
        }
        d.body.anchor_links = to;
    }
    for s in sections.iter_mut() {
        if let Some(to) = s.doc.fm.insert_anchor_links {
            restyle(&mut s.doc, to);
        }
    }
    for p in pages.iter_mut() {
        if let Some(to) = sections[p.section].doc.fm.insert_anchor_links {
            restyle(&mut p.doc, to);
        }
    }
}

fn page_from_doc(
    doc: Arc<Document>,
    nearest: &dyn Fn(&str) -> usize,
    sections: &[Section],
    assets: &[(PathBuf, String)],
) -> Page {
    let rel = doc.file.rel.clone();
    let is_bundle = rel.ends_with("/index.md") || rel == "index.md";
    let (dir, stem) = if is_bundle {
        let d = parent_dir(&rel);
        (
            parent_dir(d).to_string(),
            d.rsplit('/').next().unwrap_or(d).to_string(),
        )
    } else {
        let file = rel.rsplit('/').next().unwrap_or(&rel);
        (
            parent_dir(&rel).to_string(),
            file.trim_end_matches(".md").to_string(),
        )
    };
    let section = nearest(&dir);
    let slug = doc
        .fm
        .slug
        .clone()
        .map_or_else(|| slug_component(&stem), |s| slug_component(&s));
    // Front matter paths were checked when parsed (`url_path::output_path`).
    let path = match doc.fm.path.as_deref().map(crate::url_path::output_path) {
        Some(Ok(p)) if p.is_empty() => "/".to_string(),
        Some(Ok(p)) => format!("/{p}/"),
        _ => format!("{}{}/", url_of_dir(&dir), slug),
    };
    let _ = sections;
    let own_assets = if is_bundle {
        let bundle_dir = format!("{}/", parent_dir(&rel));
        assets
            .iter()
            .filter(|(_, r)| r.starts_with(&bundle_dir))
            .map(|(abs, r)| {
                (
                    abs.clone(),
                    format!("{}{}", path.trim_start_matches('/'), &r[bundle_dir.len()..]),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    Page {
        doc,
        slug,
        path,
        section,
        assets: own_assets,
    }
}

fn sort_pages(list: &mut [usize], pages: &[Page], by: SortBy) {
    let title = |i: usize| pages[i].title().to_lowercase();
    match by {
        SortBy::Weight => {
            list.sort_by_key(|&i| (pages[i].doc.fm.weight.unwrap_or(i64::MAX), title(i)));
        }
        SortBy::Date => list.sort_by(|&a, &b| {
            let (x, y) = (&pages[a].doc.fm.date, &pages[b].doc.fm.date);
            y.cmp(x).then_with(|| title(a).cmp(&title(b)))
        }),
        SortBy::UpdateDate => list.sort_by(|&a, &b| {
            let key = |p: &Page| p.doc.fm.updated.or(p.doc.fm.date);
            key(&pages[b])
                .cmp(&key(&pages[a]))
                .then_with(|| title(a).cmp(&title(b)))
        }),
        SortBy::Title => list.sort_by_key(|&i| title(i)),
        SortBy::Slug => list.sort_by(|&a, &b| pages[a].slug.cmp(&pages[b].slug)),
        SortBy::None => {}
    }
}

fn synthetic_root() -> Document {
    Document {
        file: SourceFile {
            rel: "_index.md".into(),
            display: PathBuf::from("content/_index.md"),
            text: String::new(),
        },
        fm: FrontMatter::default(),
        body: Body::default(),
        body_line_offset: 0,
        is_section: true,
    }
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
        let (sections, pages) = assemble(docs.into_iter().map(Arc::new).collect(), &assets, false);
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
