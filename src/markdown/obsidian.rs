//! Obsidian's own Markdown, read when the site sets `obsidian = true`:
//! `%%comments%%` (inline or over several lines) are removed before
//! parsing, outside code, with line numbers kept; block ids (`^id` ending a
//! paragraph or list item) become anchors `^id` with the marker hidden;
//! inline `#tags` become links to their page of the `tags` taxonomy.
//! (`==mark==` is comrak's `highlight` extension; wikilinks by file name or
//! heading text are resolved by the link stage; callouts and embeds have
//! their own modules.)

use std::borrow::Cow;

use comrak::Arena;
use comrak::nodes::{Ast, AstNode, NodeValue};

use super::{Body, LINK_PLACEHOLDER, LinkKind, LinkRef};

/// `src` without its `%%...%%` comments. Fenced code and inline code are
/// left alone; the newlines of a comment stay, so positions still match.
pub fn strip_comments(src: &str) -> Cow<'_, str> {
    if !src.contains("%%") {
        return Cow::Borrowed(src);
    }
    let mut out = String::with_capacity(src.len());
    let mut fence: Option<String> = None;
    let mut in_comment = false;
    for line in src.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if !in_comment {
            if let Some(f) = &fence {
                if trimmed.starts_with(f.as_str()) {
                    fence = None;
                }
                out.push_str(line);
                continue;
            }
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                let ch = trimmed.chars().next().unwrap_or('`');
                let n = trimmed.chars().take_while(|c| *c == ch).count();
                fence = Some(ch.to_string().repeat(n));
                out.push_str(line);
                continue;
            }
        }
        in_comment = strip_line(line, in_comment, &mut out);
    }
    Cow::Owned(out)
}

/// Copy one line without its comments; returns whether a comment is still open.
fn strip_line(line: &str, mut in_comment: bool, out: &mut String) -> bool {
    let mut rest = line;
    loop {
        if in_comment {
            let Some(end) = rest.find("%%") else {
                if rest.ends_with('\n') {
                    out.push('\n');
                }
                return true;
            };
            rest = &rest[end + 2..];
            in_comment = false;
            continue;
        }
        // Skip inline code spans on the line.
        let next_tick = rest.find('`');
        let next_mark = rest.find("%%");
        match (next_tick, next_mark) {
            (Some(t), Some(m)) if t < m => {
                let run = rest[t..].bytes().take_while(|b| *b == b'`').count();
                let ticks = &rest[t..t + run];
                let after = &rest[t + run..];
                let close = after.find(ticks).map_or(0, |c| c + run);
                let upto = t + run + close;
                out.push_str(&rest[..upto]);
                rest = &rest[upto..];
            }
            (_, Some(m)) => {
                out.push_str(&rest[..m]);
                rest = &rest[m + 2..];
                in_comment = true;
            }
            (_, None) => {
                out.push_str(rest);
                return false;
            }
        }
    }
}

/// Adjacent text nodes of `parent` merged into one (comrak may split text
/// at brackets and other marks).
fn merge_text<'a>(parent: &'a AstNode<'a>) {
    let mut child = parent.first_child();
    while let Some(c) = child {
        let next = c.next_sibling();
        if let Some(n) = next {
            let both = matches!(c.data.borrow().value, NodeValue::Text(_))
                && matches!(n.data.borrow().value, NodeValue::Text(_));
            if both {
                let more = match &n.data.borrow().value {
                    NodeValue::Text(t) => t.to_string(),
                    _ => String::new(),
                };
                if let NodeValue::Text(t) = &mut c.data.borrow_mut().value {
                    let mut joined = t.to_string();
                    joined.push_str(&more);
                    *t = joined.into();
                }
                n.detach();
                continue;
            }
        }
        child = next;
    }
}

/// The block id ending `text` (` ^id` or a lone `^id`): (id, where its
/// marker starts).
fn block_id_at_end(text: &str) -> Option<(&str, usize)> {
    let trimmed = text.trim_end();
    let caret = trimmed.rfind('^')?;
    let id = &trimmed[caret + 1..];
    let before_ok = caret == 0 || trimmed[..caret].ends_with([' ', '\t']);
    let id_ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (before_ok && id_ok).then_some((id, caret))
}

/// Paragraphs (and list items' paragraphs) ending in `^id`: the marker goes
/// and an anchor `<span class="block-id" id="^id"></span>` opens the block.
pub fn block_ids<'a>(arena: &'a Arena<'a>, root: &'a AstNode<'a>, ids: &mut Vec<String>) {
    let paragraphs: Vec<&'a AstNode<'a>> = root
        .descendants()
        .filter(|n| matches!(n.data.borrow().value, NodeValue::Paragraph))
        .collect();
    for p in paragraphs {
        merge_text(p);
        let Some(last) = p.last_child() else {
            continue;
        };
        let id = {
            let mut data = last.data.borrow_mut();
            let NodeValue::Text(t) = &mut data.value else {
                continue;
            };
            let Some((id, at)) = block_id_at_end(t) else {
                continue;
            };
            let id = id.to_string();
            *t = t[..at].trim_end().to_string().into();
            id
        };
        let pos = p.data.borrow().sourcepos;
        let html = format!("<span class=\"block-id\" id=\"^{id}\"></span>");
        let anchor = arena.alloc(Ast::new_with_sourcepos(NodeValue::Raw(html), pos).into());
        p.prepend(anchor);
        ids.push(id);
    }
}

/// The `#tags` of `text`, as (byte start of `#`, tag) pairs: Obsidian's
/// grammar, a `#` at the start or after whitespace, then letters, digits,
/// `_`, `-` and `/` (nested tags), not digits only.
pub fn find_tags(text: &str, at_start_ok: bool) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        let starts = c == '#' && prev.map_or(at_start_ok, char::is_whitespace);
        prev = Some(c);
        if !starts {
            continue;
        }
        let rest = &text[i + 1..];
        let len = rest
            .char_indices()
            .find(|&(_, ch)| !(ch.is_alphanumeric() || matches!(ch, '_' | '-' | '/')))
            .map_or(rest.len(), |(j, _)| j);
        let tag = rest[..len].trim_end_matches('/');
        if !tag.is_empty() && !tag.starts_with('/') && tag.chars().any(|ch| !ch.is_ascii_digit()) {
            out.push((i, tag));
        }
    }
    out
}

/// Inline `#tags` in text (not in code, headings, links or URLs) become
/// links to the tag's page, recorded in `body.tags` and `body.links`.
pub fn tags<'a>(arena: &'a Arena<'a>, root: &'a AstNode<'a>, body: &mut Body) {
    let texts: Vec<&'a AstNode<'a>> = root
        .descendants()
        .filter(|n| matches!(&n.data.borrow().value, NodeValue::Text(t) if t.contains('#')))
        .filter(|n| {
            !n.ancestors().any(|a| {
                matches!(
                    a.data.borrow().value,
                    NodeValue::Heading(_)
                        | NodeValue::Link(_)
                        | NodeValue::WikiLink(_)
                        | NodeValue::Image(_)
                )
            })
        })
        .collect();
    for node in texts {
        let text = match &node.data.borrow().value {
            NodeValue::Text(t) => t.to_string(),
            _ => continue,
        };
        let at_start_ok = node.previous_sibling().is_none_or(|p| {
            matches!(
                p.data.borrow().value,
                NodeValue::SoftBreak | NodeValue::LineBreak
            )
        });
        let found = find_tags(&text, at_start_ok);
        if found.is_empty() {
            continue;
        }
        let pos = node.data.borrow().sourcepos;
        let mut cursor = 0;
        let mut pieces: Vec<NodeValue> = Vec::new();
        for (at, tag) in found {
            if at > cursor {
                pieces.push(NodeValue::Text(text[cursor..at].to_string().into()));
            }
            let n = body.links.len();
            body.links.push(LinkRef {
                kind: LinkKind::Tag,
                target: tag.to_string(),
                line: pos.start.line,
                column: pos.start.column + at,
                text: format!("#{tag}"),
                sentence: String::new(),
            });
            if !body.tags.iter().any(|t| t == tag) {
                body.tags.push(tag.to_string());
            }
            pieces.push(NodeValue::Raw(format!(
                "<a class=\"tag\" href=\"{LINK_PLACEHOLDER}{n}\">#{}</a>",
                super::callouts::escape(tag)
            )));
            cursor = at + 1 + tag.len();
        }
        if cursor < text.len() {
            pieces.push(NodeValue::Text(text[cursor..].to_string().into()));
        }
        for value in pieces {
            let new = arena.alloc(Ast::new_with_sourcepos(value, pos).into());
            node.insert_before(new);
        }
        node.detach();
    }
}

/// Obsidian shows `[[Note#Heading]]` as "Note > Heading" and `[[#Heading]]`
/// as "Heading": a wikilink without a label whose text is its target gets
/// that text.
pub fn link_texts<'a>(root: &'a AstNode<'a>) {
    for node in root.descendants() {
        let url = match &node.data.borrow().value {
            NodeValue::WikiLink(w) if w.url.contains('#') => w.url.clone(),
            _ => continue,
        };
        let Some(child) = node.first_child() else {
            continue;
        };
        if child.next_sibling().is_some() {
            continue;
        }
        let mut data = child.data.borrow_mut();
        if let NodeValue::Text(t) = &mut data.value
            && t.trim() == url.trim()
        {
            let (page, heading) = url.split_once('#').unwrap_or(("", &url));
            // A block is shown by its note's name (its id is not prose);
            // `[[Note#A#B]]` by its last heading.
            let heading = heading.rsplit('#').next().unwrap_or(heading);
            let shown = if heading.trim_start().starts_with('^') {
                if page.trim().is_empty() {
                    "¶".to_string()
                } else {
                    page.trim().to_string()
                }
            } else if page.trim().is_empty() {
                heading.trim().to_string()
            } else {
                format!("{} > {}", page.trim(), heading.trim())
            };
            *t = shown.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_obsidians_grammar() {
        let tags = |s| {
            find_tags(s, true)
                .into_iter()
                .map(|(_, t)| t)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            tags("#a and #b/c, #1984 #y1984 x#no #ok-ish."),
            ["a", "b/c", "y1984", "ok-ish"]
        );
        assert_eq!(tags("see page#anchor or # alone"), Vec::<&str>::new());
        assert!(find_tags("#start", false).is_empty());
    }

    #[test]
    fn block_ids_end_a_block() {
        assert_eq!(block_id_at_end("Some text ^abc-1"), Some(("abc-1", 10)));
        assert_eq!(block_id_at_end("^only"), Some(("only", 0)));
        assert_eq!(block_id_at_end("2^10"), None);
        assert_eq!(block_id_at_end("x ^a b"), None);
    }

    #[test]
    fn comments_go_and_lines_stay() {
        assert_eq!(strip_comments("a %%hidden%% b\n"), "a  b\n");
        assert_eq!(
            strip_comments("a\n%%\nsecret\nlines\n%%\nb\n"),
            "a\n\n\n\n\nb\n"
        );
        assert_eq!(strip_comments("`%%code%%` %%x%%y\n"), "`%%code%%` y\n");
        let fenced = "```\n%%kept%%\n```\n";
        assert_eq!(strip_comments(fenced), fenced);
    }
}
