//! Links the first mention of each glossary term in a body to its entry.
//!
//! Only plain text counts: never inside headings, links, code or raw HTML, and
//! never a term on its own page. Matching is case-insensitive on whole words,
//! longest term first (`deep transverse friction` before `friction`).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use comrak::Arena;
use comrak::nodes::{Ast, AstNode, NodeLink, NodeValue};
use std::cell::RefCell;
use std::collections::HashSet;

use super::{LINK_PLACEHOLDER, LinkKind, LinkRef};

/// One term the linker knows.
#[derive(Debug, Clone)]
pub struct MatcherTerm {
    /// Anchor id on the glossary page.
    pub id: String,
    pub definition: String,
    /// `@/…` path of the term's own page, where it is not linked.
    pub page: Option<String>,
}

/// Case-insensitive multi-pattern matcher over every term and alias.
#[derive(Debug, Clone)]
pub struct GlossaryMatcher {
    ac: AhoCorasick,
    /// Pattern index -> term index.
    pattern_term: Vec<usize>,
    terms: Vec<MatcherTerm>,
    /// The page being rendered (`@/…`), to skip its own terms.
    current: Option<String>,
}

impl GlossaryMatcher {
    /// `names[i]` are the term and aliases of `terms[i]`.
    pub fn new(terms: Vec<MatcherTerm>, names: &[Vec<String>]) -> Self {
        let mut patterns = Vec::new();
        let mut pattern_term = Vec::new();
        for (i, list) in names.iter().enumerate() {
            for n in list {
                if !n.trim().is_empty() {
                    patterns.push(n.trim().to_string());
                    pattern_term.push(i);
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .expect("glossary patterns are plain strings");
        Self {
            ac,
            pattern_term,
            terms,
            current: None,
        }
    }

    /// The same matcher, for rendering the page at `@/path`.
    #[must_use]
    pub fn for_page(&self, current: &str) -> Self {
        Self {
            current: Some(current.to_string()),
            ..self.clone()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The terms not to link on this page: those whose page it is. Pass it
    /// to [`Self::link_first_mentions`] for each part of a page in turn.
    pub fn done_on_page(&self) -> HashSet<usize> {
        let mut done: HashSet<usize> = HashSet::new();
        for (i, t) in self.terms.iter().enumerate() {
            if t.page.is_some() && t.page == self.current {
                done.insert(i);
            }
        }
        done
    }

    /// Link first mentions in the tree under `root` of the terms not yet in
    /// `done` (which gains them), appending to `links`.
    pub fn link_first_mentions<'a>(
        &self,
        arena: &'a Arena<'a>,
        root: &'a AstNode<'a>,
        done: &mut HashSet<usize>,
        links: &mut Vec<LinkRef>,
    ) {
        let texts: Vec<&'a AstNode<'a>> = root
            .descendants()
            .filter(|n| matches!(n.data.borrow().value, NodeValue::Text(_)) && !in_excluded(n))
            .collect();
        for node in texts {
            if done.len() == self.terms.len() {
                break;
            }
            self.link_in_text(arena, node, done, links);
        }
    }

    fn link_in_text<'a>(
        &self,
        arena: &'a Arena<'a>,
        node: &'a AstNode<'a>,
        done: &mut HashSet<usize>,
        links: &mut Vec<LinkRef>,
    ) {
        let text = match &node.data.borrow().value {
            NodeValue::Text(t) => t.to_string(),
            _ => return,
        };
        let mut pieces: Vec<(usize, usize, usize)> = Vec::new(); // start, end, term
        for m in self.ac.find_iter(&text) {
            let term = self.pattern_term[m.pattern().as_usize()];
            if done.contains(&term) || !whole_word(&text, m.start(), m.end()) {
                continue;
            }
            done.insert(term);
            pieces.push((m.start(), m.end(), term));
        }
        if pieces.is_empty() {
            return;
        }
        let sourcepos = node.data.borrow().sourcepos;
        let mut last = 0;
        for (start, end, term) in pieces {
            if start > last {
                node.insert_before(new_node(
                    arena,
                    NodeValue::Text(text[last..start].to_string().into()),
                    sourcepos,
                ));
            }
            let t = &self.terms[term];
            let url = format!("{LINK_PLACEHOLDER}{}", links.len());
            let link = new_node(
                arena,
                NodeValue::Link(Box::new(NodeLink {
                    url,
                    title: t.definition.clone(),
                })),
                sourcepos,
            );
            link.append(new_node(
                arena,
                NodeValue::Text(text[start..end].to_string().into()),
                sourcepos,
            ));
            node.insert_before(link);
            links.push(LinkRef {
                kind: LinkKind::Glossary,
                target: t.id.clone(),
                line: sourcepos.start.line,
                column: sourcepos.start.column,
                text: text[start..end].to_string(),
                sentence: String::new(),
            });
            last = end;
        }
        if last < text.len() {
            node.insert_before(new_node(
                arena,
                NodeValue::Text(text[last..].to_string().into()),
                sourcepos,
            ));
        }
        node.detach();
    }
}

fn new_node<'a>(
    arena: &'a Arena<'a>,
    value: NodeValue,
    pos: comrak::nodes::Sourcepos,
) -> &'a AstNode<'a> {
    arena.alloc(AstNode::new(RefCell::new(Ast::new(value, pos.start))))
}

fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

fn in_excluded<'a>(node: &'a AstNode<'a>) -> bool {
    node.ancestors().skip(1).any(|a| {
        matches!(
            a.data.borrow().value,
            NodeValue::Heading(_)
                | NodeValue::Link(_)
                | NodeValue::WikiLink(_)
                | NodeValue::Image(_)
                | NodeValue::Code(_)
                | NodeValue::CodeBlock(_)
                | NodeValue::TableCell
                | NodeValue::FootnoteDefinition(_)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MarkdownConfig;
    use crate::markdown::{RenderOptions, render};

    fn matcher() -> GlossaryMatcher {
        let terms = vec![
            MatcherTerm {
                id: "fascia".into(),
                definition: "Connective tissue.".into(),
                page: None,
            },
            MatcherTerm {
                id: "deep-transverse-friction".into(),
                definition: "Cross-fibre strokes.".into(),
                page: Some("@/friction.md".into()),
            },
        ];
        let names = vec![
            vec!["fascia".into()],
            vec!["deep transverse friction".into(), "DTF".into()],
        ];
        GlossaryMatcher::new(terms, &names)
    }

    fn run(src: &str, page: &str) -> crate::markdown::Body {
        let cfg = MarkdownConfig::default();
        let m = matcher().for_page(page);
        render(
            src,
            &RenderOptions {
                markdown: &cfg,
                glossary: Some(&m),
                folder_depth: 0,
            },
        )
        .unwrap()
    }

    #[test]
    fn links_only_first_plain_mention() {
        let b = run(
            "## Fascia\n\n`fascia` and [fascia](https://x.org) then Fascia here and fascia again.\n",
            "@/a.md",
        );
        let gl: Vec<_> = b
            .links
            .iter()
            .filter(|l| l.kind == LinkKind::Glossary)
            .collect();
        assert_eq!(gl.len(), 1);
        assert_eq!(gl[0].text, "Fascia");
        assert!(
            b.html
                .contains("title=\"Connective tissue.\">Fascia</a> here and fascia again"),
            "{}",
            b.html
        );
    }

    #[test]
    fn whole_words_and_own_page_skipped() {
        let b = run("Fasciae and deep transverse friction.\n", "@/friction.md");
        assert!(b.links.is_empty(), "{:?}", b.links);
        let b = run("Use DTF.\n", "@/other.md");
        assert_eq!(b.links[0].target, "deep-transverse-friction");
    }
}
