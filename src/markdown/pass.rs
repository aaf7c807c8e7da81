//! One render of a body, fed one piece at a time ([`super::chunk`]): the
//! walk, the plain text and the HTML run on from piece to piece, and the
//! footnotes ([`super::footnotes`]) are numbered across them and written
//! after the last.

use std::sync::atomic::AtomicUsize;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options, format_html_with_plugins, options::Plugins, parse_document};

use super::footnotes::Notes;
use super::walker::Walker;
use super::{
    Body, GlossaryMatcher, HeadingIds, RenderOptions, callouts, chunk, code_languages, code_lines,
    embeds, external_link_attrs, footnotes, headings, highlight, images, maths, obsidian, plain,
    toc_markers,
};

/// Render `text` in the pieces of `plan`, or `None` when a piece shows a
/// cut in the wrong place or footnotes the plan did not foresee: then the
/// body must be parsed whole.
pub(super) fn in_pieces(
    text: &str,
    plan: &chunk::Plan,
    opts: &RenderOptions<'_>,
    options: &Options<'static>,
) -> Option<Body> {
    let notes_arena = Arena::new();
    // Even with no definitions foreseen: a piece holding one the plan did
    // not see (inside what looked like code) must send the body whole.
    let mut notes = Notes::new(&notes_arena, &plan.footnotes, plan.pieces.len())?;
    notes.in_place = !opts.markdown.footnotes_at_bottom();
    let mut pass = Pass::new(opts, options, text.len(), Some(notes));
    let last = plan.pieces.len() - 1;
    for (i, (range, first_line)) in plan.pieces.iter().enumerate() {
        let piece = &text[range.clone()];
        let (stubs, stub_lines) = pass.footnote_prefix(i, piece);
        let prefix_lines = plan.preamble_lines + stub_lines;
        let shift = first_line.cast_signed() - prefix_lines.cast_signed();
        let piece = if prefix_lines == 0 {
            std::borrow::Cow::Borrowed(piece)
        } else {
            std::borrow::Cow::Owned(format!("{}{stubs}{piece}", plan.preamble))
        };
        if !pass.piece(&piece, (i, prefix_lines), shift, i < last) {
            return None;
        }
    }
    Some(pass.finish())
}

pub(super) struct Pass<'o, 'f> {
    opts: &'o RenderOptions<'o>,
    options: &'o Options<'static>,
    /// The options pieces are parsed with: footnote definitions left in
    /// place when [`Pass::notes`] takes them.
    parse_options: Options<'static>,
    notes: Option<Notes<'f>>,
    walk: Walker,
    plain: plain::PlainStream,
    glossary_done: std::collections::HashSet<usize>,
    html: String,
    external_attrs: Option<String>,
    /// Footnote numbers by label, when they are left in place.
    footnote_numbers: std::collections::HashMap<String, usize>,
}

impl<'o, 'f> Pass<'o, 'f> {
    pub(super) fn new(
        opts: &'o RenderOptions<'o>,
        options: &'o Options<'static>,
        len: usize,
        notes: Option<Notes<'f>>,
    ) -> Self {
        let mut parse_options = options.clone();
        parse_options.parse.leave_footnote_definitions =
            notes.is_some() || !opts.markdown.footnotes_at_bottom();
        Pass {
            opts,
            options,
            parse_options,
            notes,
            walk: Walker {
                body: Body::default(),
                ids: headings::IdSet::default(),
                heading_classes: Vec::new(),
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
            footnote_numbers: std::collections::HashMap::new(),
        }
    }

    /// The stand-ins for footnotes defined elsewhere that piece `piece`
    /// (its text `text`) needs before it, and their lines.
    pub(super) fn footnote_prefix(&self, piece: usize, text: &str) -> (String, usize) {
        self.notes
            .as_ref()
            .map(|n| n.prefix(piece, text))
            .unwrap_or_default()
    }

    /// Parse, walk and write `text`, piece number `piece`, whose first
    /// `prefix_lines` lines are the preamble and stand-ins and whose lines
    /// are `shift` from the body's. With `check`, a piece whose last block
    /// could run on ([`chunk::ends_cleanly`]) is refused, as is one whose
    /// footnotes the plan did not foresee: false, and the body must be
    /// parsed whole.
    pub(super) fn piece(
        &mut self,
        text: &str,
        (piece, prefix_lines): (usize, usize),
        shift: isize,
        check: bool,
    ) -> bool {
        let arena = Arena::new();
        let root = parse_document(&arena, text, &self.parse_options);
        if check && !chunk::ends_cleanly(root) {
            return false;
        }
        if let Some(notes) = &mut self.notes {
            if !notes.take(root, piece, prefix_lines, shift) {
                return false;
            }
        } else if shift != 0 {
            chunk::shift_lines(root, shift);
        }
        self.write(&arena, root, true);
        true
    }

    /// Walk the tree of a piece and write its HTML. With `new_line`, the
    /// HTML starts on a line of its own, as comrak starts every block; its
    /// footnote list does not.
    fn write<'a>(&mut self, arena: &'a Arena<'a>, root: &'a AstNode<'a>, new_line: bool) {
        let (opts, walk) = (self.opts, &mut self.walk);
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
                arena,
                root,
                &mut self.glossary_done,
                &mut walk.body.links,
            );
        }
        if opts.markdown.obsidian {
            callouts::callouts(arena, root);
            obsidian::block_ids(arena, root, &mut walk.body.block_ids);
            embeds::embeds(arena, root, &mut walk.body);
            obsidian::tags(arena, root, &mut walk.body);
        }
        embeds::diagrams(root);
        code_lines::annotate(root, opts.markdown.highlight());
        toc_markers(root, &walk.body.headings);
        if !opts.markdown.footnotes_at_bottom() {
            footnotes::in_place(arena, root, &mut self.footnote_numbers);
        }
        walk.links(root);
        self.plain.read(root);
        images::mark(
            root,
            &mut walk.body.images,
            opts.markdown.image_figures.unwrap_or(false),
        );

        let adapter = HeadingIds {
            ids: walk.body.headings[first_heading..]
                .iter()
                .zip(&walk.heading_classes[first_heading..])
                .map(|(h, classes)| (h.id.clone(), classes.clone()))
                .collect(),
            next: AtomicUsize::new(0),
            style: headings::AnchorStyle {
                mode: opts.markdown.insert_anchor_links.unwrap_or_default(),
                html: opts.markdown.anchor_link_html.as_deref().map(Vec::as_slice),
            },
        };
        let mut plugins = Plugins::default();
        plugins.render.heading_adapter = Some(&adapter);
        if highlighted {
            plugins.render.codefence_syntax_highlighter = Some(&highlight::Highlighter);
        }
        let mut html = String::new();
        format_html_with_plugins(root, self.options, &mut html, &plugins)
            .expect("writing to a String cannot fail");
        if let Some(attrs) = &self.external_attrs {
            html = html.replace("<a href=\"http", &format!("<a {attrs}href=\"http"));
        }
        if opts.markdown.lazy_async_image {
            html = html.replace("<img src=", "<img loading=\"lazy\" decoding=\"async\" src=");
        }
        // comrak starts a block on a new line; a heading's adapter ends
        // without one, and the next piece's first block cannot know. Raw
        // HTML (a callout's opening) follows straight on, in one parse too.
        let new_line = new_line
            && !root
                .first_child()
                .is_some_and(|c| matches!(c.data.borrow().value, NodeValue::Raw(_)));
        if new_line && !html.is_empty() && !self.html.is_empty() && !self.html.ends_with('\n') {
            self.html.push('\n');
        }
        self.html.push_str(&html);
    }

    pub(super) fn finish(mut self) -> Body {
        if let Some(notes) = self.notes.take()
            && let Some(list) = notes.list()
        {
            self.write(notes.arena(), list, false);
        }
        let mut body = self.walk.body;
        body.word_count = self.plain.words;
        body.text_start = self.plain.start;
        body.anchor_links = self.opts.markdown.insert_anchor_links.unwrap_or_default();
        body.anchor_html
            .clone_from(&self.opts.markdown.anchor_link_html);
        let mut html = self.html;
        summary_cut(&mut html, &mut body);
        // A large site holds every body at once: no slack capacity.
        html.shrink_to_fit();
        body.html = html;
        body
    }
}

/// Zola's summary marker: `<!-- more -->` in any case and spacing. What
/// comes before it is the summary (trailing space trimmed); in the content
/// it becomes `<span id="continue-reading"></span>`, which themes link to.
fn summary_cut(html: &mut String, body: &mut Body) {
    static MORE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?is)<!--\s*more\s*-->").expect("a valid pattern")
    });
    if let Some(m) = MORE.find(html) {
        body.summary = Some(html[..m.start()].trim_end().to_string());
        html.replace_range(m.range(), r#"<span id="continue-reading"></span>"#);
    }
}
