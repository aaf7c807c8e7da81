//! Related pages: ranked by shared links (either direction) and shared
//! taxonomy terms.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::site::{DocId, Site};

/// Page indices by (taxonomy, term).
pub type TermIndex<'a> = HashMap<(&'a str, &'a str), Vec<usize>>;

/// Pages sharing a term above this count say little about each other; the
/// term is skipped (this also keeps the work linear on large sites).
const COMMON_TERM: usize = 200;

/// Up to `config.knowledge.related_pages` related pages per document slot.
pub fn compute(site: &Site) -> Vec<Vec<DocId>> {
    let n = site.doc_count();
    let limit = site.config.knowledge.related_pages;
    let mut out = vec![Vec::new(); n];
    if limit == 0 || site.graph.outgoing.len() != n {
        return out;
    }
    let by_term = term_index(site);
    let per_page: Vec<Vec<DocId>> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| for_page(site, i, &by_term, limit))
        .collect();
    for (i, related) in per_page.into_iter().enumerate() {
        out[site.slot(DocId::Page(i))] = related;
    }
    out
}

/// Pages by taxonomy term, indexed once (no all-pairs scan).
pub fn term_index(site: &Site) -> TermIndex<'_> {
    let mut by_term: TermIndex<'_> = HashMap::new();
    for (i, p) in site.pages.iter().enumerate() {
        for (tax, terms) in &p.doc.fm.taxonomies {
            for t in terms {
                by_term
                    .entry((tax.as_str(), t.as_str()))
                    .or_default()
                    .push(i);
            }
        }
    }
    by_term
}

/// The related pages of page `i`, best first.
pub fn for_page(site: &Site, i: usize, by_term: &TermIndex<'_>, limit: usize) -> Vec<DocId> {
    let p = &site.pages[i];
    let id = DocId::Page(i);
    let slot = site.slot(id);
    let mut score: HashMap<DocId, u32> = HashMap::new();
    for &t in &site.graph.outgoing[slot] {
        *score.entry(t).or_default() += 3;
    }
    for b in &site.graph.backlinks[slot] {
        *score.entry(b.source).or_default() += 3;
    }
    for (tax, terms) in &p.doc.fm.taxonomies {
        for t in terms {
            let Some(sharers) = by_term.get(&(tax.as_str(), t.as_str())) else {
                continue;
            };
            if sharers.len() > COMMON_TERM {
                continue;
            }
            for &j in sharers {
                *score.entry(DocId::Page(j)).or_default() += 1;
            }
        }
    }
    score.remove(&id);
    let mut ranked: Vec<(DocId, u32)> = score
        .into_iter()
        .filter(|(d, _)| matches!(d, DocId::Page(_)))
        .collect();
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| site.title_of(a.0).cmp(site.title_of(b.0)))
            .then_with(|| a.0.cmp(&b.0))
    });
    ranked.into_iter().take(limit).map(|(d, _)| d).collect()
}
