//! Obsidian transclusions in finished bodies: each marker
//! `<!--fascia:embed:N-->` (see [`crate::markdown::EMBED_MARKER`]) is
//! replaced with the body of link N's note, or the section under its
//! heading, or its block (`^id`), links resolved. A note already being
//! shown further up, or a chain deeper than [`MAX_EMBED_DEPTH`], stops the
//! expansion: the embed's link to its source stays, and the link stage has
//! warned about the circle ([`crate::links::embed_cycles`]).

use crate::links::{MAX_EMBED_DEPTH, ResolvedLink};
use crate::markdown::EMBED_MARKER;
use crate::site::{DocId, Site};

/// `html` with its transclusion markers expanded; `stack` holds the notes
/// being shown around it.
pub fn expand(
    html: String,
    links: &[ResolvedLink],
    site: &Site,
    stack: &mut Vec<(DocId, Option<String>)>,
) -> String {
    if !html.contains(EMBED_MARKER) {
        return html;
    }
    let mut out = String::with_capacity(html.len() * 2);
    let mut rest = html.as_str();
    while let Some(i) = rest.find(EMBED_MARKER) {
        out.push_str(&rest[..i]);
        let after = &rest[i + EMBED_MARKER.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let n: usize = after[..digits].parse().unwrap_or(usize::MAX);
        let end = after[digits..]
            .find("-->")
            .map_or(after.len(), |e| digits + e + 3);
        rest = &after[end..];
        let Some(t) = links.get(n).and_then(|l| l.target) else {
            continue; // unresolved: reported by the link stage
        };
        let anchor = links[n].anchor.clone();
        // The same part again (or its whole note) closes a circle.
        let open = stack
            .iter()
            .any(|(d, a)| *d == t && (a.is_none() || *a == anchor || anchor.is_none()));
        if open || stack.len() >= MAX_EMBED_DEPTH {
            continue;
        }
        stack.push((t, anchor));
        let inner_links = &site.graph.resolved[site.slot(t)];
        let inner = super::substitute_only(&site.doc(t).body.html(), inner_links, site);
        let part = match links[n].anchor.as_deref() {
            Some(a) => cut(&inner, a).map(str::to_string),
            None => Some(inner),
        };
        if let Some(part) = part {
            let shown = expand(part, inner_links, site, stack);
            out.push_str("<div class=\"transclusion-content\">\n");
            // The host page keeps its own ids unique.
            out.push_str(&shown.replace(" id=\"", " data-id=\""));
            if !shown.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("</div>\n");
        }
        stack.pop();
    }
    out.push_str(rest);
    out
}

/// The part of a body an anchor names: a heading's section (up to the next
/// heading of the same or a higher level) or the block holding `^id`.
pub fn cut<'h>(html: &'h str, anchor: &str) -> Option<&'h str> {
    if anchor.starts_with('^') {
        let at = html.find(&format!(" id=\"{anchor}\""))?;
        let before = &html[..at];
        let p = before.rfind("<p>").into_iter().chain(before.rfind("<p "));
        let li = before.rfind("<li>").into_iter().chain(before.rfind("<li "));
        let (start, tag) = p
            .map(|i| (i, "p"))
            .chain(li.map(|i| (i, "li")))
            .max_by_key(|(i, _)| *i)?;
        let end = element_end(html, start, tag)?;
        return Some(&html[start..end]);
    }
    let needle_at =
        (1..=6).find_map(|l| html.find(&format!("<h{l} id=\"{anchor}\"")).map(|i| (i, l)));
    let (start, level) = needle_at?;
    let mut end = html.len();
    let mut from = start + 3;
    while let Some(i) = html[from..].find("<h") {
        let at = from + i;
        let next = html.as_bytes().get(at + 2).copied().unwrap_or(b'x');
        if (b'1'..=b'6').contains(&next) && usize::from(next - b'0') <= level {
            end = at;
            break;
        }
        from = at + 2;
    }
    Some(&html[start..end])
}

/// The byte after the element `<tag` opened at `start` closes, counting
/// nested elements of the same name.
fn element_end(html: &str, start: usize, tag: &str) -> Option<usize> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut depth = 0usize;
    let mut i = start;
    loop {
        let next_open = html[i..].find(&open).map(|o| i + o);
        let next_close = html[i..].find(&close).map(|c| i + c)?;
        match next_open {
            Some(o) if o < next_close && is_tag_start(html, o + open.len()) => {
                depth += 1;
                i = o + open.len();
            }
            Some(o) if o < next_close => i = o + open.len(),
            _ => {
                depth = depth.saturating_sub(1);
                i = next_close + close.len();
                if depth == 0 {
                    return Some(i);
                }
            }
        }
    }
}

/// Whether the byte at `at` ends a tag name (`<li>` or `<li ` but not `<link`).
fn is_tag_start(html: &str, at: usize) -> bool {
    matches!(html.as_bytes().get(at), Some(b'>' | b' ' | b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_blocks_are_cut() {
        let html = "<h2 id=\"a\">A</h2>\n<p>one</p>\n<h3 id=\"b\">B</h3>\n<p>two</p>\n<h2 id=\"c\">C</h2>\n<ul>\n<li>x<ul><li><span class=\"block-id\" id=\"^k\"></span>y</li></ul></li>\n</ul>\n";
        assert_eq!(
            cut(html, "a"),
            Some("<h2 id=\"a\">A</h2>\n<p>one</p>\n<h3 id=\"b\">B</h3>\n<p>two</p>\n")
        );
        assert_eq!(cut(html, "b"), Some("<h3 id=\"b\">B</h3>\n<p>two</p>\n"));
        assert_eq!(
            cut(html, "^k"),
            Some("<li><span class=\"block-id\" id=\"^k\"></span>y</li>")
        );
        assert_eq!(cut(html, "zz"), None);
        let p = "<p>x</p><p><span class=\"block-id\" id=\"^q\"></span>para</p>";
        assert_eq!(
            cut(p, "^q"),
            Some("<p><span class=\"block-id\" id=\"^q\"></span>para</p>")
        );
    }
}
