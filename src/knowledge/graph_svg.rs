//! The local link graph of a page as an SVG drawn at build time: the page in
//! the middle, pages linking to it on the left, pages it links to on the
//! right (pages doing both on the right, with a two-way arrow). One row per
//! neighbour, so labels never overlap; every node is a link. No JavaScript.

use std::fmt::Write as _;

use crate::site::{DocId, Site};

const WIDTH: u32 = 640;
const ROW: u32 = 26;
const MAX_PER_SIDE: usize = 12;
/// Labels are cut so they fit in their 190-unit column at the theme's text size.
const LABEL_CHARS: usize = 26;

/// The SVG for `id`, or `None` when it has no internal links either way.
pub fn render(site: &Site, id: DocId) -> Option<String> {
    let slot = site.slot(id);
    let outgoing = site.graph.outgoing.get(slot)?;
    let incoming: Vec<DocId> = site
        .graph
        .backlinks
        .get(slot)?
        .iter()
        .map(|b| b.source)
        .collect();
    let mut right: Vec<(DocId, bool)> = outgoing
        .iter()
        .map(|&t| (t, incoming.contains(&t)))
        .collect();
    let mut left: Vec<DocId> = incoming
        .iter()
        .copied()
        .filter(|s| !outgoing.contains(s))
        .collect();
    if right.is_empty() && left.is_empty() {
        return None;
    }
    right.sort_by(|a, b| site.title_of(a.0).cmp(site.title_of(b.0)));
    left.sort_by(|a, b| site.title_of(*a).cmp(site.title_of(*b)));
    let more_right = right.len().saturating_sub(MAX_PER_SIDE);
    let more_left = left.len().saturating_sub(MAX_PER_SIDE);
    right.truncate(MAX_PER_SIDE);
    left.truncate(MAX_PER_SIDE);
    let rows = right.len().max(left.len()) + usize::from(more_right > 0 || more_left > 0);
    let height = (rows as u32).max(3) * ROW + 2 * ROW;
    let cy = height / 2;
    let cx = WIDTH / 2;
    let mut s = String::with_capacity(4096);
    let title = esc(site.title_of(id));
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"link-graph\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" aria-labelledby=\"lg-title\"><title id=\"lg-title\">Pages linking to and from {title}</title>"
    );
    let y_of = |i: usize, n: usize| -> u32 {
        let top = cy - (n as u32 * ROW) / 2 + ROW / 2;
        top + i as u32 * ROW
    };
    for (i, &src) in left.iter().enumerate() {
        let y = y_of(i, left.len());
        let _ = write!(
            s,
            "<line class=\"edge in\" x1=\"200\" y1=\"{y}\" x2=\"{}\" y2=\"{cy}\"/>",
            cx - 70
        );
        node(&mut s, site, src, 196, y, "end");
    }
    for (i, &(t, both)) in right.iter().enumerate() {
        let y = y_of(i, right.len());
        let class = if both { "edge both" } else { "edge out" };
        let _ = write!(
            s,
            "<line class=\"{class}\" x1=\"{}\" y1=\"{cy}\" x2=\"440\" y2=\"{y}\"/>",
            cx + 70
        );
        node(&mut s, site, t, 444, y, "start");
    }
    let _ = write!(
        s,
        "<g class=\"node current\"><rect x=\"{}\" y=\"{}\" width=\"140\" height=\"28\" rx=\"6\"/><text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
        cx - 70,
        cy - 14,
        cy + 5,
        esc(&short(site.title_of(id), 18))
    );
    if more_left > 0 {
        let _ = write!(
            s,
            "<text class=\"more\" x=\"196\" y=\"{}\" text-anchor=\"end\">and {more_left} more</text>",
            height - ROW / 2
        );
    }
    if more_right > 0 {
        let _ = write!(
            s,
            "<text class=\"more\" x=\"444\" y=\"{}\">and {more_right} more</text>",
            height - ROW / 2
        );
    }
    s.push_str("</svg>");
    Some(s)
}

fn node(s: &mut String, site: &Site, id: DocId, x: u32, y: u32, anchor: &str) {
    let full = esc(site.title_of(id));
    let _ = write!(
        s,
        "<a href=\"{}\"><g class=\"node\"><title>{full}</title><circle cx=\"{}\" cy=\"{y}\" r=\"4\"/><text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text></g></a>",
        esc(&site.permalink_of(id)),
        if anchor == "end" { x + 4 } else { x - 4 },
        if anchor == "end" { x - 6 } else { x + 6 },
        y + 4,
        esc(&short(site.title_of(id), LABEL_CHARS))
    );
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
