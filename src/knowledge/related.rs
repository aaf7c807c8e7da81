//! Related pages: ranked by shared links (either direction) and shared
//! taxonomy terms.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::site::{DocId, Site};

/// Page indices by taxonomy and term. Owned, so that `serve` keeps it
/// from edit to edit: body edits leave front matter, and so the terms, as
/// they were (making it again was a fifth of an edit at 100,000 pages).
#[derive(Debug, Default)]
pub struct TermIndex(HashMap<String, HashMap<String, Vec<usize>>>);

impl TermIndex {
    /// Pages by taxonomy term, indexed once (no all-pairs scan).
    pub fn new(site: &Site) -> Self {
        let mut by_term: HashMap<String, HashMap<String, Vec<usize>>> = HashMap::new();
        for (i, p) in site.pages.iter().enumerate() {
            for (tax, terms) in &p.doc.fm.taxonomies {
                let of_tax = match by_term.get_mut(tax.as_str()) {
                    Some(m) => m,
                    None => by_term.entry(tax.clone()).or_default(),
                };
                for t in terms {
                    match of_tax.get_mut(t.as_str()) {
                        Some(v) => v.push(i),
                        None => {
                            of_tax.insert(t.clone(), vec![i]);
                        }
                    }
                }
            }
        }
        Self(by_term)
    }

    fn get(&self, tax: &str, term: &str) -> Option<&[usize]> {
        self.0.get(tax)?.get(term).map(Vec::as_slice)
    }
}

/// Pages sharing a term above this count say little about each other; the
/// term is skipped (this also keeps the work linear on large sites).
const COMMON_TERM: usize = 200;

/// Up to `config.knowledge.related_pages` related pages per document slot,
/// with the term index they were ranked with.
pub fn compute(site: &Site) -> (Vec<Vec<DocId>>, TermIndex) {
    let n = site.doc_count();
    let limit = site.config.knowledge.related_pages;
    let mut out = vec![Vec::new(); n];
    if limit == 0 || site.graph.outgoing.len() != n {
        return (out, TermIndex::default());
    }
    let by_term = TermIndex::new(site);
    let per_page: Vec<Vec<DocId>> = (0..site.pages.len())
        .into_par_iter()
        .map_init(Scores::default, |scores, i| {
            for_page(site, i, &by_term, limit, scores)
        })
        .collect();
    for (i, related) in per_page.into_iter().enumerate() {
        out[site.slot(DocId::Page(i))] = related;
    }
    (out, by_term)
}

/// Scores by document slot, reused from page to page (no hashing, and only
/// the slots touched are cleared).
#[derive(Default)]
pub struct Scores {
    by_slot: Vec<u32>,
    touched: Vec<usize>,
}

impl Scores {
    fn add(&mut self, slot: usize, points: u32) {
        if self.by_slot.len() <= slot {
            self.by_slot.resize(slot + 1, 0);
        }
        if self.by_slot[slot] == 0 {
            self.touched.push(slot);
        }
        self.by_slot[slot] += points;
    }
}

/// The related pages of page `i`, best first.
pub fn for_page(
    site: &Site,
    i: usize,
    by_term: &TermIndex,
    limit: usize,
    scores: &mut Scores,
) -> Vec<DocId> {
    let p = &site.pages[i];
    let id = DocId::Page(i);
    let slot = site.slot(id);
    for &t in &site.graph.outgoing[slot] {
        scores.add(site.slot(t), 3);
    }
    for b in &site.graph.backlinks[slot] {
        scores.add(site.slot(b.source), 3);
    }
    for (tax, terms) in &p.doc.fm.taxonomies {
        for t in terms {
            let Some(sharers) = by_term.get(tax, t) else {
                continue;
            };
            if sharers.len() > COMMON_TERM {
                continue;
            }
            for &j in sharers {
                scores.add(site.slot(DocId::Page(j)), 1);
            }
        }
    }
    let mut ranked: Vec<(DocId, u32)> = Vec::with_capacity(scores.touched.len());
    for s in scores.touched.drain(..) {
        let points = std::mem::take(&mut scores.by_slot[s]);
        // Pages only (slots below the page count), and not the page itself.
        if s < site.pages.len() && s != slot {
            ranked.push((DocId::Page(s), points));
        }
    }
    // Best score first, then by title, then by position: a total order, so
    // picking the best `limit` before sorting them gives the same list.
    let order = |a: &(DocId, u32), b: &(DocId, u32)| {
        b.1.cmp(&a.1)
            .then_with(|| site.title_of(a.0).cmp(site.title_of(b.0)))
            .then_with(|| a.0.cmp(&b.0))
    };
    crate::sorting::keep_first(&mut ranked, limit, order);
    ranked.into_iter().map(|(d, _)| d).collect()
}
