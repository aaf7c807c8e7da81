//! Obsidian embeds and file links, read when the site sets `obsidian = true`,
//! and ```` ```mermaid ```` diagrams (every site).
//!
//! - `![[image.png]]`, `![[image.png|100x145]]`, `![[image.png|100]]`,
//!   `![[image.png|alt text|100]]`: an `<img>` (width and height from the
//!   size); audio and video files an `<audio>` / `<video>` player; any other
//!   file (`![[file.pdf]]`, `[[file.pdf]]`) a link to it. The file is found by
//!   its name or path among content's files by the link stage
//!   ([`LinkKind::File`]); its URL fills the `src` or `href` placeholder.
//! - `![[Note]]`, `![[Note#Heading]]`, `![[Note#^block]]` on a line of their
//!   own: a transclusion, `<div class="transclusion">` holding a link to the
//!   source and the marker `<!--fascia:embed:N-->` ([`EMBED_MARKER`]) that
//!   the render stage replaces with the note, the heading's section or the
//!   block ([`LinkKind::Embed`]). Inside a sentence it is a link.

use std::fmt::Write as _;

use comrak::Arena;
use comrak::nodes::{Ast, AstNode, NodeValue, Sourcepos};

use super::callouts::escape;
use super::{Body, LINK_PLACEHOLDER, LinkKind, LinkRef, collect_plain, highlight};

/// The start of the marker a transclusion leaves in body HTML:
/// `<!--fascia:embed:N-->`, N the link's index.
pub const EMBED_MARKER: &str = "<!--fascia:embed:";

const IMAGES: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp"];
const AUDIO: &[&str] = &["mp3", "wav", "m4a", "ogg", "3gp", "flac"];
const VIDEO: &[&str] = &["mp4", "webm", "ogv", "mov", "mkv"];

/// The extension of a wikilink target that names a file other than a note
/// (`image.png` -> `png`), lowercased; `None` for notes (`Note`, `Note.md`,
/// `v1.2 notes` is a note: extensions are letters and digits, up to 5).
pub fn file_extension(name: &str) -> Option<String> {
    let last = name.rsplit('/').next().unwrap_or(name);
    let (stem, ext) = last.rsplit_once('.')?;
    let ok = !stem.is_empty()
        && (1..=5).contains(&ext.len())
        && ext.chars().all(|c| c.is_ascii_alphanumeric())
        && ext.chars().any(|c| c.is_ascii_alphabetic());
    let ext = ext.to_ascii_lowercase();
    (ok && ext != "md").then_some(ext)
}

/// Markdown images and links to a vault's files by a relative path
/// (`![alt](diagram.png)`, `[notes](Files/notes.pdf)`): Obsidian finds them
/// from the note's folder, then by name in any folder; so does the link
/// stage, as [`LinkKind::File`].
fn markdown_files<'a>(root: &'a AstNode<'a>, body: &mut Body) {
    for node in root.descendants() {
        let mut data = node.data.borrow_mut();
        let pos = data.sourcepos;
        let (NodeValue::Image(link) | NodeValue::Link(link)) = &mut data.value else {
            continue;
        };
        let url = link.url.as_str();
        if url.starts_with('/') || super::classify(url) != LinkKind::Url {
            continue;
        }
        let path = url.split(['#', '?']).next().unwrap_or("");
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        if file_extension(&decoded).is_none_or(|e| e == "html" || e == "htm") {
            continue;
        }
        let n = body.links.len();
        body.links.push(LinkRef {
            kind: LinkKind::File,
            target: decoded.into_owned(),
            line: pos.start.line,
            column: pos.start.column,
            text: String::new(),
            sentence: String::new(),
        });
        link.url = format!("{LINK_PLACEHOLDER}{n}");
    }
}

/// Replace embeds and file wikilinks under `root` with their HTML, recording
/// their links in `body`; Markdown links to files are found as Obsidian
/// finds them ([`markdown_files`]).
pub fn embeds<'a>(arena: &'a Arena<'a>, root: &'a AstNode<'a>, body: &mut Body) {
    markdown_files(root, body);
    let nodes: Vec<&'a AstNode<'a>> = root
        .descendants()
        .filter(|n| matches!(n.data.borrow().value, NodeValue::WikiLink(_)))
        .collect();
    for node in nodes {
        let (url, embed, pos) = {
            let d = node.data.borrow();
            let NodeValue::WikiLink(w) = &d.value else {
                continue;
            };
            (w.url.trim().to_string(), w.embed, d.sourcepos)
        };
        let name = url.split('#').next().unwrap_or("").trim().to_string();
        let ext = file_extension(&name);
        if ext.is_none() && !embed {
            continue; // an ordinary wikilink: the walker's
        }
        let label = collect_plain(node).trim().to_string();
        let n = body.links.len();
        let (kind, html, block) = match &ext {
            Some(ext) => (
                LinkKind::File,
                file_html(ext, embed, n, &name, &label, &url),
                false,
            ),
            None if standalone(node) => (LinkKind::Embed, transclusion_html(n, &label), true),
            None => (LinkKind::Wiki, link_html(n, &label, "internal"), false),
        };
        body.links.push(LinkRef {
            kind,
            target: if ext.is_some() { name } else { url },
            line: pos.start.line,
            column: pos.start.column,
            text: label,
            sentence: String::new(),
        });
        replace(arena, node, html, block, pos);
    }
}

/// Put `html` where `node` is: in its place inline, or, for a block, before
/// its paragraph (which goes when nothing else is left in it).
fn replace<'a>(
    arena: &'a Arena<'a>,
    node: &'a AstNode<'a>,
    html: String,
    block: bool,
    pos: Sourcepos,
) {
    let raw = arena.alloc(Ast::new_with_sourcepos(NodeValue::Raw(html), pos).into());
    match node.parent() {
        Some(p) if block => {
            p.insert_before(raw);
            node.detach();
            if p.children().all(is_blank) {
                p.detach();
            }
        }
        _ => {
            node.insert_before(raw);
            node.detach();
        }
    }
}

fn is_blank<'a>(n: &'a AstNode<'a>) -> bool {
    match &n.data.borrow().value {
        NodeValue::SoftBreak | NodeValue::LineBreak => true,
        NodeValue::Text(t) => t.trim().is_empty(),
        _ => false,
    }
}

/// Whether an embed is alone on its lines (its paragraph holds only note
/// embeds and blanks): then it is a block.
fn standalone<'a>(node: &'a AstNode<'a>) -> bool {
    let Some(p) = node.parent() else {
        return false;
    };
    if !matches!(p.data.borrow().value, NodeValue::Paragraph) {
        return false;
    }
    p.children().all(|c| {
        is_blank(c)
            || matches!(&c.data.borrow().value, NodeValue::WikiLink(w)
                if w.embed && file_extension(w.url.split('#').next().unwrap_or("")).is_none())
    })
}

fn link_html(n: usize, label: &str, class: &str) -> String {
    format!(
        "<a class=\"{class}\" href=\"{LINK_PLACEHOLDER}{n}\">{}</a>",
        escape(label)
    )
}

fn transclusion_html(n: usize, label: &str) -> String {
    format!(
        "<div class=\"transclusion\">\n<p class=\"transclusion-source\">{}</p>\n{EMBED_MARKER}{n}-->\n</div>\n",
        link_html(n, label, "internal")
    )
}

/// A width and height from `100x145` or `100`.
fn size(s: &str) -> Option<(u32, Option<u32>)> {
    let s = s.trim();
    match s.split_once('x') {
        Some((w, h)) => Some((w.trim().parse().ok()?, Some(h.trim().parse().ok()?))),
        None => Some((s.parse().ok()?, None)),
    }
}

/// The HTML of a file embed or link. `label` is the text after `|` (or the
/// target itself when there is none).
fn file_html(ext: &str, embed: bool, n: usize, name: &str, label: &str, url: &str) -> String {
    let file_name = name.rsplit('/').next().unwrap_or(name);
    let has_label = label != url && !label.is_empty();
    if !embed {
        let shown = if has_label { label } else { file_name };
        return link_html(n, shown, "internal-file");
    }
    // `alt|100x145`, `100x145` or `alt`.
    let (alt, dims) = if has_label {
        match label.rsplit_once('|') {
            Some((alt, s)) if size(s).is_some() => (alt.trim(), size(s)),
            _ if size(label).is_some() => ("", size(label)),
            _ => (label, None),
        }
    } else {
        ("", None)
    };
    let src = format!("{LINK_PLACEHOLDER}{n}");
    if IMAGES.contains(&ext) {
        let alt = if alt.is_empty() {
            file_name.rsplit_once('.').map_or(file_name, |(s, _)| s)
        } else {
            alt
        };
        let mut html = format!("<img src=\"{src}\" alt=\"{}\"", escape(alt));
        if let Some((w, h)) = dims {
            let _ = write!(html, " width=\"{w}\"");
            if let Some(h) = h {
                let _ = write!(html, " height=\"{h}\"");
            }
        }
        html.push('>');
        html
    } else if AUDIO.contains(&ext) {
        format!("<audio controls src=\"{src}\"></audio>")
    } else if VIDEO.contains(&ext) {
        format!("<video controls src=\"{src}\"></video>")
    } else {
        let shown = if alt.is_empty() { file_name } else { alt };
        link_html(n, shown, "internal-file embed-file")
    }
}

/// ```` ```mermaid ```` fences become `<pre class="mermaid">` (the theme loads
/// the diagram library on pages that have one).
pub fn diagrams<'a>(root: &'a AstNode<'a>) {
    for node in root.descendants() {
        let mut data = node.data.borrow_mut();
        let NodeValue::CodeBlock(cb) = &data.value else {
            continue;
        };
        if !cb.fenced || highlight::fence_language(&cb.info) != "mermaid" {
            continue;
        }
        let html = format!("<pre class=\"mermaid\">{}</pre>\n", escape(&cb.literal));
        data.value = NodeValue::Raw(html);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_extensions_name_files_not_notes() {
        assert_eq!(file_extension("Engelbart.jpg").as_deref(), Some("jpg"));
        assert_eq!(file_extension("a/Document.PDF").as_deref(), Some("pdf"));
        assert_eq!(file_extension("Note"), None);
        assert_eq!(file_extension("Note.md"), None);
        assert_eq!(file_extension("v1.2"), None);
        assert_eq!(file_extension("Release 1.0 notes"), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(size("100x145"), Some((100, Some(145))));
        assert_eq!(size("100"), Some((100, None)));
        assert_eq!(size("wide"), None);
    }
}
