//! Obsidian callouts, read when the site sets `obsidian = true`: a block
//! quote whose first line is `[!kind]`, `[!kind]+` or `[!kind]-`, with an
//! optional title after it, becomes
//!
//! ```html
//! <div class="callout callout-tip" data-callout="hint">
//! <p class="callout-title"><span class="callout-icon" aria-hidden="true"></span>Title</p>
//! <div class="callout-content">...</div></div>
//! ```
//!
//! and a foldable one (`-` closed, `+` open) a `<details>` with the title as
//! its `<summary>`: folding needs no JavaScript. Every kind Obsidian knows
//! maps to one of its thirteen families (`callout-tip` for tip, hint and
//! important; each family has its icon (inline SVG, [`super::callout_icons`])
//! and the theme its colour); an unknown
//! kind is a note, as in Obsidian. Callouts nest (`> > [!note]`).

use comrak::Arena;
use comrak::nodes::{Ast, AstNode, NodeValue};

/// Obsidian's callout kinds and their aliases, by family.
const FAMILIES: &[(&str, &[&str])] = &[
    ("note", &["note"]),
    ("abstract", &["abstract", "summary", "tldr"]),
    ("info", &["info"]),
    ("todo", &["todo"]),
    ("tip", &["tip", "hint", "important"]),
    ("success", &["success", "check", "done"]),
    ("question", &["question", "help", "faq"]),
    ("warning", &["warning", "caution", "attention"]),
    ("failure", &["failure", "fail", "missing"]),
    ("danger", &["danger", "error"]),
    ("bug", &["bug"]),
    ("example", &["example"]),
    ("quote", &["quote", "cite"]),
];

/// The family of a callout kind (any case); unknown kinds are notes.
pub fn family(kind: &str) -> &'static str {
    let kind = kind.to_ascii_lowercase();
    FAMILIES
        .iter()
        .find(|(_, names)| names.contains(&kind.as_str()))
        .map_or("note", |(f, _)| f)
}

/// Turn every callout block quote under `root` into callout markup.
pub fn callouts<'a>(arena: &'a Arena<'a>, root: &'a AstNode<'a>) {
    let quotes: Vec<&'a AstNode<'a>> = root
        .descendants()
        .filter(|n| matches!(n.data.borrow().value, NodeValue::BlockQuote))
        .collect();
    for q in quotes {
        convert(arena, q);
    }
}

/// A callout's first line, read.
struct Head {
    kind: String,
    /// `Some(true)` for `+` (open), `Some(false)` for `-` (closed).
    fold: Option<bool>,
    title: String,
}

/// `[!tip]- Title` -> its parts; `None` when the line is not a callout's.
fn parse_head(line: &str) -> Option<Head> {
    let rest = line.trim_start().strip_prefix("[!")?;
    let close = rest.find(']')?;
    let kind = &rest[..close];
    if kind.is_empty()
        || !kind.starts_with(|c: char| c.is_ascii_alphabetic())
        || !kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let mut after = &rest[close + 1..];
    let fold = match after.chars().next() {
        Some('+') => Some(true),
        Some('-') => Some(false),
        _ => None,
    };
    if fold.is_some() {
        after = &after[1..];
    }
    Some(Head {
        kind: kind.to_string(),
        fold,
        title: after.trim().to_string(),
    })
}

fn convert<'a>(arena: &'a Arena<'a>, quote: &'a AstNode<'a>) {
    let Some(first) = quote.first_child() else {
        return;
    };
    if !matches!(first.data.borrow().value, NodeValue::Paragraph) {
        return;
    }
    // The first line: the inlines before the first line break.
    let mut line = String::new();
    let mut line_nodes = Vec::new();
    let mut brk = None;
    for c in first.children() {
        match &c.data.borrow().value {
            NodeValue::SoftBreak | NodeValue::LineBreak => {
                brk = Some(c);
                break;
            }
            NodeValue::Text(t) => line.push_str(t),
            _ => line.push_str(&super::collect_plain(c)),
        }
        line_nodes.push(c);
    }
    let Some(head) = parse_head(&line) else {
        return;
    };
    for n in line_nodes.into_iter().chain(brk) {
        n.detach();
    }
    if first.first_child().is_none() {
        first.detach();
    }
    let family = family(&head.kind);
    let kind = escape(&head.kind.to_ascii_lowercase());
    let title = if head.title.is_empty() {
        let mut k = head.kind.to_ascii_lowercase();
        if let Some(c) = k.get_mut(..1) {
            c.make_ascii_uppercase();
        }
        k
    } else {
        head.title
    };
    let title = escape(&title);
    let icon = icon(family);
    let (open, close) = match head.fold {
        None => (
            format!(
                "<div class=\"callout callout-{family}\" data-callout=\"{kind}\">\n<p class=\"callout-title\">{icon}{title}</p>\n<div class=\"callout-content\">\n"
            ),
            "</div></div>\n",
        ),
        Some(is_open) => (
            format!(
                "<details class=\"callout callout-{family}\" data-callout=\"{kind}\"{}>\n<summary class=\"callout-title\">{icon}{title}</summary>\n<div class=\"callout-content\">\n",
                if is_open { " open" } else { "" }
            ),
            "</div></details>\n",
        ),
    };
    let pos = quote.data.borrow().sourcepos;
    let open_node = arena.alloc(Ast::new_with_sourcepos(NodeValue::Raw(open), pos).into());
    let close_node =
        arena.alloc(Ast::new_with_sourcepos(NodeValue::Raw(close.to_string()), pos).into());
    quote.insert_before(open_node);
    let children: Vec<&'a AstNode<'a>> = quote.children().collect();
    let mut last: &'a AstNode<'a> = open_node;
    for c in children {
        c.detach();
        last.insert_after(c);
        last = c;
    }
    last.insert_after(close_node);
    quote.detach();
}

/// A family's icon as inline SVG (no request, so it shows offline and
/// under any content security policy), coloured by the text around it.
fn icon(family: &str) -> String {
    let inner = super::callout_icons::ICONS
        .iter()
        .find(|(f, _, _)| *f == family)
        .map_or("", |(_, _, svg)| svg);
    format!(
        "<svg class=\"callout-icon\" aria-hidden=\"true\" viewBox=\"0 0 24 24\" width=\"18\" height=\"18\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\" stroke-linejoin=\"round\">{inner}</svg>"
    )
}

/// Text for HTML (`&`, `<`, `>`, `"`).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_read_with_fold_and_title() {
        let h = parse_head("[!tip]- Read this").unwrap();
        assert_eq!(
            (h.kind.as_str(), h.fold, h.title.as_str()),
            ("tip", Some(false), "Read this")
        );
        let h = parse_head("[!FAQ]+").unwrap();
        assert_eq!(
            (h.kind.as_str(), h.fold, h.title.as_str()),
            ("FAQ", Some(true), "")
        );
        assert!(parse_head("[!] x").is_none());
        assert!(parse_head("plain [!tip]").is_none());
        assert!(parse_head("[!a b]").is_none());
    }

    #[test]
    fn aliases_share_a_family() {
        assert_eq!(family("hint"), "tip");
        assert_eq!(family("IMPORTANT"), "tip");
        assert_eq!(family("tldr"), "abstract");
        assert_eq!(family("cite"), "quote");
        assert_eq!(family("error"), "danger");
        assert_eq!(family("compatibility"), "note");
    }
}
