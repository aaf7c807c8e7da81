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
mod embeds;
pub mod glossary_linker;
pub mod headings;
pub mod highlight;
mod images;
pub mod math;
pub mod nesting;
pub mod obsidian;
mod plain;
mod raw_html;
pub mod shortcodes;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use comrak::adapters::{HeadingAdapter, HeadingMeta};
use comrak::nodes::{AstNode, NodeLink, NodeValue, Sourcepos};
use comrak::{Arena, Options, format_html_with_plugins, options::Plugins, parse_document};
use serde::Serialize;

use crate::config::{AnchorLinks, MarkdownConfig};
pub use embeds::{EMBED_MARKER, file_extension};
pub use glossary_linker::GlossaryMatcher;
pub use headings::{Heading, slugify};
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
    pub html: String,
    pub headings: Vec<Heading>,
    pub links: Vec<LinkRef>,
    pub shortcodes: Vec<ShortcodeCall>,
    /// The first [`TEXT_START_CHARS`] characters of the body's plain text
    /// (a feed entry's summary when the page has no description). Only the
    /// start is kept: a large site holds every body at once.
    pub text_start: String,
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
    o.extension.alerts = cfg.github_alerts.unwrap_or(true) && !cfg.obsidian;
    o.extension.wikilinks_title_after_pipe = true;
    o.extension.math_dollars = cfg.math.unwrap_or(cfg.obsidian);
    o.extension.highlight = cfg.obsidian;
    o.parse.smart = cfg.smart_punctuation;
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
    let mut body = plan
        .and_then(|plan| {
            let mut pass = Pass::new(opts, &options, text.len());
            let last = plan.pieces.len() - 1;
            for (i, (range, first_line)) in plan.pieces.iter().enumerate() {
                let shift = first_line.cast_signed() - plan.preamble_lines.cast_signed();
                let piece = if plan.preamble.is_empty() {
                    std::borrow::Cow::Borrowed(&text[range.clone()])
                } else {
                    std::borrow::Cow::Owned(format!("{}{}", plan.preamble, &text[range.clone()]))
                };
                if !pass.piece(&piece, shift, i < last) {
                    return None; // a cut in the wrong place: parse whole
                }
            }
            Some(pass.finish())
        })
        .unwrap_or_else(|| {
            let mut pass = Pass::new(opts, &options, text.len());
            pass.piece(text, 0, false);
            pass.finish()
        });
    images::mark_calls(&extracted.calls, &mut body.images);
    body.shortcodes = extracted.calls;
    Ok(body)
}

/// One render of a body, fed one piece at a time ([`chunk`]): the walk, the
/// plain text and the HTML run on from piece to piece.
struct Pass<'o> {
    opts: &'o RenderOptions<'o>,
    options: &'o Options<'static>,
    walk: Walker,
    plain: plain::PlainStream,
    glossary_done: std::collections::HashSet<usize>,
    html: String,
    external_attrs: Option<String>,
}

impl<'o> Pass<'o> {
    fn new(opts: &'o RenderOptions<'o>, options: &'o Options<'static>, len: usize) -> Self {
        Pass {
            opts,
            options,
            walk: Walker {
                body: Body::default(),
                ids: headings::IdSet::default(),
                block: None,
                folder_depth: opts.folder_depth,
            },
            plain: plain::PlainStream::default(),
            glossary_done: opts
                .glossary
                .map(GlossaryMatcher::done_on_page)
                .unwrap_or_default(),
            html: String::with_capacity(len + len / 4),
            external_attrs: external_link_attrs(opts.markdown),
        }
    }

    /// Parse, walk and write `text`, its lines `shift` from the body's. With
    /// `check`, a piece whose last block could run on ([`chunk::ends_cleanly`])
    /// is refused: false, and nothing is kept.
    fn piece(&mut self, text: &str, shift: isize, check: bool) -> bool {
        let (opts, walk) = (self.opts, &mut self.walk);
        let arena = Arena::new();
        let root = parse_document(&arena, text, self.options);
        if check && !chunk::ends_cleanly(root) {
            return false;
        }
        if shift != 0 {
            chunk::shift_lines(root, shift);
        }
        // Node addresses of the last piece's tree may come again.
        walk.block = None;
        if opts.markdown.obsidian {
            obsidian::link_texts(root);
        }
        let first_heading = walk.body.headings.len();
        walk.headings(root);
        if opts.markdown.math.unwrap_or(opts.markdown.obsidian) {
            maths(root, &mut walk.body.math_errors);
        }
        let highlighted = opts.markdown.highlight() && code_languages(root, &mut walk.body);
        if let Some(glossary) = opts.glossary {
            glossary.link_first_mentions(
                &arena,
                root,
                &mut self.glossary_done,
                &mut walk.body.links,
            );
        }
        if opts.markdown.obsidian {
            callouts::callouts(&arena, root);
            obsidian::block_ids(&arena, root, &mut walk.body.block_ids);
            embeds::embeds(&arena, root, &mut walk.body);
            obsidian::tags(&arena, root, &mut walk.body);
        }
        embeds::diagrams(root);
        toc_markers(root, &walk.body.headings);
        walk.links(root);
        self.plain.read(root);
        images::mark(root, &mut walk.body.images);

        let adapter = HeadingIds {
            ids: walk.body.headings[first_heading..]
                .iter()
                .map(|h| h.id.clone())
                .collect(),
            next: AtomicUsize::new(0),
            mode: opts.markdown.insert_anchor_links.unwrap_or_default(),
        };
        let mut plugins = Plugins::default();
        plugins.render.heading_adapter = Some(&adapter);
        if highlighted {
            plugins.render.codefence_syntax_highlighter = Some(&highlight::Highlighter);
        }
        let mut html = String::with_capacity(text.len() + text.len() / 4);
        format_html_with_plugins(root, self.options, &mut html, &plugins)
            .expect("writing to a String cannot fail");
        if let Some(attrs) = &self.external_attrs {
            html = html.replace("<a href=\"http", &format!("<a {attrs}href=\"http"));
        }
        if opts.markdown.lazy_async_image {
            html = html.replace("<img src=", "<img loading=\"lazy\" decoding=\"async\" src=");
        }
        // comrak starts a block on a new line; a heading's adapter ends
        // without one, and the next piece's first block cannot know.
        if !html.is_empty() && !self.html.is_empty() && !self.html.ends_with('\n') {
            self.html.push('\n');
        }
        self.html.push_str(&html);
        true
    }

    fn finish(self) -> Body {
        let mut body = self.walk.body;
        body.word_count = self.plain.words;
        body.text_start = self.plain.start;
        body.anchor_links = self.opts.markdown.insert_anchor_links.unwrap_or_default();
        let mut html = self.html;
        if let Some(i) = memchr::memmem::find(html.as_bytes(), b"<!-- more -->") {
            body.summary = Some(html[..i].to_string());
        }
        // A large site holds every body at once: no slack capacity.
        html.shrink_to_fit();
        body.html = html;
        body
    }
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

struct Walker {
    body: Body,
    folder_depth: usize,
    ids: headings::IdSet,
    /// The plain text of the block the last link was in, kept for the
    /// block's other links.
    block: Option<BlockText>,
}

/// A block's plain text and where each link in it starts.
struct BlockText {
    /// The block node's address, as an identity.
    key: usize,
    text: String,
    /// Link node's address -> byte offset of its text in `text`.
    links: std::collections::HashMap<usize, usize>,
}

impl Walker {
    fn headings<'a>(&mut self, root: &'a AstNode<'a>) {
        for node in root.descendants() {
            let (level, line) = {
                let data = node.data.borrow();
                match &data.value {
                    NodeValue::Heading(h) => (h.level, data.sourcepos.start.line),
                    _ => continue,
                }
            };
            let explicit = headings::take_explicit_id(node);
            let title = collect_plain(node).trim().to_string();
            let id = self
                .ids
                .unique(explicit.unwrap_or_else(|| headings::heading_id(&title)));
            self.body.headings.push(Heading {
                level,
                id,
                title,
                line,
            });
        }
    }

    fn links<'a>(&mut self, root: &'a AstNode<'a>) {
        for node in root.descendants() {
            let mut data = node.data.borrow_mut();
            let pos = data.sourcepos;
            let (kind, target) = match &mut data.value {
                NodeValue::Link(link) => {
                    if link.url.starts_with(LINK_PLACEHOLDER) {
                        continue; // already a glossary link
                    }
                    let kind = classify(&link.url);
                    match kind {
                        LinkKind::External => {
                            self.note_outside(&link.url);
                            continue;
                        }
                        LinkKind::Url => {
                            let url = link.url.clone();
                            drop(data);
                            self.record_url(node, url, start_of(pos));
                            continue;
                        }
                        LinkKind::Relative if climbs_out(&link.url, self.folder_depth) => {
                            let (at_line, at_column) = start_of(pos);
                            self.body
                                .outside_links
                                .push((at_line, at_column, link.url.clone()));
                            continue;
                        }
                        _ => {}
                    }
                    let target = match kind {
                        LinkKind::Internal => link.url.clone(),
                        LinkKind::Citation => link.url["ref:".len()..].to_string(),
                        _ => percent_decode(&link.url),
                    };
                    (kind, target)
                }
                NodeValue::WikiLink(w) => (LinkKind::Wiki, w.url.trim().to_string()),
                NodeValue::Image(link) => {
                    let url = link.url.clone();
                    drop(data);
                    if collect_plain(node).trim().is_empty() {
                        self.body
                            .images_without_alt
                            .push((pos.start.line, pos.start.column));
                    }
                    match classify(&url) {
                        LinkKind::External => self.note_outside(&url),
                        LinkKind::Url | LinkKind::Relative => {
                            self.record_url(node, url, start_of(pos));
                        }
                        _ => {}
                    }
                    continue;
                }
                NodeValue::HtmlInline(html) => {
                    let html = html.clone();
                    drop(data);
                    self.raw_html_urls(node, &html, pos);
                    continue;
                }
                NodeValue::HtmlBlock(block) => {
                    let html = block.literal.clone();
                    drop(data);
                    self.raw_html_urls(node, &html, pos);
                    continue;
                }
                _ => continue,
            };
            let placeholder = format!("{LINK_PLACEHOLDER}{}", self.body.links.len());
            data.value = NodeValue::Link(Box::new(NodeLink {
                url: placeholder,
                title: String::new(),
            }));
            drop(data);
            let text = collect_plain(node).trim().to_string();
            let sentence = self.sentence_around(node);
            let (line, column) = start_of(pos);
            self.body.links.push(LinkRef {
                kind,
                target,
                line,
                column,
                text,
                sentence,
            });
        }
    }

    /// Keep a full `http(s)://` URL written in the body.
    fn note_outside(&mut self, url: &str) {
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            self.body.outside_urls.push(url.to_string());
        }
    }

    /// Record a [`LinkKind::Url`] link (its HTML keeps the URL as written).
    fn record_url<'a>(&mut self, node: &'a AstNode<'a>, url: String, at: (usize, usize)) {
        let text = collect_plain(node).trim().to_string();
        let sentence = self.sentence_around(node);
        self.body.links.push(LinkRef {
            kind: LinkKind::Url,
            target: url,
            line: at.0,
            column: at.1,
            text,
            sentence,
        });
    }

    /// The `href` and `src` values of raw HTML written in the body.
    fn raw_html_urls<'a>(&mut self, node: &'a AstNode<'a>, html: &str, pos: Sourcepos) {
        for (offset, url) in raw_html::html_urls(html) {
            match classify(url) {
                LinkKind::External => self.note_outside(url),
                LinkKind::Url | LinkKind::Relative => {
                    let before = &html[..offset];
                    let line = pos.start.line + before.matches('\n').count();
                    let column = match before.rfind('\n') {
                        Some(nl) => offset - nl,
                        None => pos.start.column + offset,
                    };
                    self.record_url(node, url.to_string(), (line, column));
                }
                _ => {}
            }
        }
    }
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

impl Walker {
    /// The sentence containing the link `node`, from its enclosing block's
    /// plain text (read once per block, however many links it has).
    fn sentence_around<'a>(&mut self, node: &'a AstNode<'a>) -> String {
        let mut block = node;
        while let Some(parent) = block.parent() {
            // A top-level raw HTML block is its own block: its sentence is
            // not the whole document's last one.
            if matches!(parent.data.borrow().value, NodeValue::Document) {
                break;
            }
            let is_block = matches!(
                parent.data.borrow().value,
                NodeValue::Paragraph
                    | NodeValue::Heading(_)
                    | NodeValue::TableCell
                    | NodeValue::Item(_)
                    | NodeValue::DescriptionDetails
                    | NodeValue::DescriptionTerm
            );
            block = parent;
            if is_block {
                break;
            }
        }
        let key = std::ptr::from_ref(block) as usize;
        if self.block.as_ref().is_none_or(|b| b.key != key) {
            let mut text = String::new();
            let mut links = std::collections::HashMap::new();
            for d in block.descendants() {
                match &d.data.borrow().value {
                    NodeValue::Text(t) => text.push_str(t),
                    NodeValue::Code(c) => text.push_str(&c.literal),
                    NodeValue::SoftBreak | NodeValue::LineBreak => text.push(' '),
                    NodeValue::Link(_) | NodeValue::WikiLink(_) | NodeValue::Image(_) => {
                        links.insert(std::ptr::from_ref(d) as usize, text.len());
                    }
                    _ => {}
                }
            }
            self.block = Some(BlockText { key, text, links });
        }
        let b = self.block.as_ref().expect("just filled");
        let me = std::ptr::from_ref(node) as usize;
        let at = b.links.get(&me).copied().unwrap_or(b.text.len());
        // A sentence is read within a window around the link, so that a block
        // of many links with no full stop costs linear time, not quadratic.
        let from = floor_boundary(&b.text, at.saturating_sub(SENTENCE_WINDOW));
        let to = floor_boundary(&b.text, (at + SENTENCE_WINDOW).min(b.text.len()));
        sentence_at(&b.text[from..at], &b.text[at..to])
    }
}

/// Bytes of a block read on each side of a link to find its sentence (the
/// sentence shown is at most 300 characters).
const SENTENCE_WINDOW: usize = 1024;

/// `i`, or the nearest character boundary of `s` below it.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The sentence around the boundary between `before` and `after` (a link's
/// start), whitespace collapsed, at most 300 characters.
fn sentence_at(before: &str, after: &str) -> String {
    let start = before
        .char_indices()
        .rev()
        .find(|&(i, c)| matches!(c, '.' | '!' | '?') && before[i + c.len_utf8()..].starts_with(' '))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = after
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?') && {
                let rest = &after[i + c.len_utf8()..];
                rest.is_empty() || rest.starts_with(' ')
            }
        })
        .map_or(after.len(), |(i, c)| i + c.len_utf8());
    let mut sentence = format!("{}{}", &before[start..], &after[..end]);
    sentence = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
    if sentence.chars().count() > 300 {
        sentence = sentence.chars().take(297).collect::<String>() + "…";
    }
    sentence
}

/// Writes `<hN id="...">` and an anchor link, taking ids in document order.
struct HeadingIds {
    ids: Vec<String>,
    next: AtomicUsize,
    mode: AnchorLinks,
}

impl HeadingAdapter for HeadingIds {
    fn enter(
        &self,
        output: &mut dyn std::fmt::Write,
        heading: &HeadingMeta,
        _sourcepos: Option<Sourcepos>,
    ) -> std::fmt::Result {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let id = self.ids.get(i).map_or("", String::as_str);
        let (open, _) = headings::anchor_markup(self.mode, id);
        write!(output, "<h{} id=\"{}\">{open}", heading.level, id)
    }

    fn exit(&self, output: &mut dyn std::fmt::Write, heading: &HeadingMeta) -> std::fmt::Result {
        let i = self.next.load(Ordering::Relaxed).saturating_sub(1);
        let id = self.ids.get(i).map_or("", String::as_str);
        let (_, close) = headings::anchor_markup(self.mode, id);
        write!(output, "{close}</h{}>", heading.level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_of_several_links_in_one_block() {
        let b = md(
            "Intro here. First [a](@/a.md) link. Then [b](@/b.md) and [c](@/c.md) too! End.\n\nOther [d](@/d.md)\n",
        );
        let got: Vec<&str> = b.links.iter().map(|l| l.sentence.as_str()).collect();
        assert_eq!(
            got,
            [
                "First a link.",
                "Then b and c too!",
                "Then b and c too!",
                "Other d"
            ]
        );
    }

    fn md(src: &str) -> Body {
        let cfg = MarkdownConfig::default();
        render(
            src,
            &RenderOptions {
                markdown: &cfg,
                glossary: None,
                folder_depth: 1,
            },
        )
        .unwrap()
    }

    #[test]
    fn headings_get_unique_ids_and_anchors() {
        let b = md("## History\n\ntext\n\n## History\n\n### Notes {#custom}\n");
        let ids: Vec<_> = b.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["history", "history-1", "custom"]);
        assert!(
            b.html
                .contains("<h2 id=\"history\">History <a class=\"anchor\" href=\"#history\"")
        );
        assert!(b.html.contains("<h3 id=\"custom\">Notes <a"), "{}", b.html);
        assert_eq!(b.headings[2].title, "Notes");
    }

    #[test]
    fn links_become_placeholders_with_positions_and_sentences() {
        let b = md(
            "First sentence. See [IASTM](@/techniques/iastm.md#history) for more. Last.\n\n[[Graston|GT]] and [S](ref:seffrin2019) and [x](../a.md) and [y](#top) and [e](https://e.org)\n",
        );
        let kinds: Vec<_> = b.links.iter().map(|l| l.kind.clone()).collect();
        assert_eq!(
            kinds,
            [
                LinkKind::Internal,
                LinkKind::Wiki,
                LinkKind::Citation,
                LinkKind::Relative,
                LinkKind::SamePage
            ]
        );
        assert_eq!(b.links[0].target, "@/techniques/iastm.md#history");
        assert_eq!((b.links[0].line, b.links[0].column), (1, 21));
        assert_eq!(b.links[0].sentence, "See IASTM for more.");
        assert_eq!(b.links[1].target, "Graston");
        assert_eq!(b.links[1].text, "GT");
        assert_eq!(b.links[2].target, "seffrin2019");
        assert!(b.html.contains("href=\"fascia:L0\""));
        assert!(b.html.contains("href=\"https://e.org\""));
    }

    #[test]
    fn gfm_features_render() {
        let b = md(
            "> [!WARNING]\n> Careful.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ and a note[^1].\n\n[^1]: The note.\n",
        );
        assert!(b.html.contains("markdown-alert-warning"), "{}", b.html);
        assert!(b.html.contains("<table>"));
        assert!(b.html.contains("<del>old</del>"));
        assert!(b.html.contains("footnote"));
        assert!(b.html.contains("checkbox"));
    }

    #[test]
    fn relative_links_out_of_content_are_kept_as_written() {
        let b = md("[readme](../../README.md) and [sibling](../a.md)\n");
        assert_eq!(b.outside_links, [(1, 1, "../../README.md".to_string())]);
        assert_eq!(b.links.len(), 1);
        assert!(b.html.contains("href=\"../../README.md\""), "{}", b.html);
    }

    #[test]
    fn gitlab_toc_marker_is_a_table_of_contents() {
        let b = md("[[_TOC_]]\n\n## One\n\n### Two\n");
        assert!(b.links.is_empty());
        assert!(
            b.html.starts_with("<nav class=\"toc\"><ul><li><a href=\"#one\">One</a><ul><li><a href=\"#two\">Two</a></li></ul></li></ul></nav>"),
            "{}",
            b.html
        );
    }

    #[test]
    fn fenced_code_is_highlighted_with_classes_and_unknown_languages_noted() {
        let b =
            md("```rust,linenos\nfn main() {}\n```\n\n```nosuch\nx < y\n```\n\n```\nplain\n```\n");
        assert!(
            b.html
                .contains("<pre><code class=\"language-rust\"><span class=\"hl-"),
            "{}",
            b.html
        );
        assert!(
            b.html
                .contains("<pre><code class=\"language-nosuch\">x &lt; y\n</code></pre>"),
            "{}",
            b.html
        );
        assert!(
            b.html.contains("<pre><code>plain\n</code></pre>"),
            "{}",
            b.html
        );
        assert_eq!(b.unknown_languages, [(5, 1, "nosuch".to_string())]);
        let off = MarkdownConfig {
            highlight_code: Some(false),
            ..MarkdownConfig::default()
        };
        let b = render(
            "```rust\nfn main() {}\n```\n",
            &RenderOptions {
                markdown: &off,
                glossary: None,
                folder_depth: 0,
            },
        )
        .unwrap();
        assert_eq!(
            b.html,
            "<pre><code class=\"language-rust\">fn main() {}\n</code></pre>\n"
        );
    }

    #[test]
    fn maths_become_mathml_when_switched_on() {
        let on = MarkdownConfig {
            math: Some(true),
            ..MarkdownConfig::default()
        };
        let opts = RenderOptions {
            markdown: &on,
            glossary: None,
            folder_depth: 0,
        };
        let b = render(
            "Energy $E = mc^2$ and\n\n$$\\frac{a}{b}$$\n\nbad $\\frac{a}$ here\n",
            &opts,
        )
        .unwrap();
        assert!(b.html.contains("Energy <math"), "{}", b.html);
        assert!(b.html.contains("display=\"block\""), "{}", b.html);
        assert!(
            b.html
                .contains("<code class=\"math-error\">\\frac{a}</code>"),
            "{}",
            b.html
        );
        assert_eq!(b.math_errors.len(), 1);
        assert_eq!(b.math_errors[0].0, 5);
        let off = md("Costs $5 or $E = mc^2$.\n");
        assert!(off.html.contains("$E = mc^2$"), "{}", off.html);
    }

    #[test]
    fn counts_words_and_cuts_summary() {
        let b = md("One two three.\n\n<!-- more -->\n\nFour five.\n");
        assert_eq!(b.word_count, 5);
        assert!(b.summary.unwrap().contains("One two three."));
    }
}
