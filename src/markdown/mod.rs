//! Markdown body -> [`Body`]: HTML with placeholders for every link and
//! shortcode, the headings (ids, table of contents), the outgoing links with
//! their positions and surrounding sentences, and the plain text.
//!
//! Steps, in order:
//! 1. cut shortcodes out of the text ([`shortcodes::extract`]);
//! 2. parse with comrak (GFM, footnotes, alerts, description lists, wikilinks);
//! 3. walk the tree: give headings unique ids, replace each link's URL with a
//!    placeholder (`fascia:L<n>`) recorded in [`Body::links`], link the first
//!    mention of glossary terms, collect plain text;
//! 4. format HTML with heading ids and anchor links.
//!
//! Links are resolved later by the link stage, which knows every page.

mod callout_icons;
mod callouts;
pub mod chunk;
mod code_lines;
mod embeds;
mod footnotes;
pub mod glossary_linker;
pub mod headings;
pub mod highlight;
mod images;
pub mod math;
pub mod nesting;
pub mod obsidian;
mod packed;
mod pass;
mod plain;
mod raw_html;
pub mod reading;
pub mod shortcodes;
mod walker;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use comrak::Options;
use comrak::adapters::{HeadingAdapter, HeadingMeta};
use comrak::nodes::{AstNode, NodeLink, NodeValue, Sourcepos};
use serde::Serialize;

use crate::config::{AnchorLinks, MarkdownConfig};
pub use embeds::{EMBED_MARKER, file_extension};
pub use glossary_linker::GlossaryMatcher;
pub use headings::{Heading, slugify};
use pass::Pass;
pub use shortcodes::{ShortcodeCall, ShortcodeError};

/// The prefix of a link placeholder in body HTML.
pub const LINK_PLACEHOLDER: &str = "fascia:L";

/// What kind of destination a link names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// `@/path/to/page.md#anchor`
    Internal,
    /// `../other.md#anchor`, relative to the page's file
    Relative,
    /// `[[Title]]`, `[[path|label]]`
    Wiki,
    /// `#anchor` on the same page
    SamePage,
    /// `ref:key`
    Citation,
    /// A glossary term linked by fascia: the target is the term id.
    Glossary,
    /// A URL into the site written as it is served: root-relative
    /// (`/notes/a/`) or relative to the page's URL (`../b/`, `chart.png`),
    /// in a Markdown link or image or a raw HTML `href`/`src`. Left as
    /// written in the HTML (no placeholder), checked by the link stage.
    Url,
    /// Anything else (a full `https://` URL, `mailto:`...): left unchanged.
    External,
    /// `![[image.png]]`, `[[file.pdf]]`: a file of the vault by its name or
    /// path (Obsidian); the link stage finds it among content's files.
    File,
    /// `![[Note]]`, `![[Note#Heading]]`, `![[Note#^block]]`: a note, or part
    /// of it, shown in place (Obsidian); resolved as a wikilink.
    Embed,
    /// `#tag` in the text (Obsidian): the tag's page of the `tags` taxonomy.
    Tag,
}

/// One link in a body, before resolution.
#[derive(Debug, Clone, Serialize)]
pub struct LinkRef {
    pub kind: LinkKind,
    /// The destination as written (`@/a.md#b`, `Title#Heading`, `seffrin2019`).
    pub target: String,
    /// 1-based line and column in the body (add the front matter offset).
    pub line: usize,
    pub column: usize,
    /// The link text, plain.
    pub text: String,
    /// The sentence around the link, plain and trimmed.
    pub sentence: String,
}

/// How much of a body's plain text [`Body::text_start`] keeps.
pub const TEXT_START_CHARS: usize = 280;

/// A rendered Markdown body.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Body {
    /// The HTML, with link placeholders. Empty once packed: read it with
    /// [`Body::html`], change it with [`Body::set_html`].
    pub(in crate::markdown) html: String,
    /// `html` compressed by [`Body::pack`] (a one-shot build), else none.
    #[serde(skip)]
    pub packed: Option<Box<[u8]>>,
    pub headings: Vec<Heading>,
    pub links: Vec<LinkRef>,
    pub shortcodes: Vec<ShortcodeCall>,
    /// The first [`TEXT_START_CHARS`] characters of the body's plain text
    /// (a feed entry's summary when the page has no description). Only the
    /// start is kept: a large site holds every body at once.
    pub text_start: String,
    /// Words of the raw Markdown, as Zola counts them ([`reading`]).
    pub word_count: usize,
    /// HTML before `<!-- more -->`, if the marker is present.
    pub summary: Option<String>,
    /// Images without alt text, by position.
    pub images_without_alt: Vec<(usize, usize)>,
    /// Local images and `figure` shortcodes, in the order they are marked
    /// in the HTML (see [`crate::images`]).
    pub images: Vec<crate::images::ImageRef>,
    /// Full `http(s)://` URLs written in the body: outside addresses, even
    /// on the site's own host (see [`crate::site::Site::outside_urls`]).
    pub outside_urls: Vec<String>,
    /// Relative `.md` links that lead outside `content/` (a README beside
    /// the site): (line, column, target), left in the HTML as written.
    pub outside_links: Vec<(usize, usize, String)>,
    /// Fences naming a language fascia cannot highlight: (line, column, language).
    pub unknown_languages: Vec<(usize, usize, String)>,
    /// Shortcode calls whose arguments do not parse, shown as text (as
    /// Zola shows them): (line, column, why).
    pub shortcodes_as_text: Vec<(usize, usize, String)>,
    /// Maths that did not parse: (line, column, message); shown as code.
    pub math_errors: Vec<(usize, usize, String)>,
    /// Obsidian block ids (`^id` at the end of a paragraph or list item),
    /// without the caret; each is an anchor `^id` of the page.
    pub block_ids: Vec<String>,
    /// Obsidian inline `#tags`, as written (without `#`), in order.
    pub tags: Vec<String>,
    /// Where the heading anchors were written (a section may move them:
    /// [`headings::restyle_anchors`]).
    pub anchor_links: AnchorLinks,
    /// The anchor HTML they were written with ([`MarkdownConfig::anchor_link_html`]).
    #[serde(skip)]
    pub anchor_html: Option<std::sync::Arc<Vec<String>>>,
}

/// Options for one body render.
pub struct RenderOptions<'a> {
    pub markdown: &'a MarkdownConfig,
    /// Glossary terms to link on first mention, if enabled for this page.
    pub glossary: Option<&'a GlossaryMatcher>,
    /// How many folders below `content/` the file is: a relative `.md` link
    /// that climbs higher leads outside the content (kept as written, and
    /// reported in [`Body::outside_links`]).
    pub folder_depth: usize,
}

/// Build comrak options from the site's Markdown settings.
pub fn comrak_options(cfg: &MarkdownConfig) -> Options<'static> {
    let mut o = Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.extension.description_lists = cfg.definition_list.unwrap_or(true);
    // Obsidian's callouts (every kind, foldable) are read by `callouts`.
    // GitHub's alerts: off unless the site or its theme asks, as in Zola.
    o.extension.alerts = cfg.github_alerts.unwrap_or(false) && !cfg.obsidian;
    o.extension.wikilinks_title_after_pipe = true;
    o.extension.math_dollars = cfg.math.unwrap_or(cfg.obsidian);
    o.extension.highlight = cfg.obsidian;
    o.parse.smart = cfg.smart_punctuation.unwrap_or(false);
    // Zola's `render_emoji`: GitHub's `:smile:` names, outside code.
    o.extension.shortcodes = cfg.render_emoji.unwrap_or(false);
    o.parse.relaxed_autolinks = false;
    o.render.r#unsafe = cfg.unsafe_html;
    o.render.tasklist_classes = true;
    o
}

/// Render one Markdown body. Errors are shortcode syntax errors and bodies
/// nested too deeply ([`nesting`]).
pub fn render(src: &str, opts: &RenderOptions<'_>) -> Result<Body, ShortcodeError> {
    render_in_pieces(src, opts, chunk::THRESHOLD, chunk::PIECE)
}

/// [`render`], with a body longer than `threshold` bytes parsed in pieces of
/// about `piece` bytes ([`chunk`]). The result is the same whatever the
/// sizes: `tests/chunks.rs` compares small ones with a single parse.
#[doc(hidden)]
pub fn render_in_pieces(
    src: &str,
    opts: &RenderOptions<'_>,
    threshold: usize,
    piece: usize,
) -> Result<Body, ShortcodeError> {
    render_with(src, opts, threshold, piece, true).map(Option::unwrap_or_default)
}

/// [`render_in_pieces`] of any body, cut in pieces of about `piece` bytes,
/// or `None` where it must be parsed whole (for tests that check the cut
/// was made).
#[doc(hidden)]
pub fn render_only_in_pieces(
    src: &str,
    opts: &RenderOptions<'_>,
    piece: usize,
) -> Result<Option<Body>, ShortcodeError> {
    render_with(src, opts, 0, piece, false)
}

fn render_with(
    src: &str,
    opts: &RenderOptions<'_>,
    threshold: usize,
    piece: usize,
    whole: bool,
) -> Result<Option<Body>, ShortcodeError> {
    if let Some((line, column, depth)) = nesting::too_deep(src) {
        return Err(ShortcodeError {
            code: "markdown-too-deep",
            message: format!(
                "block quotes or lists nested {depth} levels deep; fascia reads at most {}",
                nesting::MAX_DEPTH
            ),
            line,
            column,
            help: Some("flatten the nesting, or put the text in a code block".to_string()),
        });
    }
    let raw = src;
    let src = if opts.markdown.obsidian {
        obsidian::strip_comments(src)
    } else {
        std::borrow::Cow::Borrowed(src)
    };
    let extracted = shortcodes::extract(&src)?;
    drop(src);
    let options = comrak_options(opts.markdown);
    let text = extracted.text.as_str();
    let plan = (text.len() > threshold)
        .then(|| chunk::plan(text, piece, &options))
        .flatten();
    let body = plan
        .and_then(|plan| pass::in_pieces(text, &plan, opts, &options))
        .or_else(|| {
            whole.then(|| {
                let mut pass = Pass::new(opts, &options, text.len(), None);
                pass.piece(text, (0, 0), 0, false);
                pass.finish()
            })
        });
    Ok(body.map(|mut body| {
        body.word_count = reading::word_count(raw);
        images::mark_calls(&extracted.calls, &mut body.images);
        body.shortcodes = extracted.calls;
        body.shortcodes_as_text = extracted
            .as_text
            .into_iter()
            .map(|e| (e.line, e.column, e.message))
            .collect();
        body
    }))
}

/// The attributes put on external links (`rel`, `target`, `class`), each
/// followed by a space, or `None` when the settings ask for none.
fn external_link_attrs(cfg: &MarkdownConfig) -> Option<String> {
    let mut rel = Vec::new();
    if cfg.external_links_target_blank {
        rel.push("noopener");
    }
    if cfg.external_links_no_follow {
        rel.push("nofollow");
    }
    if cfg.external_links_no_referrer {
        rel.push("noreferrer");
    }
    if cfg.external_links_external {
        rel.push("external");
    }
    let mut attrs = String::new();
    if !rel.is_empty() {
        attrs = format!("rel=\"{}\" ", rel.join(" "));
    }
    if cfg.external_links_target_blank {
        attrs.push_str("target=\"_blank\" ");
    }
    if let Some(class) = cfg
        .external_links_class
        .as_deref()
        .filter(|c| !c.is_empty())
    {
        let class = class.replace('"', "&quot;").replace('<', "&lt;");
        let _ = write!(attrs, "class=\"{class}\" ");
    }
    (!attrs.is_empty()).then_some(attrs)
}

fn start_of(pos: Sourcepos) -> (usize, usize) {
    (pos.start.line, pos.start.column)
}

/// Check the languages fenced code names (loading the syntaxes only when
/// one does); unknown ones go to [`Body::unknown_languages`]. True when a
/// block can be highlighted.
fn code_languages<'a>(root: &'a AstNode<'a>, body: &mut Body) -> bool {
    let mut any = false;
    for node in root.descendants() {
        let data = node.data.borrow();
        let NodeValue::CodeBlock(cb) = &data.value else {
            continue;
        };
        let lang = highlight::fence_language(&cb.info);
        if !cb.fenced || lang.is_empty() {
            continue;
        }
        if lang == "mermaid" {
            continue; // a diagram: `embeds::diagrams`
        }
        if highlight::knows(lang) {
            any = true;
        } else {
            let (line, column) = start_of(data.sourcepos);
            body.unknown_languages
                .push((line, column, lang.to_string()));
        }
    }
    any
}

/// `$...$`, `$$...$$` and ```` ```math ```` fences as `MathML`; a formula that
/// does not parse stays as code, with its error in `errors`.
fn maths<'a>(root: &'a AstNode<'a>, errors: &mut Vec<(usize, usize, String)>) {
    let nodes: Vec<&'a AstNode<'a>> = root
        .descendants()
        .filter(|n| match &n.data.borrow().value {
            NodeValue::Math(_) => true,
            NodeValue::CodeBlock(cb) => cb.fenced && highlight::fence_language(&cb.info) == "math",
            _ => false,
        })
        .collect();
    for node in nodes {
        let mut data = node.data.borrow_mut();
        let (tex, display, block) = match &data.value {
            NodeValue::Math(m) => (m.literal.clone(), m.display_math, false),
            NodeValue::CodeBlock(cb) => (cb.literal.trim().to_string(), true, true),
            _ => continue,
        };
        let html = match math::to_mathml(&tex, display) {
            Ok(m) => m,
            Err(e) => {
                let (line, column) = start_of(data.sourcepos);
                errors.push((line, column, e));
                let escaped = tex.replace('&', "&amp;").replace('<', "&lt;");
                format!("<code class=\"math-error\">{escaped}</code>")
            }
        };
        data.value = if block {
            NodeValue::HtmlBlock(comrak::nodes::NodeHtmlBlock {
                block_type: 6,
                literal: format!("{html}\n"),
            })
        } else {
            NodeValue::HtmlInline(html)
        };
    }
}

/// A paragraph that is only `[[_TOC_]]` (GitLab's marker, found in READMEs
/// that Zola sites import) becomes the page's table of contents. Zola prints
/// it as text; a list of the headings is what its author meant.
fn toc_markers<'a>(root: &'a AstNode<'a>, heads: &[Heading]) {
    let paragraphs: Vec<&'a AstNode<'a>> = root
        .children()
        .filter(|n| matches!(n.data.borrow().value, NodeValue::Paragraph))
        .collect();
    for node in paragraphs {
        let only_marker = node.first_child().is_some_and(|c| {
            c.next_sibling().is_none()
                && matches!(&c.data.borrow().value, NodeValue::WikiLink(w) if w.url.trim() == "_TOC_")
        });
        if !only_marker {
            continue;
        }
        while let Some(c) = node.first_child() {
            c.detach();
        }
        let mut html = String::from("<nav class=\"toc\">");
        toc_html(&headings::toc(heads), &mut html);
        html.push_str("</nav>\n");
        node.data.borrow_mut().value = NodeValue::HtmlBlock(comrak::nodes::NodeHtmlBlock {
            block_type: 6,
            literal: html,
        });
    }
}

fn toc_html(entries: &[headings::TocEntry], out: &mut String) {
    if entries.is_empty() {
        return;
    }
    out.push_str("<ul>");
    for e in entries {
        let title = e.title.replace('&', "&amp;").replace('<', "&lt;");
        let _ = write!(out, "<li><a href=\"#{}\">{title}</a>", e.id);
        toc_html(&e.children, out);
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

/// Which kind of link a Markdown URL is.
pub fn classify(url: &str) -> LinkKind {
    if url.starts_with("@/") {
        LinkKind::Internal
    } else if url.starts_with("ref:") {
        LinkKind::Citation
    } else if url.starts_with('#') {
        LinkKind::SamePage
    } else if url.is_empty() || url.starts_with("//") || has_scheme(url) {
        LinkKind::External
    } else {
        let path = url.split(['#', '?']).next().unwrap_or("");
        if !url.starts_with('/')
            && std::path::Path::new(path)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        {
            LinkKind::Relative
        } else {
            LinkKind::Url
        }
    }
}

/// Whether the relative path `url`, from a file `depth` folders below
/// `content/`, climbs out of it (`../../README.md` from `docs/a.md`).
fn climbs_out(url: &str, mut depth: usize) -> bool {
    let path = url.split(['#', '?']).next().unwrap_or("");
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return true,
            },
            _ => depth += 1,
        }
    }
    false
}

/// `https:`, `mailto:`, `data:`...: a scheme before any `/`, `?` or `#`.
fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Plain text of a node's inline content.
pub fn collect_plain<'a>(node: &'a AstNode<'a>) -> String {
    let mut out = String::new();
    for d in node.descendants() {
        match &d.data.borrow().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// Writes `<hN id="...">` and an anchor link, taking ids in document order.
struct HeadingIds<'a> {
    /// Each heading's id and classes (space-separated, or empty).
    ids: Vec<(String, String)>,
    next: AtomicUsize,
    style: headings::AnchorStyle<'a>,
}

impl HeadingAdapter for HeadingIds<'_> {
    fn enter(
        &self,
        output: &mut dyn std::fmt::Write,
        heading: &HeadingMeta,
        _sourcepos: Option<Sourcepos>,
    ) -> std::fmt::Result {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let (id, classes) = self
            .ids
            .get(i)
            .map_or(("", ""), |(id, c)| (id.as_str(), c.as_str()));
        let (open, _) = headings::anchor_markup(self.style, heading.level, id);
        write!(output, "<h{} id=\"{}\"", heading.level, id)?;
        if !classes.is_empty() {
            // As Zola writes them: after the id.
            let classes = callouts::escape(classes);
            write!(output, " class=\"{classes}\"")?;
        }
        write!(output, ">{open}")
    }

    fn exit(&self, output: &mut dyn std::fmt::Write, heading: &HeadingMeta) -> std::fmt::Result {
        let i = self.next.load(Ordering::Relaxed).saturating_sub(1);
        let id = self.ids.get(i).map_or("", |(id, _)| id.as_str());
        let (_, close) = headings::anchor_markup(self.style, heading.level, id);
        write!(output, "{close}</h{}>", heading.level)
    }
}

#[cfg(test)]
mod tests;
