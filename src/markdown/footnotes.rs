//! Footnotes of a body parsed in pieces ([`super::chunk`]).
//!
//! comrak numbers footnotes per document: a reference resolves only when
//! its definition is in the same parse, references are numbered in the
//! order they come (definitions still in place, so a reference inside a
//! definition counts where the definition is written), repeated references
//! get `fnref-x-2`, `-3`..., and the referenced definitions move to one list
//! at the end, in number order; unreferenced ones vanish. Labels match
//! case-folded; the definition's label is the one written.
//!
//! To give the same HTML from pieces:
//! - [`super::chunk::plan`] lists the definitions at the top level and
//!   the piece each is in ([`Notes::new`] refuses a label defined twice);
//! - each piece is parsed with stand-ins ([`Notes::prefix`]): a one-word
//!   definition for every label it refers to that is defined in another
//!   piece, so that comrak resolves its references, and definitions are
//!   left in place (`leave_footnote_definitions`);
//! - [`Notes::take`] drops the stand-ins, numbers the piece's references on
//!   from the pieces before, checks the piece's definitions are the ones
//!   the plan saw (else the body is parsed whole), and keeps a copy of each
//!   definition's tree, detached from the piece's, in an arena that
//!   outlives the pieces;
//! - [`Notes::list`] puts the referenced definitions under one document in
//!   number order, which is walked and written after the last piece, as
//!   comrak writes its list after the body.
//!
//! Only plain labels (letters, digits, `-`, `_`) are taken: inline parsing
//! could change any other (escapes, entities, smart quotes), and the
//! stand-ins are chosen from the text as written. A body with another
//! label, or a definition in a container, is parsed whole.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use comrak::Arena;
use comrak::nodes::{Ast, AstNode, LineColumn, NodeValue};

/// Whether a footnote label is plain: letters, digits, `-`, `_`, and no
/// `--` (which smart punctuation turns into a dash).
pub fn plain_label(label: &str) -> bool {
    !label.is_empty()
        && !label.contains("--")
        && label
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// A label as comrak compares it (trimmed, spaces collapsed, case-folded;
/// a plain label has no spaces).
fn key(label: &str) -> String {
    caseless::default_case_fold_str(label)
}

/// The `[^label]` candidates of `text` (up to the first `]` on the line).
fn references(text: &str) -> impl Iterator<Item = &str> {
    memchr::memmem::find_iter(text.as_bytes(), b"[^").filter_map(|at| {
        let rest = &text[at + 2..];
        let end = rest.find([']', '\n'])?;
        rest[end..].starts_with(']').then(|| &rest[..end])
    })
}

/// Whether every reference in `text` that could name one of `defs` after
/// inline parsing is written plainly, so that the stand-ins of
/// [`Notes::prefix`] cover it.
pub fn plain_references(text: &str, defs: &[(String, usize)]) -> bool {
    if defs.is_empty() {
        return true;
    }
    let loose = |s: &str| -> String {
        key(&s
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
            .collect::<String>())
    };
    let keys: HashSet<String> = defs.iter().map(|(l, _)| key(l)).collect();
    references(text).all(|r| plain_label(r) || !(r.contains('&') || keys.contains(&loose(r))))
}

/// The footnotes of one body across its pieces.
pub struct Notes<'f> {
    arena: &'f Arena<'f>,
    index: HashMap<String, usize>,
    /// Each definition's label as written.
    labels: Vec<String>,
    /// The definitions of each piece, in order, and each one's piece.
    by_piece: Vec<Vec<usize>>,
    piece_of: Vec<usize>,
    /// Each definition's number, once referenced, and its references.
    ix: Vec<Option<u32>>,
    total: Vec<u32>,
    next_ix: u32,
    /// Each definition's tree, once its piece is parsed.
    held: Vec<Option<&'f AstNode<'f>>>,
    /// Definitions stay where they are written ([`in_place`]): only the
    /// stand-ins are dropped, and there is no list at the end.
    pub in_place: bool,
}

impl<'f> Notes<'f> {
    /// The notes of a body whose plan found `defs` in `pieces` pieces, or
    /// `None` when a label is defined twice (comrak's choice between them is
    /// left to a single parse).
    pub fn new(arena: &'f Arena<'f>, defs: &[(String, usize)], pieces: usize) -> Option<Self> {
        let mut index = HashMap::with_capacity(defs.len());
        let mut by_piece = vec![Vec::new(); pieces];
        for (i, (label, piece)) in defs.iter().enumerate() {
            if index.insert(key(label), i).is_some() {
                return None;
            }
            by_piece[*piece].push(i);
        }
        Some(Notes {
            arena,
            index,
            labels: defs.iter().map(|(l, _)| l.clone()).collect(),
            by_piece,
            piece_of: defs.iter().map(|(_, p)| *p).collect(),
            ix: vec![None; defs.len()],
            total: vec![0; defs.len()],
            next_ix: 0,
            held: vec![None; defs.len()],
            in_place: false,
        })
    }

    /// The stand-ins put before piece `piece` (whose text is `text`): a
    /// definition for every label it refers to that another piece defines,
    /// then an HTML comment, so that an indented first line of the piece
    /// cannot continue the last of them. Returns the text and its lines.
    pub fn prefix(&self, piece: usize, text: &str) -> (String, usize) {
        let mut seen = HashSet::new();
        let mut out = String::new();
        let mut lines = 0;
        for r in references(text).filter(|r| plain_label(r)) {
            let Some(&i) = self.index.get(&key(r)) else {
                continue;
            };
            if self.piece_of[i] != piece && seen.insert(i) {
                let _ = writeln!(out, "[^{}]: s", self.labels[i]);
                lines += 1;
            }
        }
        if lines > 0 {
            out.push_str("\n<!-- -->\n\n");
            lines += 3;
        }
        (out, lines)
    }

    /// Take the footnotes of a parsed piece (see the module documentation):
    /// its first `prefix_lines` lines are the preamble and the stand-ins,
    /// its lines are `shift` from the body's. False when the piece holds a
    /// definition the plan did not see, or misses one it saw.
    pub fn take<'a>(
        &mut self,
        root: &'a AstNode<'a>,
        piece: usize,
        prefix_lines: usize,
        shift: isize,
    ) -> bool {
        let prefix: Vec<_> = root
            .children()
            .take_while(|c| c.data.borrow().sourcepos.start.line <= prefix_lines)
            .collect();
        for node in prefix {
            node.detach();
        }
        if shift != 0 {
            super::chunk::shift_lines(root, shift);
        }
        let mut defs = Vec::new();
        for node in root.descendants() {
            let mut data = node.data.borrow_mut();
            match &mut data.value {
                NodeValue::FootnoteReference(r) => {
                    let Some(&i) = self.index.get(&key(&r.name)) else {
                        return false;
                    };
                    let ix = *self.ix[i].get_or_insert_with(|| {
                        self.next_ix += 1;
                        self.next_ix
                    });
                    self.total[i] += 1;
                    r.ix = ix;
                    r.ref_num = self.total[i];
                    r.name.clone_from(&self.labels[i]);
                }
                NodeValue::FootnoteDefinition(d) => {
                    if !node.parent().is_some_and(|p| p.same_node(root)) {
                        return false;
                    }
                    match self.index.get(&key(&d.name)) {
                        Some(&i) => defs.push((i, node)),
                        None => return false,
                    }
                }
                _ => {}
            }
        }
        if !defs
            .iter()
            .map(|(i, _)| *i)
            .eq(self.by_piece[piece].iter().copied())
        {
            return false;
        }
        if !self.in_place {
            for (i, node) in defs {
                node.detach();
                self.held[i] = Some(copy_tree(self.arena, node));
            }
        }
        true
    }

    /// The arena the definitions are kept in.
    pub fn arena(&self) -> &'f Arena<'f> {
        self.arena
    }

    /// The referenced definitions in number order, under a document of
    /// their own, or `None` when nothing was referenced.
    pub fn list(&self) -> Option<&'f AstNode<'f>> {
        if self.next_ix == 0 || self.in_place {
            return None;
        }
        let mut order: Vec<(u32, usize)> = self
            .ix
            .iter()
            .enumerate()
            .filter_map(|(i, ix)| ix.map(|ix| (ix, i)))
            .collect();
        order.sort_unstable();
        let root = self.arena.alloc(AstNode::new(RefCell::new(Ast::new(
            NodeValue::Document,
            LineColumn { line: 1, column: 1 },
        ))));
        for (_, i) in order {
            let node = self.held[i]?;
            if let NodeValue::FootnoteDefinition(d) = &mut node.data.borrow_mut().value {
                d.name.clone_from(&self.labels[i]);
                d.total_references = self.total[i];
            }
            root.append(node);
        }
        Some(root)
    }
}

/// A copy of `node` and everything below it in `arena`.
fn copy_tree<'a, 'f>(arena: &'f Arena<'f>, node: &'a AstNode<'a>) -> &'f AstNode<'f> {
    let top: &'f AstNode<'f> = arena.alloc(AstNode::new(RefCell::new(node.data.borrow().clone())));
    // (original, its copy) whose children are still to copy: no recursion,
    // however deep the tree.
    let mut stack = vec![(node, top)];
    while let Some((from, to)) = stack.pop() {
        for child in from.children() {
            let copy: &'f AstNode<'f> =
                arena.alloc(AstNode::new(RefCell::new(child.data.borrow().clone())));
            to.append(copy);
            stack.push((child, copy));
        }
    }
    top
}

/// Footnotes left where they are written, as Zola writes them when
/// `bottom_footnotes` is off (pulldown-cmark's HTML): a reference is
/// `<sup class="footnote-reference"><a href="#label">n</a></sup>` and a
/// definition `<div class="footnote-definition" id="label">` with its
/// number first. Numbers follow the first appearance of each label,
/// reference or definition, in document order (`numbers` carries them
/// on); a definition nobody refers to is kept.
pub fn in_place<'a>(
    arena: &'a Arena<'a>,
    root: &'a AstNode<'a>,
    numbers: &mut HashMap<String, usize>,
) {
    let mut number = |name: &str| {
        let next = numbers.len() + 1;
        *numbers.entry(name.to_string()).or_insert(next)
    };
    let raw = |html: String| arena.alloc(AstNode::from(NodeValue::Raw(html)));
    // Collected first: the tree changes as they are replaced.
    let nodes: Vec<_> = root
        .descendants()
        .filter(|n| {
            matches!(
                n.data.borrow().value,
                NodeValue::FootnoteReference(_) | NodeValue::FootnoteDefinition(_)
            )
        })
        .collect();
    for node in nodes {
        let value = node.data.borrow().value.clone();
        match value {
            NodeValue::FootnoteReference(r) => {
                let label = escape(&r.name);
                let n = number(&r.name);
                node.data.borrow_mut().value = NodeValue::Raw(format!(
                    "<sup class=\"footnote-reference\"><a href=\"#{label}\">{n}</a></sup>"
                ));
            }
            NodeValue::FootnoteDefinition(d) => {
                let n = number(&d.name);
                let open = raw(format!(
                    "<div class=\"footnote-definition\" id=\"{}\"><sup class=\"footnote-definition-label\">{n}</sup>\n",
                    escape(&d.name)
                ));
                node.insert_before(open);
                while let Some(child) = node.first_child() {
                    node.insert_before(child);
                }
                node.insert_before(raw("</div>\n".to_string()));
                node.detach();
            }
            _ => {}
        }
    }
}

/// `s` escaped for HTML text and attributes, as comrak escapes.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = comrak::html::escape(&mut out, s);
    out
}
