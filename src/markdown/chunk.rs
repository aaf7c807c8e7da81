//! Huge bodies parsed in pieces, so that comrak's tree of only one piece is
//! held at a time.
//!
//! comrak's tree takes about ten times the text it is parsed from: a 50 MB
//! page would hold half a gigabyte while it is walked and written. A body
//! above [`THRESHOLD`] is cut into pieces of about [`PIECE`] bytes, at blank
//! lines where every block before is closed and nothing after can continue
//! it; each piece is parsed, walked and written to HTML in turn, its tree
//! dropped before the next (see [`super::render`]).
//!
//! A cut is made only where a single parse would start a fresh top-level
//! block too. [`plan`] reads the lines once:
//! - a cut goes before a line at column 0 that follows a blank line and
//!   cannot continue what came before: not indented (indented code, list
//!   items), not a list marker (a loose list), not `:` (a description);
//! - never inside fenced code or an HTML block of kinds 1-5 (`<pre>`,
//!   `<!-- -->`...), which run over blank lines: fences and those blocks are
//!   followed, in containers too;
//! - link reference definitions apply to the whole body: each one (alone in
//!   its paragraph, after a blank line, outside any container) is copied
//!   into a preamble parsed before every piece, which writes nothing (the
//!   first definition of a label still wins, as the preamble keeps their
//!   order). Line numbers of every piece are shifted back to the body's;
//! - footnote definitions at the top level stay in their piece: each piece
//!   is given stand-ins for the ones it refers to, and [`super::footnotes`]
//!   numbers the references across pieces and writes one list at the end.
//!
//! Whatever the reading cannot be sure of makes the body parse whole: a
//! footnote definition in a container or with a label that is not plain, a
//! link definition elsewhere (in a container, in code, inside a
//! paragraph, a label over lines), a preamble that writes something or is
//! larger than [`PIECE`], a lone `\r` (a line ending comrak counts), and the
//! `[[_TOC_]]` marker (it needs every heading). After each piece is parsed,
//! [`ends_cleanly`] checks its last block really ended (a fence closed, no
//! description list open): if not, the whole body is parsed again in one
//! piece. Heading ids, link placeholders, glossary first mentions and the
//! plain text run on across pieces (`tests/chunks.rs` checks the result is
//! the single parse's, byte for byte).
//!
//! One difference is wanted: comrak stops resolving reference links once
//! their URLs and titles add up to 100 KB in one parse (a guard against
//! expansion attacks), so a single parse of a huge body leaves the later
//! `[text][label]` links as written; each piece has its own 100 KB, so the
//! expansion stays linear in the body and every link resolves.

use std::ops::Range;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options, parse_document};

/// Bodies longer than this (bytes, after shortcodes are cut out) are parsed
/// in pieces.
pub const THRESHOLD: usize = 1 << 20;

/// The size a piece reaches before it is cut at the next safe line.
pub const PIECE: usize = 256 << 10;

/// How a body is cut.
#[derive(Debug, Default)]
pub struct Plan {
    /// The link reference definitions of the whole body, each in a
    /// paragraph of its own, ending in a blank line.
    pub preamble: String,
    /// Lines of the preamble.
    pub preamble_lines: usize,
    /// Byte ranges of the body and the 0-based line each starts on.
    pub pieces: Vec<(Range<usize>, usize)>,
    /// The footnote definitions at the top level of the body, in order:
    /// each label as written and the piece it is in ([`super::footnotes`]).
    pub footnotes: Vec<(String, usize)>,
}

/// Where to cut `text` into pieces of at least `piece` bytes, or `None` when
/// it must be parsed whole (see the module documentation).
pub fn plan(text: &str, piece: usize, options: &Options<'_>) -> Option<Plan> {
    if text.contains("[[_TOC_]]") || has_lone_cr(text) {
        return None;
    }
    let mut scan = Scan::default();
    let mut plan = Plan::default();
    let mut piece_start = (0, 0);
    let lines = lines(text);
    let mut i = 0;
    while i < lines.len() {
        let (at, line) = lines[i];
        let prev_blank = i == 0 || is_blank(lines[i - 1].1);
        if scan.inside() {
            // A definition seen inside code: perhaps the code ended before.
            let inner = strip_containers(line);
            if inner.starts_with('[')
                && !matches!(definition_start(inner), Def::No | Def::Footnote(_))
            {
                return None;
            }
            scan.close_on(line);
        } else if !is_blank(line) {
            if prev_blank && i > 0 && at - piece_start.0 >= piece && starts_fresh(line) {
                plan.pieces.push((piece_start.0..at, piece_start.1));
                piece_start = (at, i);
            }
            let inner = strip_containers(line);
            if inner.starts_with('[') {
                let indent = line.len() - line.trim_start_matches(' ').len();
                let first_line_def = indent <= 3 && &line[indent..] == inner;
                match definition_start(inner) {
                    Def::No => {}
                    Def::Footnote(label) if first_line_def => {
                        plan.footnotes.push((label.to_string(), plan.pieces.len()));
                    }
                    Def::Maybe | Def::Footnote(_) => return None,
                    Def::Yes if !(first_line_def && prev_blank) => return None,
                    Def::Yes => {
                        // The paragraph the definition starts, up to a blank line.
                        while i < lines.len() && !is_blank(lines[i].1) {
                            plan.preamble
                                .push_str(lines[i].1.trim_end_matches(['\n', '\r']));
                            plan.preamble.push('\n');
                            plan.preamble_lines += 1;
                            i += 1;
                        }
                        plan.preamble.push('\n');
                        plan.preamble_lines += 1;
                        continue;
                    }
                }
            }
            scan.open_on(inner);
        }
        i += 1;
    }
    plan.pieces.push((piece_start.0..text.len(), piece_start.1));
    if plan.preamble.len() > PIECE
        || !writes_nothing(&plan.preamble, options)
        || !super::footnotes::plain_references(text, &plan.footnotes)
    {
        return None;
    }
    Some(plan)
}

/// Each line of `text` with its byte offset, line endings kept.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::with_capacity(text.len() / 40);
    let mut at = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        out.push((at, &text[at..=end]));
        at = end + 1;
    }
    if at < text.len() {
        out.push((at, &text[at..]));
    }
    out
}

fn has_lone_cr(text: &str) -> bool {
    memchr::memchr_iter(b'\r', text.as_bytes()).any(|i| text.as_bytes().get(i + 1) != Some(&b'\n'))
}

fn is_blank(line: &str) -> bool {
    line.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// A line at column 0 that nothing before a blank line can take in.
fn starts_fresh(line: &str) -> bool {
    let first = line.as_bytes()[0];
    !matches!(first, b' ' | b'\t' | b':') && list_marker(line).is_none()
}

/// The length of a list marker at the start of `s` (`- `, `12. `), if any.
fn list_marker(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let end = match b.first()? {
        b'-' | b'+' | b'*' => 1,
        b'0'..=b'9' => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > 9 || !matches!(b.get(digits), Some(b'.' | b')')) {
                return None;
            }
            digits + 1
        }
        _ => return None,
    };
    matches!(b.get(end), None | Some(b' ' | b'\t' | b'\n' | b'\r')).then_some(end)
}

/// `line` without its indentation, block quote marks and list markers: where
/// a fence, an HTML block or a definition would start, in any container.
fn strip_containers(line: &str) -> &str {
    let mut s = line;
    loop {
        let t = s.trim_start_matches([' ', '\t']);
        if let Some(rest) = t.strip_prefix('>') {
            s = rest;
        } else if let Some(n) = list_marker(t) {
            s = &t[n..];
        } else {
            return t;
        }
    }
}

enum Def<'s> {
    No,
    Yes,
    /// A footnote definition with a plain label ([`super::footnotes`]).
    Footnote(&'s str),
    /// A label that goes on past the line: perhaps a definition.
    Maybe,
}

/// Whether a line starting with `[` starts a link reference definition or
/// a footnote definition (one whose label is not plain is [`Def::Maybe`]:
/// the body parses whole).
fn definition_start(s: &str) -> Def<'_> {
    if let Some(rest) = s.strip_prefix("[^") {
        return match rest.find("]:") {
            Some(end) if super::footnotes::plain_label(&rest[..end]) => Def::Footnote(&rest[..end]),
            Some(_) => Def::Maybe,
            None => Def::No,
        };
    }
    if s.contains("]:") {
        Def::Yes
    } else if s.contains(']') {
        Def::No
    } else {
        Def::Maybe
    }
}

/// Whether the definitions of `preamble` are all it holds.
fn writes_nothing(preamble: &str, options: &Options<'_>) -> bool {
    if preamble.is_empty() {
        return true;
    }
    // Footnote definitions pulled in with a link's would vanish unseen.
    let mut options = options.clone();
    options.parse.leave_footnote_definitions = true;
    let arena = Arena::new();
    parse_document(&arena, preamble, &options)
        .first_child()
        .is_none()
}

/// The blocks that run over blank lines, followed line by line.
#[derive(Default)]
struct Scan {
    /// An open fence: its character and length.
    fence: Option<(u8, usize)>,
    /// An open HTML block: the text that ends it (lower case).
    html_end: Option<&'static str>,
}

impl Scan {
    fn inside(&self) -> bool {
        self.fence.is_some() || self.html_end.is_some()
    }

    fn close_on(&mut self, line: &str) {
        if let Some((c, n)) = self.fence {
            let inner = strip_containers(line);
            let run = inner.bytes().take_while(|&b| b == c).count();
            if run >= n && is_blank(&inner[run..]) {
                self.fence = None;
            }
        } else if let Some(end) = self.html_end
            && contains_ignore_case(line, end)
        {
            self.html_end = None;
        }
    }

    fn open_on(&mut self, inner: &str) {
        let b = inner.as_bytes();
        if let Some(&c @ (b'`' | b'~')) = b.first() {
            let run = b.iter().take_while(|&&x| x == c).count();
            if run >= 3 && !(c == b'`' && inner[run..].contains('`')) {
                self.fence = Some((c, run));
            }
            return;
        }
        if !inner.starts_with('<') {
            return;
        }
        let head: Vec<u8> = b.iter().take(12).map(u8::to_ascii_lowercase).collect();
        let lower = String::from_utf8_lossy(&head);
        let end = if lower.starts_with("<!--") {
            "-->"
        } else if lower.starts_with("<?") {
            "?>"
        } else if lower.starts_with("<![cdata[") {
            "]]>"
        } else if lower.starts_with("<!") && b.get(2).is_some_and(u8::is_ascii_alphabetic) {
            ">"
        } else if let Some(tag) = ["script", "pre", "style", "textarea"]
            .into_iter()
            .find(|t| {
                lower[1..].starts_with(t)
                    && matches!(
                        lower.as_bytes().get(1 + t.len()),
                        None | Some(b' ' | b'\t' | b'>' | b'\n' | b'\r')
                    )
            })
        {
            match tag {
                "script" => "</script>",
                "pre" => "</pre>",
                "style" => "</style>",
                _ => "</textarea>",
            }
        } else {
            return;
        };
        // The end may be on the opening line (after the opening itself).
        let skip = if end == ">" { 2 } else { 1 };
        if !contains_ignore_case(&inner[skip..], end) {
            self.html_end = Some(end);
        }
    }
}

fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Whether the last block of a parsed piece is closed, so that the next
/// piece could not have continued it: a fence that closed, an HTML block
/// that reached its end, and none of the blocks that take in what follows
/// a blank line (a description list).
pub fn ends_cleanly<'a>(root: &'a AstNode<'a>) -> bool {
    let Some(last) = root.last_child() else {
        return true;
    };
    match &last.data.borrow().value {
        NodeValue::Paragraph
        | NodeValue::Heading(_)
        | NodeValue::ThematicBreak
        | NodeValue::Table(_)
        | NodeValue::BlockQuote
        | NodeValue::List(_)
        | NodeValue::Alert(_)
        // A line at column 0 after a blank line ends a footnote definition
        // and all it holds.
        | NodeValue::FootnoteDefinition(_) => true,
        NodeValue::CodeBlock(cb) => !cb.fenced || cb.closed,
        NodeValue::HtmlBlock(h) => match h.block_type {
            1 => ["</script>", "</pre>", "</style>", "</textarea>"]
                .iter()
                .any(|e| contains_ignore_case(&h.literal, e)),
            2 => h.literal.contains("-->"),
            3 => h.literal.contains("?>"),
            4 => h.literal.get(2..).is_some_and(|l| l.contains('>')),
            5 => h.literal.contains("]]>"),
            _ => true,
        },
        _ => false,
    }
}

/// Add `delta` to every line number of the tree (a piece's lines counted
/// from the body's first line).
pub fn shift_lines<'a>(root: &'a AstNode<'a>, delta: isize) {
    for node in root.descendants() {
        let mut data = node.data.borrow_mut();
        let pos = &mut data.sourcepos;
        pos.start.line = pos.start.line.saturating_add_signed(delta);
        pos.end.line = pos.end.line.saturating_add_signed(delta);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MarkdownConfig;
    use crate::markdown::comrak_options;

    fn cuts(text: &str) -> Option<Vec<usize>> {
        let o = comrak_options(&MarkdownConfig::default());
        plan(text, 1, &o).map(|p| p.pieces.iter().map(|(r, _)| r.start).collect())
    }

    #[test]
    fn cuts_only_where_a_fresh_block_starts() {
        let text = "# A\n\npara\n\n- x\n\n- y\n\n  more\n\n```\na\n\nb\n```\n\nend\n";
        let at: Vec<&str> = cuts(text)
            .unwrap()
            .into_iter()
            .map(|i| text[i..].lines().next().unwrap())
            .collect();
        assert_eq!(at, ["# A", "para", "```", "end"]);
    }

    #[test]
    fn html_blocks_and_definitions() {
        let text = "a\n\n<!--\n\nx\n\n-->\n\nb\n";
        assert_eq!(cuts(text).unwrap().len(), 3);
        let p = plan(
            "[a]: /u\n\nx [a]\n\ny\n",
            1,
            &comrak_options(&MarkdownConfig::default()),
        )
        .unwrap();
        assert_eq!(p.preamble, "[a]: /u\n\n");
        assert_eq!(p.preamble_lines, 2);
        for whole in [
            "x\n\n> [^1]: note\n",
            "x\n\n[^a b]: note\n",
            "x\n[a]: /u\n",
            "> [a]: /u\n",
            "[a\nb]: /u\n",
            "[[_TOC_]]\n",
            "a\rb\n",
            "[a]: /u\ntext\n",
        ] {
            assert!(cuts(whole).is_none(), "{whole:?}");
        }
    }
}
