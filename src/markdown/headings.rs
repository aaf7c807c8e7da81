//! Heading ids and the table of contents.

use std::collections::HashSet;

use comrak::nodes::{AstNode, NodeValue};
use serde::Serialize;

use crate::config::{ANCHOR_ID, AnchorLinks};

/// One heading of a body.
#[derive(Debug, Clone, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
    /// 1-based line in the body.
    pub line: usize,
}

/// A table-of-contents entry with its sub-headings.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    /// Zola's: the page's permalink and `#id` (set by [`set_permalinks`]).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub permalink: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// Give every entry its permalink on the page at `page_permalink`.
pub fn set_permalinks(entries: &mut [TocEntry], page_permalink: &str) {
    for e in entries {
        e.permalink = format!("{page_permalink}#{}", e.id);
        set_permalinks(&mut e.children, page_permalink);
    }
}

/// Lowercase ASCII words joined by hyphens (`Deep Friction!` -> `deep-friction`).
pub fn slugify(text: &str) -> String {
    let s = slug::slugify(text);
    if s.is_empty() {
        "section".to_string()
    } else {
        s
    }
}

/// A heading's id. Headings in Latin script keep fascia's ASCII slug
/// (`Café & co` -> `cafe-co`); a heading with letters of another script gets
/// GitHub's id, which keeps them (`Привет, мир` -> `привет-мир`,
/// `日本語の見出し` stays as it is) instead of a transliteration.
pub fn heading_id(text: &str) -> String {
    if text.chars().any(|c| c.is_alphabetic() && !is_latin(c)) {
        let id = github_id(text);
        if !id.is_empty() {
            return id;
        }
    }
    slugify(text)
}

/// Latin letters and their combining marks, by Unicode block.
fn is_latin(c: char) -> bool {
    matches!(u32::from(c),
        0..=0x024F | 0x0300..=0x036F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0xFF21..=0xFF5A)
}

/// GitHub's heading id (github-slugger): lower case; letters, digits and
/// marks of any script, `-` and `_` kept; each space a `-`; the rest dropped.
pub fn github_id(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() || is_mark(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// Combining marks (Devanagari vowel signs, Hebrew points...): part of a word.
fn is_mark(c: char) -> bool {
    matches!(u32::from(c),
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05C7 | 0x0610..=0x061A | 0x064B..=0x065F
        | 0x0670 | 0x06D6..=0x06ED | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957
        | 0x0962..=0x0963 | 0x0981..=0x0983 | 0x09BC..=0x09D7 | 0x0A01..=0x0A51 | 0x0A81..=0x0ACD
        | 0x0B01..=0x0B57 | 0x0B82..=0x0BD7 | 0x0C00..=0x0C56 | 0x0C81..=0x0CD6 | 0x0D00..=0x0D57
        | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x0EB1..=0x0EBC | 0x0EC8..=0x0ECD
        | 0x0F18..=0x0F19 | 0x0F71..=0x0F84 | 0x102B..=0x103E | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF
        | 0x20D0..=0x20FF | 0x3099..=0x309A | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F)
}

/// Ids already used on a page.
#[derive(Debug, Default)]
pub struct IdSet {
    used: HashSet<String>,
    /// The suffix to try next for a base id: every smaller one is taken, so a
    /// page with many equal headings costs linear time, not quadratic.
    next: std::collections::HashMap<String, usize>,
}

impl IdSet {
    /// `id`, or `id-1`, `id-2`… (the first one free).
    pub fn unique(&mut self, id: String) -> String {
        if self.used.insert(id.clone()) {
            return id;
        }
        let n = self.next.entry(id.clone()).or_insert(1);
        loop {
            let cand = format!("{id}-{n}");
            *n += 1;
            if self.used.insert(cand.clone()) {
                return cand;
            }
        }
    }
}

/// A heading's attributes written after its text, `{#id .class}`.
#[derive(Debug, Default, PartialEq)]
pub struct HeadingAttrs {
    pub id: Option<String>,
    pub classes: Vec<String>,
}

/// Remove a trailing attribute block from a heading's last text node and
/// return it, as Zola does (pulldown-cmark's heading attributes): any
/// `{...}` ending the heading goes; in it, `#id` sets the id (the last
/// one wins), `.class` adds a class, and anything else (`key=value`,
/// words) is dropped.
pub fn take_attributes<'a>(heading: &'a AstNode<'a>) -> Option<HeadingAttrs> {
    let last = heading.last_child()?;
    let mut data = last.data.borrow_mut();
    let NodeValue::Text(text) = &mut data.value else {
        return None;
    };
    let trimmed = text.trim_end();
    let inner = trimmed.strip_suffix('}')?;
    let open = inner.rfind('{')?;
    let mut attrs = HeadingAttrs::default();
    for token in inner[open + 1..].split_whitespace() {
        if let Some(id) = token.strip_prefix('#').filter(|i| !i.is_empty()) {
            attrs.id = Some(id.to_string());
        } else if let Some(class) = token.strip_prefix('.').filter(|c| !c.is_empty()) {
            attrs.classes.push(class.to_string());
        }
    }
    let kept = trimmed[..open].trim_end().to_string();
    *text = kept.into();
    Some(attrs)
}

/// Zola's built-in `anchor-link.html`, used when neither the site nor its
/// theme has one.
const ZOLA_ANCHOR: &str =
    "<a class=\"zola-anchor\" href=\"#\u{E000}\" aria-label=\"Anchor link for: \u{E000}\">🔗</a>";

/// How heading anchors are written: where (`mode`) and with which HTML
/// (`html[level - 1]`, the id left as [`ANCHOR_ID`]; `None`: Zola's built-in).
#[derive(Debug, Clone, Copy)]
pub struct AnchorStyle<'a> {
    pub mode: AnchorLinks,
    pub html: Option<&'a [String]>,
}

/// The HTML written after `<hN id="...">` and before `</hN>` for an anchor
/// link, as Zola writes it: the anchor template's output at the start
/// (`left`) or the end (`right`), or its opening `<a ...>` tag around the
/// heading's text (`heading`).
pub fn anchor_markup(style: AnchorStyle, level: u8, id: &str) -> (String, String) {
    if style.mode == AnchorLinks::None {
        return (String::new(), String::new());
    }
    let pattern = style
        .html
        .and_then(|h| h.get(usize::from(level.clamp(1, 6)) - 1))
        .map_or(ZOLA_ANCHOR, String::as_str);
    let link = pattern.replace(ANCHOR_ID, id);
    match style.mode {
        AnchorLinks::Right => (String::new(), link),
        AnchorLinks::Left => (link, String::new()),
        AnchorLinks::Heading => match opening_a(&link) {
            Some(open) => (open.to_string(), "</a>".to_string()),
            None => (String::new(), String::new()),
        },
        AnchorLinks::None => (String::new(), String::new()),
    }
}

/// The first `<a ...>` tag of `html` (Zola's `heading` mode keeps only it).
fn opening_a(html: &str) -> Option<&str> {
    let start = html.find("<a")?;
    let end = start + html[start..].find('>')?;
    Some(&html[start..=end])
}

/// Rewrite the anchor links of `html` (written in mode `from` for
/// `headings`, in order) in mode `to`: a section's `insert_anchor_links`.
pub fn restyle_anchors(
    html: &str,
    headings: &[Heading],
    from: AnchorStyle,
    to: AnchorStyle,
) -> String {
    if from.mode == to.mode {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    for h in headings {
        // `<hN id="x">`, or `<hN id="x" class="...">`.
        let start_tag = format!("<h{} id=\"{}\"", h.level, h.id);
        let end_tag = format!("</h{}>", h.level);
        let (old_open, old_close) = anchor_markup(from, h.level, &h.id);
        let (new_open, new_close) = anchor_markup(to, h.level, &h.id);
        let Some(at) = rest.find(&start_tag) else {
            break;
        };
        let Some(gt) = rest[at..].find('>') else {
            break;
        };
        let inner_start = at + gt + 1;
        let Some(end_rel) = rest[inner_start..].find(&end_tag) else {
            break;
        };
        let inner = &rest[inner_start..inner_start + end_rel];
        let inner = inner.strip_prefix(old_open.as_str()).unwrap_or(inner);
        let inner = inner.strip_suffix(old_close.as_str()).unwrap_or(inner);
        out.push_str(&rest[..inner_start]);
        out.push_str(&new_open);
        out.push_str(inner);
        out.push_str(&new_close);
        out.push_str(&end_tag);
        rest = &rest[inner_start + end_rel + end_tag.len()..];
    }
    out.push_str(rest);
    out
}

/// Nest flat headings into a tree by level.
pub fn toc(headings: &[Heading]) -> Vec<TocEntry> {
    fn insert(list: &mut Vec<TocEntry>, entry: TocEntry) {
        if let Some(last) = list.last_mut()
            && entry.level > last.level
        {
            insert(&mut last.children, entry);
            return;
        }
        list.push(entry);
    }
    let mut out = Vec::new();
    for h in headings {
        insert(
            &mut out,
            TocEntry {
                level: h.level,
                id: h.id.clone(),
                permalink: String::new(),
                title: h.title.clone(),
                children: Vec::new(),
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(level: u8, id: &str) -> Heading {
        Heading {
            level,
            id: id.into(),
            title: id.into(),
            line: 1,
        }
    }

    #[test]
    fn toc_nests_by_level() {
        let t = toc(&[h(2, "a"), h(3, "a1"), h(3, "a2"), h(2, "b"), h(4, "b1")]);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].children.len(), 2);
        assert_eq!(t[1].children[0].id, "b1");
    }

    fn style(mode: AnchorLinks) -> AnchorStyle<'static> {
        AnchorStyle { mode, html: None }
    }

    #[test]
    fn anchors_move_left_or_go() {
        let heads = [h(2, "a"), h(3, "b")];
        let (_, close_a) = anchor_markup(style(AnchorLinks::Right), 2, "a");
        let (_, close_b) = anchor_markup(style(AnchorLinks::Right), 3, "b");
        let html =
            format!("<h2 id=\"a\">A{close_a}</h2><p>x</p><h3 id=\"b\" class=\"c\">B{close_b}</h3>");
        let right = style(AnchorLinks::Right);
        let left = restyle_anchors(&html, &heads, right, style(AnchorLinks::Left));
        assert!(
            left.starts_with(
                "<h2 id=\"a\"><a class=\"zola-anchor\" href=\"#a\" aria-label=\"Anchor link for: a\">🔗</a>A</h2>"
            ),
            "{left}"
        );
        // A heading with classes (`{.c}`) too.
        assert!(
            left.contains("<h3 id=\"b\" class=\"c\"><a class=\"zola-anchor\""),
            "{left}"
        );
        assert!(left.contains("🔗</a>B</h3>"), "{left}");
        let left = left.replace(" class=\"c\"", "");
        let none = restyle_anchors(
            &left,
            &heads,
            style(AnchorLinks::Left),
            style(AnchorLinks::None),
        );
        assert_eq!(none, "<h2 id=\"a\">A</h2><p>x</p><h3 id=\"b\">B</h3>");
        let whole = restyle_anchors(
            &none,
            &heads,
            style(AnchorLinks::None),
            style(AnchorLinks::Heading),
        );
        assert!(whole.contains(
            "<h3 id=\"b\"><a class=\"zola-anchor\" href=\"#b\" aria-label=\"Anchor link for: b\">B</a></h3>"
        ));
    }

    #[test]
    fn a_theme_anchor_template_gives_the_markup_per_level() {
        let html = vec![
            format!("<a href=\"#{ANCHOR_ID}\">h1</a>"),
            format!(" <a class=\"anchor\" href=\"#{ANCHOR_ID}\">#</a>"),
        ];
        let s = AnchorStyle {
            mode: AnchorLinks::Right,
            html: Some(&html),
        };
        assert_eq!(anchor_markup(s, 1, "x").1, "<a href=\"#x\">h1</a>");
        assert_eq!(
            anchor_markup(s, 2, "y").1,
            " <a class=\"anchor\" href=\"#y\">#</a>"
        );
        let s = AnchorStyle {
            mode: AnchorLinks::Heading,
            ..s
        };
        assert_eq!(
            anchor_markup(s, 2, "y"),
            ("<a class=\"anchor\" href=\"#y\">".into(), "</a>".into())
        );
    }

    #[test]
    fn non_latin_headings_keep_their_letters_as_github_does() {
        assert_eq!(heading_id("Привет, мир"), "привет-мир");
        assert_eq!(heading_id("日本語の見出し"), "日本語の見出し");
        assert_eq!(heading_id("Rust と 日本語!"), "rust-と-日本語");
        assert_eq!(heading_id("हिन्दी भाषा"), "हिन्दी-भाषा");
        assert_eq!(heading_id("Ελληνικά (1)"), "ελληνικά-1");
        // Latin script keeps fascia's ASCII slug, so existing links hold.
        assert_eq!(heading_id("Café & co"), "cafe-co");
        assert_eq!(
            heading_id("What the Evidence Says!"),
            "what-the-evidence-says"
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("What the Evidence Says!"), "what-the-evidence-says");
        assert_eq!(slugify("Café & co"), "cafe-co");
    }
}
