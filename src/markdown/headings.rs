//! Heading ids and the table of contents.

use std::collections::HashSet;

use comrak::nodes::{AstNode, NodeValue};
use serde::Serialize;

use crate::config::AnchorLinks;

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
    pub title: String,
    pub children: Vec<TocEntry>,
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

/// Remove a trailing `{#id}` from a heading's last text node and return the id.
pub fn take_explicit_id<'a>(heading: &'a AstNode<'a>) -> Option<String> {
    let last = heading.last_child()?;
    let mut data = last.data.borrow_mut();
    let NodeValue::Text(text) = &mut data.value else {
        return None;
    };
    let trimmed = text.trim_end();
    if !trimmed.ends_with('}') {
        return None;
    }
    let open = trimmed.rfind("{#")?;
    let id = trimmed[open + 2..trimmed.len() - 1].trim().to_string();
    if id.is_empty() || id.contains(char::is_whitespace) {
        return None;
    }
    let kept = trimmed[..open].trim_end().to_string();
    *text = kept.into();
    Some(id)
}

/// The HTML written after `<hN id="...">` and before `</hN>` for an anchor
/// link in `mode`.
pub fn anchor_markup(mode: AnchorLinks, id: &str) -> (String, String) {
    match mode {
        AnchorLinks::Right => (
            String::new(),
            format!(
                " <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a>"
            ),
        ),
        AnchorLinks::Left => (
            format!(
                "<a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a> "
            ),
            String::new(),
        ),
        AnchorLinks::Heading => (
            format!("<a class=\"anchor-heading\" href=\"#{id}\">"),
            "</a>".to_string(),
        ),
        AnchorLinks::None => (String::new(), String::new()),
    }
}

/// Rewrite the anchor links of `html` (written in mode `from` for
/// `headings`, in order) in mode `to`: a section's `insert_anchor_links`.
pub fn restyle_anchors(
    html: &str,
    headings: &[Heading],
    from: AnchorLinks,
    to: AnchorLinks,
) -> String {
    if from == to {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    for h in headings {
        let start_tag = format!("<h{} id=\"{}\">", h.level, h.id);
        let end_tag = format!("</h{}>", h.level);
        let (old_open, old_close) = anchor_markup(from, &h.id);
        let (new_open, new_close) = anchor_markup(to, &h.id);
        let Some(at) = rest.find(&start_tag) else {
            break;
        };
        let inner_start = at + start_tag.len();
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

    #[test]
    fn anchors_move_left_or_go() {
        let heads = [h(2, "a"), h(3, "b")];
        let (_, close_a) = anchor_markup(AnchorLinks::Right, "a");
        let (_, close_b) = anchor_markup(AnchorLinks::Right, "b");
        let html = format!("<h2 id=\"a\">A{close_a}</h2><p>x</p><h3 id=\"b\">B{close_b}</h3>");
        let left = restyle_anchors(&html, &heads, AnchorLinks::Right, AnchorLinks::Left);
        assert!(
            left.starts_with("<h2 id=\"a\"><a class=\"anchor\" href=\"#a\""),
            "{left}"
        );
        assert!(left.contains("#</a> B</h3>"), "{left}");
        let none = restyle_anchors(&left, &heads, AnchorLinks::Left, AnchorLinks::None);
        assert_eq!(none, "<h2 id=\"a\">A</h2><p>x</p><h3 id=\"b\">B</h3>");
        let whole = restyle_anchors(&none, &heads, AnchorLinks::None, AnchorLinks::Heading);
        assert!(whole.contains("<h3 id=\"b\"><a class=\"anchor-heading\" href=\"#b\">B</a></h3>"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("What the Evidence Says!"), "what-the-evidence-says");
        assert_eq!(slugify("Café & co"), "cafe-co");
    }
}
