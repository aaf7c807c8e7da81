//! The walk over a body's tree: headings, links and the sentence around
//! each link.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) struct Walker {
    pub(super) body: Body,
    pub(super) folder_depth: usize,
    pub(super) ids: headings::IdSet,
    /// Each heading's classes (`{.class}`), space-separated, in step with
    /// `body.headings`.
    pub(super) heading_classes: Vec<String>,
    /// The plain text of the block the last link was in, kept for the
    /// block's other links.
    pub(super) block: Option<BlockText>,
}

/// A block's plain text and where each link in it starts.
pub(super) struct BlockText {
    /// The block node's address, as an identity.
    pub(super) key: usize,
    pub(super) text: String,
    /// Link node's address -> byte offset of its text in `text`.
    pub(super) links: std::collections::HashMap<usize, usize>,
}

impl Walker {
    pub(super) fn headings<'a>(&mut self, root: &'a AstNode<'a>) {
        for node in root.descendants() {
            let (level, line) = {
                let data = node.data.borrow();
                match &data.value {
                    NodeValue::Heading(h) => (h.level, data.sourcepos.start.line),
                    _ => continue,
                }
            };
            let attrs = headings::take_attributes(node).unwrap_or_default();
            let title = collect_plain(node).trim().to_string();
            let id = self
                .ids
                .unique(attrs.id.unwrap_or_else(|| headings::heading_id(&title)));
            self.heading_classes.push(attrs.classes.join(" "));
            self.body.headings.push(Heading {
                level,
                id,
                title,
                line,
            });
        }
    }

    pub(super) fn links<'a>(&mut self, root: &'a AstNode<'a>) {
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
    pub(super) fn note_outside(&mut self, url: &str) {
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            self.body.outside_urls.push(url.to_string());
        }
    }

    /// Record a [`LinkKind::Url`] link (its HTML keeps the URL as written).
    pub(super) fn record_url<'a>(
        &mut self,
        node: &'a AstNode<'a>,
        url: String,
        at: (usize, usize),
    ) {
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
    pub(super) fn raw_html_urls<'a>(&mut self, node: &'a AstNode<'a>, html: &str, pos: Sourcepos) {
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

impl Walker {
    /// The sentence containing the link `node`, from its enclosing block's
    /// plain text (read once per block, however many links it has).
    pub(super) fn sentence_around<'a>(&mut self, node: &'a AstNode<'a>) -> String {
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
pub(super) const SENTENCE_WINDOW: usize = 1024;

/// `i`, or the nearest character boundary of `s` below it.
pub(super) fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The sentence around the boundary between `before` and `after` (a link's
/// start), whitespace collapsed, at most 300 characters.
pub(super) fn sentence_at(before: &str, after: &str) -> String {
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
    // Runs of white space made one space, and none at either end.
    let (before, after) = (&before[start..], &after[..end]);
    let mut sentence = String::with_capacity(before.len() + after.len());
    let mut chars = 0;
    let mut space = false;
    for c in before.chars().chain(after.chars()) {
        if c.is_whitespace() {
            space = chars > 0;
            continue;
        }
        if space {
            sentence.push(' ');
            chars += 1;
            space = false;
        }
        sentence.push(c);
        chars += 1;
    }
    if chars > 300
        && let Some((cut, _)) = sentence.char_indices().nth(297)
    {
        sentence.truncate(cut);
        sentence.push('…');
    }
    sentence
}

#[cfg(test)]
mod tests {
    use super::sentence_at;

    #[test]
    fn a_sentence_is_cut_at_full_stops_with_its_white_space_made_single() {
        assert_eq!(
            sentence_at("First one. The  second\n", "links here! Third."),
            "The second links here!"
        );
        assert_eq!(sentence_at("  lead\u{a0}", " tail  "), "lead tail");
        assert_eq!(sentence_at("No stop", " at all"), "No stop at all");
        assert_eq!(sentence_at("", ""), "");
        assert_eq!(sentence_at("Ends. ", "   "), "");
        // e.g. is not an end: no space after its first full stop.
        assert_eq!(sentence_at("See e.g.", "x. Next."), "See e.g.x.");
    }

    #[test]
    fn a_long_sentence_is_cut_to_300_characters() {
        let long = "é ".repeat(400);
        let s = sentence_at(&long, "end.");
        assert_eq!(s.chars().count(), 298);
        assert!(s.ends_with('…') && s.starts_with("é é"), "{s}");
        let exactly = "x".repeat(300);
        assert_eq!(sentence_at(&exactly, ""), exactly);
        let over = "x".repeat(301);
        assert_eq!(sentence_at(&over, "").chars().count(), 298);
    }
}
